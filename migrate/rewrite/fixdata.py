"""The rewriter's data: per-language fix idioms (rules/fixes/*.yaml) and jinja2 snippets/helpers (rules/templates).

Nothing about a language's syntax or an HTTP client's idiom is written in Python: it is looked up here.
Users extend or override both with `--rules DIR` (a `fixes:` YAML and a `templates/` folder in DIR).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2

from migrate.errors import RuleError
from migrate.ruleset import RuleSet, builtin_rules_dir

PARAM_PLACEHOLDER = "{param}"


@dataclass(frozen=True)
class Client:
    """An HTTP client idiom: where a call starts and how the auth header is added to it."""

    call: re.Pattern[str]
    mode: str  # kwarg | options | wrap | chain | statement | after | replace
    existing: re.Pattern[str] | None = None
    index: int = 1
    skip: re.Pattern[str] | None = None  # statement mode: a block to step over before inserting (Go's err check)
    macro: str = ""
    open: str = "{"  # options mode: the bracket an options argument starts with (`[` for PHP arrays)
    merge: re.Pattern[str] | None = None  # where a headers literal the call already passes starts (entries merge in)


@dataclass
class LanguageFixes:
    """The fix idioms of one language (resolved through `same_as`)."""

    name: str
    raw: dict[str, Any]
    templates: str | None
    clients: list[Client] = field(default_factory=list)

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    @cached_property
    def concat(self) -> tuple[str, ...]:
        return tuple(self.raw.get("concat") or ("+",))

    @cached_property
    def interpolation(self) -> tuple[str, ...]:
        return tuple(self.raw.get("interpolation") or ())

    @cached_property
    def assignment(self) -> re.Pattern[str] | None:
        pattern = self.raw.get("assignment")
        return re.compile(pattern, re.MULTILINE) if pattern else None

    def entry_patterns(self, param_regex: str) -> list[tuple[re.Pattern[str], str]]:
        """(pattern, brackets it must sit directly inside: "" for any) per entry form.

        An entry is a string or `{pattern, inside}`: JS `authtoken:` is a map entry inside `{}` but a type
        annotation inside `()`.
        """
        result = []
        for item in self.raw.get("entries") or ():
            if isinstance(item, dict):
                result.append((_with_param(str(item["pattern"]), param_regex, 0), str(item.get("inside", ""))))
            else:
                result.append((_with_param(str(item), param_regex, 0), ""))
        return result

    def statement_patterns(self, param_regex: str) -> list[re.Pattern[str]]:
        return [_with_param(p, param_regex, re.MULTILINE) for p in self.raw.get("statements") or ()]


def _with_param(pattern: str, param_regex: str, flags: int) -> re.Pattern[str]:
    """Case-sensitive: Zoho's parameters are lowercase; `authToken:` is an SDK option, left to a manual step."""
    return re.compile(pattern.replace(PARAM_PLACEHOLDER, param_regex), flags)


def _compile(value: Any, where: str) -> re.Pattern[str] | None:
    if value is None:
        return None
    try:
        return re.compile(str(value), re.MULTILINE)
    except re.error as error:
        raise RuleError(f"fixes: {where}: regex {value!r} does not compile: {error}") from None


class FixData:
    """All fix data of a ruleset plus the jinja2 environment that renders snippets and helpers."""

    def __init__(self, ruleset: RuleSet, extra_dirs: tuple[Path, ...] = ()) -> None:
        self.ruleset = ruleset
        raw = ruleset.data.get("fixes") or {}
        self.common: dict[str, Any] = dict(raw.get("common") or {})
        self._raw = raw
        self._languages: dict[str, LanguageFixes | None] = {}
        search = [Path(d) / "templates" for d in reversed(extra_dirs)] + [builtin_rules_dir() / "templates"]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(p) for p in search if p.is_dir()]),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            autoescape=False,  # code, not HTML
        )
        self._snippets: dict[str, Any] = {}

    @property
    def oauth(self) -> dict[str, Any]:
        data = self.ruleset.data.get("oauth")
        if not data:
            raise RuleError("rules: no `oauth:` section (rules/oauth.yaml); the token helpers are rendered from it")
        return data

    def language(self, name: str) -> LanguageFixes | None:
        """The fix idioms for a language, or None when the rewriter has none (its findings stay manual)."""
        if name not in self._languages:
            self._languages[name] = self._load(name, set())
        return self._languages[name]

    def _load(self, name: str, seen: set[str]) -> LanguageFixes | None:
        raw = self._raw.get(name)
        if not isinstance(raw, dict):
            return None
        base = raw.get("same_as")
        if base:
            if base in seen:
                raise RuleError(f"fixes: {name}: `same_as` loops through {base}")
            parent = self._load(str(base), seen | {name})
            if parent is None:
                raise RuleError(f"fixes: {name}: `same_as: {base}` names no fixes")
            raw = {**parent.raw, **{k: v for k, v in raw.items() if k != "same_as"}}
        clients = []
        for index, item in enumerate(raw.get("clients") or ()):
            where = f"{name}.clients[{index}]"
            if not isinstance(item, dict) or "call" not in item or "mode" not in item:
                raise RuleError(f"fixes: {where}: needs `call` and `mode`")
            clients.append(
                Client(
                    call=_compile(item["call"], where),  # type: ignore[arg-type]
                    mode=str(item["mode"]),
                    existing=_compile(item.get("existing"), where),
                    index=int(item.get("index", 1)),
                    skip=_compile(item.get("skip"), where),
                    macro=str(item.get("macro", "")),
                    open=str(item.get("open", "{")),
                    merge=_compile(item.get("merge"), where),
                )
            )
        return LanguageFixes(name=name, raw=raw, templates=raw.get("templates"), clients=clients)

    def snippets(self, language: LanguageFixes) -> Any:
        """The language's snippet macros (rules/templates/<lang>/snippets.j2) as a module of callables."""
        folder = language.templates or language.name
        if folder not in self._snippets:
            try:
                template = self.env.get_template(f"{folder}/snippets.j2")
            except jinja2.TemplateNotFound:
                raise RuleError(f"fixes: {language.name}: templates/{folder}/snippets.j2 not found") from None
            self._snippets[folder] = template.make_module({"oauth": self.oauth})
        return self._snippets[folder]

    def render(self, template_name: str, **values: Any) -> str:
        try:
            return self.env.get_template(template_name).render(**values)
        except jinja2.TemplateNotFound:
            raise RuleError(f"fixes: template {template_name} not found") from None

    def manual_text(self, key: str, **values: Any) -> str:
        texts = self.common.get("manual") or {}
        template = texts.get(key)
        if not template:
            return key
        try:
            return str(template).format(**values)
        except (KeyError, IndexError):
            return str(template)
