"""Line-level scoring of scan findings against must/may labels: the logic of shared/score_scan.py, path-aware.

A label key with a `/` is a path relative to the scanned folder; a key without one is a file name matched
against the last path component (exactly as score_scan.py does). A flagged line outside `must` + `may` is a
false positive; a `must` line not flagged is a miss.

Also runnable: `python -m tests.scan.scoring FINDINGS.json LABELS.yaml` (used for docs/VALIDATION.md).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass
class Score:
    """Totals plus per-file misses and false positives."""

    must_total: int = 0
    hit: int = 0
    flagged: int = 0
    false_positives: int = 0
    misses: dict[str, list[int]] = field(default_factory=dict)
    false: dict[str, list[int]] = field(default_factory=dict)
    unlabelled: list[tuple[str, int]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.hit / self.must_total if self.must_total else 1.0

    @property
    def precision(self) -> float:
        return (self.flagged - self.false_positives) / self.flagged if self.flagged else 1.0

    def summary(self) -> str:
        return (
            f"recall {self.recall:.3f} ({self.hit}/{self.must_total}) "
            f"precision {self.precision:.3f} ({self.flagged - self.false_positives}/{self.flagged})"
        )

    def report(self) -> str:
        lines = [f"{name}: missed {self.misses.get(name, [])} false {self.false.get(name, [])}"
                 for name in sorted(set(self.misses) | set(self.false))]
        lines += [f"{path}:{line}: flagged in a file with no labels" for path, line in self.unlabelled]
        return "\n".join([*lines, self.summary()])


def flagged_lines(findings: list[dict[str, Any]]) -> set[tuple[str, int]]:
    """(path, line) of every finding, POSIX separators."""
    return {(str(f["path"]).replace("\\", "/"), int(f["line"])) for f in findings}


def _belongs(path: str, key: str) -> bool:
    return path == key or path.endswith("/" + key) if "/" in key else path.rsplit("/", 1)[-1] == key


def score(findings: list[dict[str, Any]], labels: dict[str, dict[str, list[int]]]) -> Score:
    """Score findings against labels; files with findings but no labels count their lines as false positives."""
    lines = flagged_lines(findings)
    result = Score()
    claimed: set[tuple[str, int]] = set()
    for key, label in labels.items():
        must, may = set(label.get("must") or []), set(label.get("may") or [])
        mine = {(p, n) for (p, n) in lines if _belongs(p, key)}
        claimed |= mine
        numbers = {n for _, n in mine}
        missed = sorted(must - numbers)
        false = sorted(numbers - must - may)
        result.must_total += len(must)
        result.hit += len(must & numbers)
        result.flagged += len(numbers)
        result.false_positives += len(false)
        if missed:
            result.misses[key] = missed
        if false:
            result.false[key] = false
    for path, line in sorted(lines - claimed):
        result.unlabelled.append((path, line))
        result.flagged += 1
        result.false_positives += 1
    return result


def load_labels(path: Path) -> dict[str, dict[str, list[int]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): v for k, v in data.items()}


def main(argv: list[str]) -> int:
    data = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    result = score(data["findings"], load_labels(Path(argv[2])))
    print(result.report())
    return 0 if result.recall == 1.0 and result.precision == 1.0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
