"""The fix data the request model reads (rules/fixes/*.yaml): client call idioms, assignments, request markers.

Read straight from `RuleSet.data["fixes"]` (resolving `same_as`) so that this package stays below the rewriter:
`scan` may use it without importing `migrate.rewrite`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from migrate.ruleset import RuleSet


@dataclass(frozen=True)
class CallIdiom:
    """One HTTP client idiom: the call that sends a request and how it passes headers."""

    call: re.Pattern[str]
    mode: str
    existing: re.Pattern[str] | None
    merge: re.Pattern[str] | None


@dataclass
class Idioms:
    """What the request model needs to know about one language (empty when the rewriter has no fixes for it)."""

    name: str
    raw: dict[str, Any]
    common: dict[str, Any]
    clients: list[CallIdiom] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return bool(self.raw)

    @property
    def connection(self) -> bool:
        """Authenticates through a named connection (Deluge): no header, no send call needed."""
        return self.raw.get("auth") == "connection"

    @cached_property
    def concat(self) -> tuple[str, ...]:
        """The language's string-concatenation operators (`+`, `.`, `<>`)."""
        return tuple(str(op) for op in self.raw.get("concat") or ("+",))

    @cached_property
    def interpolation(self) -> tuple[str, ...]:
        """Openers of an expression spliced into a string (`${`, `#{`, `{$`)."""
        return tuple(str(op) for op in self.raw.get("interpolation") or ())

    @property
    def is_async(self) -> bool:
        return bool(self.raw.get("async"))

    @cached_property
    def assignment(self) -> re.Pattern[str] | None:
        pattern = self.raw.get("assignment")
        return re.compile(pattern, re.MULTILINE) if pattern else None

    @cached_property
    def requests(self) -> dict[str, Any]:
        return dict(self.common.get("requests") or {})

    @cached_property
    def accounts_url(self) -> re.Pattern[str]:
        return re.compile(str(self.requests.get("accounts_url") or r"(?!)"))

    @cached_property
    def methods(self) -> dict[str, re.Pattern[str]]:
        return {str(k): re.compile(str(v), re.MULTILINE) for k, v in (self.requests.get("methods") or {}).items()}

    @cached_property
    def has_xml_fix(self) -> bool:
        return bool(self.raw.get("xml"))

    @cached_property
    def xml_parse(self) -> re.Pattern[str] | None:
        xml = self.raw.get("xml") or {}
        return re.compile(str(xml["parse"])) if xml.get("parse") else None


_CACHE: dict[tuple[int, str], Idioms] = {}


def idioms(ruleset: RuleSet, language: str) -> Idioms:
    """The idioms of `language` in `ruleset` (cached per ruleset object)."""
    key = (id(ruleset), language)
    if key not in _CACHE:
        fixes = ruleset.data.get("fixes") or {}
        raw = _resolve(fixes, language, set())
        clients = []
        for item in raw.get("clients") or ():
            if isinstance(item, dict) and "call" in item and item.get("mode"):
                clients.append(
                    CallIdiom(
                        re.compile(str(item["call"]), re.MULTILINE),
                        str(item["mode"]),
                        re.compile(str(item["existing"]), re.MULTILINE) if item.get("existing") else None,
                        re.compile(str(item["merge"]), re.MULTILINE) if item.get("merge") else None,
                    )
                )
        _CACHE[key] = Idioms(language, raw, dict(fixes.get("common") or {}), clients)
    return _CACHE[key]


def _resolve(fixes: dict[str, Any], name: str, seen: set[str]) -> dict[str, Any]:
    raw = fixes.get(name)
    if not isinstance(raw, dict):
        return {}
    base = raw.get("same_as")
    if base and base not in seen:
        return {**_resolve(fixes, str(base), seen | {name}), **{k: v for k, v in raw.items() if k != "same_as"}}
    return dict(raw)
