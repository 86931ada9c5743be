"""Reading the scanned files again for the report: a few lines of context around each finding, masked.

The scanner keeps only a masked one-line snippet; a reviewer needs the lines around it. Each line shown is masked
with the rules' secret patterns before it goes anywhere, and the raw values those patterns (and the credential
rules) matched are collected so the renderer can make a last pass that removes any copy the patterns missed.
Only the lines shown are processed: a 5 MB minified bundle costs a slice, not a pass over every line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from migrate.ruleset import RuleSet
from migrate.scan.engine import ScanResult
from migrate.scan.textfile import SkipFile, decode, read_bytes
from migrate.secrets import mask_text

# longest source line shown as is; minified files have lines of megabytes
MAX_LINE = 240
# raw text kept on each side of the shown window of a long line before masking, so a secret (and the name before
# it that the patterns need) that straddles the window's edge is still recognised and masked
MASK_MARGIN = 400


@dataclass(frozen=True)
class Context:
    """Lines `start`..`start+len(lines)-1` of a file (masked), with the finding's lines to highlight."""

    start: int
    lines: tuple[str, ...]
    marked: tuple[int, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def clip_line(text: str, column: int = 1, width: int = MAX_LINE) -> str:
    """`text` cut to about `width` characters around `column` (1-based), marking what was left out. Applied to
    already-masked text only, so a cut can never expose part of a secret the mask would have matched."""
    if len(text) <= width:
        return text
    start = _window_start(len(text), column, width)
    head = f"…[{start} characters] " if start else ""
    rest = len(text) - start - width
    tail = f" …[{rest} more characters]" if rest > 0 else ""
    return head + text[start : start + width] + tail


def _window_start(length: int, column: int, width: int) -> int:
    return max(0, min(column - 1 - width // 3, length - width))


@dataclass
class SourceReader:
    """Finds a finding's file from the scan roots, reads it once, masks what is shown, remembers raw secrets."""

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

    def raw_lines(self, path: str) -> list[str] | None:
        """The file's lines, unmasked: never returned to a caller that prints (None when unreadable)."""
        if path not in self._cache:
            location = self.locate(path)
            try:
                self._cache[path] = (
                    decode(read_bytes(location, self.max_size)).text.splitlines() if location else None
                )
            except (SkipFile, OSError):
                self._cache[path] = None
        return self._cache[path]

    def _remember(self, raw: str) -> None:
        for pattern in self.ruleset.scan.secret_patterns:
            if "secret" in pattern.groupindex:
                self.secrets.update(m.group("secret") for m in pattern.finditer(raw) if m.group("secret"))
        for rule in self.ruleset.rules:
            if rule.category == "hardcoded-secret":
                for regex in rule.matcher.regexes:
                    if "secret" in regex.groupindex:
                        self.secrets.update(m.group("secret") for m in regex.finditer(raw) if m.group("secret"))

    def shown_line(self, raw: str, column: int = 1) -> str:
        """One line as the report shows it: masked first, then cut to a window around `column`."""
        if len(raw) <= MAX_LINE:
            self._remember(raw)
            return mask_text(raw, self.ruleset.scan.secret_patterns)
        start = _window_start(len(raw), column, MAX_LINE)
        lo, hi = max(0, start - MASK_MARGIN), min(len(raw), start + MAX_LINE + MASK_MARGIN)
        piece = raw[lo:hi]
        self._remember(piece)
        masked = mask_text(piece, self.ruleset.scan.secret_patterns)
        # masking before the window shortens the text a little: the window then starts a few characters later
        window = masked[start - lo : start - lo + MAX_LINE]
        head = f"…[{start} characters] " if start else ""
        rest = len(raw) - start - MAX_LINE
        tail = f" …[{rest} more characters]" if rest > 0 else ""
        return head + window + tail

    def context(self, path: str, line: int, end_line: int, around: int, column: int = 1) -> Context | None:
        """Masked lines around a finding, its own line(s) marked; long lines cut to a window around the finding."""
        lines = self.raw_lines(path)
        if not lines or line > len(lines):
            return None
        first = max(1, line - around)
        last = min(len(lines), max(end_line, line) + around)
        marked = tuple(range(line, min(max(end_line, line), last) + 1))
        shown = tuple(
            self.shown_line(text, column if number == line else 1)
            for number, text in enumerate(lines[first - 1 : last], start=first)
        )
        return Context(first, shown, marked)
