"""The Finding: the plain data type at the scanner's boundary, serialised exactly as DESIGN.md's JSON contract."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Finding:
    """One flagged place in one file. `snippet` is already masked; raw secrets never leave the matcher."""

    rule_id: str
    severity: str
    category: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    snippet: str
    fixable: bool = False
    fingerprint: str = ""
    product: str | None = None
    scopes: list[str] = field(default_factory=list)
    gitignored: bool = False

    def to_json(self) -> dict[str, Any]:
        # what dataclasses.asdict gives (every field, `scopes` copied), without its recursive deep copy: a big scan
        # serialises thousands of findings
        names = _FIELDS.get(type(self))
        if names is None:  # subclasses (history findings) add fields
            names = _FIELDS[type(self)] = tuple(f.name for f in fields(self))
        data = {name: getattr(self, name) for name in names}
        data["scopes"] = list(self.scopes)
        return data

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule_id)


_SPACES = re.compile(r"\s+")
_FIELDS: dict[type, tuple[str, ...]] = {}


def fingerprint(rule_id: str, path: str, line_text: str, occurrence: int, normalized: str | None = None) -> str:
    """Content-based identity: rule, file and the line's normalized text (not its number), so moving lines keeps it.

    `occurrence` tells identical lines in the same file apart (the n-th such line).
    """
    if normalized is None:  # `" ".join(line_text.split())` without the word list (the caller may have it already)
        normalized = _SPACES.sub(" ", line_text).strip()
    digest = hashlib.sha256(f"{rule_id}\0{path}\0{normalized}\0{occurrence}".encode()).hexdigest()
    return digest[:16]
