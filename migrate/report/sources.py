"""Reading the scanned files again for the report: a few lines of context around each finding, masked.

The scanner keeps only a masked one-line snippet; a reviewer needs the lines around it. Every line read here is
masked with the rules' secret patterns before it goes anywhere, and the raw values those patterns matched are
collected so the renderer can make a last pass that removes any copy the patterns might have missed elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from migrate.ruleset import RuleSet
from migrate.scan.engine import ScanResult
from migrate.scan.textfile import SkipFile, decode, read_bytes
from migrate.secrets import mask_text


@dataclass(frozen=True)
class Context:
    """Lines `start`..`start+len(lines)-1` of a file (masked), with the finding's lines to highlight."""

    start: int
    lines: tuple[str, ...]
    marked: tuple[int, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class SourceReader:
    """Finds a finding's file from the scan roots, reads it once, masks it, and remembers the raw secrets."""

    result: ScanResult
    ruleset: RuleSet
    max_size: int = 5 * 1024 * 1024
    secrets: set[str] = field(default_factory=set)
    _cache: dict[str, list[str] | None] = field(default_factory=dict)

    def locate(self, path: str) -> Path | None:
        for root in [Path(r) for r in self.result.roots] or [Path(".")]:
            if root.is_dir() and (root / path).is_file():
                return root / path
            if root.as_posix() == path and root.is_file():
                return root
        return None

    def masked_lines(self, path: str) -> list[str] | None:
        """The file's lines with secrets masked (None when it cannot be read any more)."""
        if path not in self._cache:
            self._cache[path] = self._read(path)
        return self._cache[path]

    def _read(self, path: str) -> list[str] | None:
        location = self.locate(path)
        if location is None:
            return None
        try:
            text = decode(read_bytes(location, self.max_size)).text
        except (SkipFile, OSError):
            return None
        lines = text.splitlines()
        for pattern in self.ruleset.scan.secret_patterns:
            if "secret" not in pattern.groupindex:
                continue
            for line in lines:  # per line, as snippets are masked: a pattern's `\s*` must not reach the next line
                self.secrets.update(m.group("secret") for m in pattern.finditer(line) if m.group("secret"))
        for rule in self.ruleset.rules:
            if rule.category != "hardcoded-secret":
                continue
            for regex in rule.matcher.regexes:
                if "secret" in regex.groupindex:
                    self.secrets.update(m.group("secret") for m in regex.finditer(text) if m.group("secret"))
        return [mask_text(line, self.ruleset.scan.secret_patterns) for line in lines]

    def context(self, path: str, line: int, end_line: int, around: int) -> Context | None:
        lines = self.masked_lines(path)
        if not lines or line > len(lines):
            return None
        first = max(1, line - around)
        last = min(len(lines), max(end_line, line) + around)
        marked = tuple(range(line, min(max(end_line, line), last) + 1))
        return Context(first, tuple(lines[first - 1 : last]), marked)
