"""The rewriter's plain data types: what changes (Edit), what is left to a person (ManualStep), what clashed.

These are the boundary of the stage: the report and the CLI read them; nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] with `replacement`; offsets are in the text the edit was computed on."""

    start: int
    end: int
    replacement: str
    rule_id: str
    description: str

    def overlaps(self, other: Edit) -> bool:
        if self.start == self.end or other.start == other.end:  # insertions clash only at the same point
            return self.start == other.start and self.end == other.end and self.start == self.end
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class AppliedEdit:
    """An edit as reported: the original line it touched, the rule and what it did (never the secret)."""

    line: int
    rule_id: str
    description: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ManualStep:
    """Something the rewriter did not (or could not safely) change; `text` says exactly what to do."""

    path: str
    line: int
    rule_id: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Conflict:
    """Two fixes wanted the same text; the later one was not applied (and is listed as a manual step)."""

    path: str
    line: int
    rule_ids: tuple[str, ...]
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "rule_ids": list(self.rule_ids), "text": self.text}


@dataclass
class FileChange:
    """One file's rewrite: the original bytes' layout, the new text, the edits and what is left."""

    path: str  # display path (relative to the root given, POSIX)
    fs_path: str  # where it lives on disk
    language: str
    original: str
    rewritten: str
    edits: list[AppliedEdit] = field(default_factory=list)
    refused: str | None = None  # why the rewrite is not applied (e.g. it would not parse)
    created: bool = False  # a generated helper file

    @property
    def changed(self) -> bool:
        return self.refused is None and self.rewritten != self.original

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "language": self.language,
            "created": self.created,
            "changed": self.changed,
            "refused": self.refused,
            "edits": [e.to_json() for e in self.edits],
        }
