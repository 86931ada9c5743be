"""Post-edit checks with the language's own tools (`php -l`, `node --check`, `ruby -c`, `gofmt -e`, `javac`).

The grammars in `validate.py` say whether a text parses; a language's own compiler or linter is stricter (PHP's
`require_once` above `namespace` is a fatal error that tree-sitter accepts). Each check is data
(`fixes.<language>.check` in rules/fixes/*.yaml: the command, the file extensions it applies to, and whether it
compares exit codes or error messages), runs on a private temporary copy, and is optional: a tool that is not
installed is skipped, and said once per process on stderr. A rewrite is refused only for what the rewrite itself
broke: the original must pass where the rewrite fails (`exit`), or the rewrite must add error messages the
original did not have (`errors`, for compilers such as javac that also report the project's missing classes).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIMEOUT_SECONDS = 60
_missing_said: set[str] = set()
_cache: dict[tuple[str, str], tuple[bool, Counter[str]]] = {}


@dataclass(frozen=True)
class ToolCheck:
    """One language's check: `command` with `{file}` (and `{dir}`, a scratch folder) filled in."""

    command: tuple[str, ...]
    extensions: tuple[str, ...] = ()
    compare: str = "exit"  # exit | errors
    error: str = r"error:?\s*(?P<message>.*)"  # errors mode: one error message per match
    ignore: str | None = None  # errors mode: messages about the generated helper (not written yet) are not new

    @classmethod
    def from_spec(cls, spec: Any) -> ToolCheck | None:
        if not isinstance(spec, dict) or not spec.get("command"):
            return None
        return cls(
            command=tuple(str(part) for part in spec["command"]),
            extensions=tuple(str(e) for e in spec.get("extensions") or ()),
            compare=str(spec.get("compare", "exit")),
            error=str(spec.get("error", cls.error)),
            ignore=str(spec["ignore"]) if spec.get("ignore") else None,
        )

    @property
    def tool(self) -> str:
        return self.command[0]

    def applies_to(self, filename: str) -> bool:
        return not self.extensions or filename.lower().endswith(self.extensions)


def available(tool: str) -> bool:
    """Is the tool on PATH? When it is not, say so once (the grammar check still runs)."""
    if shutil.which(tool) is not None:
        return True
    if tool not in _missing_said:
        _missing_said.add(tool)
        print(f"zoho-migrate: note: `{tool}` not found; rewritten files are checked by their grammar only", file=sys.stderr)
    return False


def _run(check: ToolCheck, text: str, filename: str) -> tuple[bool, Counter[str]]:
    """(passed, error messages) of the tool on `text` saved as `filename` in a private temporary folder."""
    key = (" ".join(check.command), hashlib.sha256((filename + "\0" + text).encode("utf-8", "surrogateescape")).hexdigest())
    if key in _cache:
        return _cache[key]
    with tempfile.TemporaryDirectory(prefix="zoho-migrate-check-") as scratch:
        target = Path(scratch) / "src" / filename
        target.parent.mkdir()
        target.write_text(text, encoding="utf-8", errors="surrogateescape")
        out = Path(scratch) / "out"
        out.mkdir()
        command = [part.replace("{file}", str(target)).replace("{dir}", str(out)) for part in check.command]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, cwd=scratch)
        except (OSError, subprocess.TimeoutExpired):
            result: tuple[bool, Counter[str]] = (True, Counter())  # a tool that cannot run tells nothing
            _cache[key] = result
            return result
        output = (done.stdout + "\n" + done.stderr).replace(str(target), filename)
    result = (done.returncode == 0, _messages(check, output))
    _cache[key] = result
    return result


def _messages(check: ToolCheck, output: str) -> Counter[str]:
    """Error messages without their line numbers (an edit shifts lines), each with its `symbol:` detail."""
    messages: Counter[str] = Counter()
    pattern = re.compile(check.error)
    lines = output.splitlines()
    for index, line in enumerate(lines):
        m = pattern.search(line)
        if m is None:
            continue
        message = m.group("message").strip()
        for detail in lines[index + 1 : index + 5]:
            if detail.strip().startswith("symbol:"):
                message += " / " + " ".join(detail.split())
                break
        if check.ignore and re.search(check.ignore, message):
            continue
        messages[message] += 1
    return messages


def broken_by_rewrite(check: ToolCheck, before: str, after: str, filename: str) -> str | None:
    """What the tool reports about `after` that it did not about `before`, or None (also when it cannot tell)."""
    if not check.applies_to(filename) or not available(check.tool):
        return None
    after_ok, after_errors = _run(check, after, filename)
    if after_ok:
        return None
    before_ok, before_errors = _run(check, before, filename)
    if check.compare == "errors":
        new = after_errors - before_errors
        if not new:
            return None
        first = next(iter(new))
        return f"`{check.tool}` reports a new error in the rewritten file: {first}"
    if not before_ok:
        return None  # it failed before the rewrite too: nothing the rewrite broke
    first = next(iter(after_errors), "")
    return f"`{check.tool}` rejects the rewritten file" + (f": {first}" if first else "")
