"""The detection-rule model: what a rule in `rules/detectors/*.yaml` means once validated.

See docs/RULES.md for the schema. Validation happens here, once, at load time, so the scanner's hot loop
never meets a malformed rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrate.errors import RuleError
from migrate.ruleset.yamlload import line_of

SEVERITIES = ("info", "warning", "error", "critical")
CATEGORIES = (
    "auth-param",
    "auth-header",
    "auth-generation",
    "legacy-endpoint",
    "hardcoded-secret",
    "xml-parsing",
    "legacy-config",
    "sdk-usage",
    "legacy-reply",
)
LANGUAGE_KINDS = ("code", "config", "docs")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
RULE_KEYS = {
    "id",
    "message",
    "severity",
    "category",
    "languages",
    "match",
    "fix",
    "examples",
    "help",
    "manual",
    "migrated",
}
MIGRATED_KEYS = {"context", "unless", "severity", "message"}
MATCH_KEYS = {
    "keywords",
    "regex",
    "case_sensitive",
    "context",
    "file_regex",
    "not_line",
    "not_file_regex",
    "in_comments",
    "endpoints",
    "under",
    "own_package",
    "names_from",
}


def severity_rank(severity: str) -> int:
    """Order of severities, for `--fail-on` comparisons."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Example:
    """One snippet a rule must flag (or must leave alone), optionally tied to a language and file name."""

    code: str
    language: str | None = None
    filename: str | None = None


@dataclass(frozen=True)
class Matcher:
    """How a rule finds its lines: literal keywords (prefilter), regexes, and context conditions."""

    keywords: tuple[str, ...]
    regexes: tuple[re.Pattern[str], ...] = ()
    context: str = "any"
    file_regexes: tuple[re.Pattern[str], ...] = ()
    not_line: tuple[re.Pattern[str], ...] = ()
    not_file_regexes: tuple[re.Pattern[str], ...] = ()
    in_comments: bool = False
    endpoints: str | None = None  # "legacy": the endpoint map supplies the regexes
    only_comments: bool = False  # `in_comments: only`: a match is reported only inside a comment
    # config files: the INI section or a less-indented parent key above the line must match one of these
    under: tuple[re.Pattern[str], ...] = ()
    # dotted package names of a library: the rule does not apply to files inside that library's own folders
    # (`talkzoho/crm/client.py` importing `talkzoho.utils` is the library, not a user of it)
    own_package: tuple[str, ...] = ()
    # regexes with a group `name`: the names this file hands to a legacy call (`'Zoho-authtoken '.$this->key`);
    # a match of `regexes` is kept only when its own group `name` is one of them (the definition of that value)
    names_from: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Migrated:
    """How a rule reports code that already uses OAuth: a moved host there is a notice, not a CI failure.

    The file is "already migrated" when it is in `context` (e.g. it sends `Zoho-oauthtoken`) and not in `unless`
    (e.g. it still sends an authtoken too): its findings get `severity` and `message` instead of the rule's.
    """

    context: str
    severity: str
    message: str
    unless: str | None = None


@dataclass(frozen=True)
class Rule:
    """A validated detection rule."""

    id: str
    message: str
    severity: str
    category: str
    languages: tuple[str, ...] | None  # None means any language
    matcher: Matcher
    source: str
    line: int
    fix: dict[str, Any] | None = None
    manual: str | None = None
    help: str | None = None
    flag_examples: tuple[Example, ...] = ()
    ok_examples: tuple[Example, ...] = ()
    migrated: Migrated | None = None

    def applies_to(self, language: str, kind: str) -> bool:
        """True when the rule covers this language, by name or by kind (`code`, `config`, `docs`)."""
        return self.languages is None or language in self.languages or kind in self.languages


@dataclass
class _Where:
    """Carries file/line for error messages while one rule is validated."""

    path: Path
    line: int
    rule_id: str = "?"
    # the rule folders' named regex fragments (`patterns:`), spliced in wherever a regex says `{{name}}`
    patterns: Mapping[str, str] = field(default_factory=dict)

    def fail(self, reason: str) -> RuleError:
        return RuleError(f"rule {self.rule_id}: {reason}", path=str(self.path), line=self.line)


def _as_list(value: Any, where: _Where, name: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        return [value]
    if isinstance(value, list):
        return value
    raise where.fail(f"`{name}` must be a string or a list")


PATTERN_NAME = r"[A-Za-z_][\w-]*"  # a `patterns:` entry's name, as `{{name}}` refers to it
PATTERN_REFERENCE = re.compile(rf"\{{\{{({PATTERN_NAME})\}}\}}")


def expand_patterns(pattern: str, patterns: Mapping[str, str]) -> str:
    """`{{name}}` -> the named fragment, so one regex shared by several rules in several files lives in one place
    (YAML anchors do not cross files). A name nobody defined is an error, never left as literal braces."""

    def fragment(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in patterns:
            known = ", ".join(sorted(patterns)) or "none"
            raise KeyError(f"unknown pattern {{{{{name}}}}} (known: {known})")
        return patterns[name]

    return PATTERN_REFERENCE.sub(fragment, pattern)


def _compile(patterns: list[Any], where: _Where, name: str, flags: int) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        if not isinstance(pattern, str):
            raise where.fail(f"`{name}` entries must be strings")
        try:
            pattern = expand_patterns(pattern, where.patterns)
        except KeyError as error:
            raise where.fail(f"`{name}`: {error.args[0]}") from None
        try:
            compiled.append(re.compile(pattern, flags))
        except re.error as error:
            raise where.fail(f"`{name}` regex {pattern!r} does not compile: {error}") from None
    return tuple(compiled)


def _examples(raw: Any, where: _Where, name: str) -> tuple[Example, ...]:
    examples = []
    for item in _as_list(raw, where, f"examples.{name}"):
        if isinstance(item, str):
            examples.append(Example(code=item))
        elif isinstance(item, dict) and isinstance(item.get("code"), str):
            examples.append(
                Example(code=item["code"], language=item.get("language"), filename=item.get("filename"))
            )
        else:
            raise where.fail(
                f"`examples.{name}` entries must be strings or {{code, language, filename}} maps"
            )
    return tuple(examples)


def _matcher(raw: Any, where: _Where, contexts: set[str]) -> Matcher:
    if not isinstance(raw, dict):
        raise where.fail("`match` must be a mapping")
    unknown = set(raw) - MATCH_KEYS
    if unknown:
        raise where.fail(f"unknown `match` keys: {', '.join(sorted(unknown))}")
    flags = 0 if raw.get("case_sensitive") else re.IGNORECASE
    keywords = tuple(str(k).lower() for k in _as_list(raw.get("keywords"), where, "match.keywords"))
    if not keywords:
        raise where.fail("`match.keywords` is required: literals the prefilter looks for before any regex")
    endpoints = raw.get("endpoints")
    if endpoints not in (None, "legacy"):
        raise where.fail("`match.endpoints` must be `legacy` when given")
    regexes = _compile(_as_list(raw.get("regex"), where, "match.regex"), where, "match.regex", flags)
    if not regexes and endpoints is None:
        raise where.fail("`match` needs `regex` (or `endpoints: legacy`)")
    if raw.get("in_comments", False) not in (True, False, "only"):
        raise where.fail("`match.in_comments` must be true, false or `only`")
    names_from = _compile(_as_list(raw.get("names_from"), where, "names_from"), where, "names_from", flags)
    if names_from and not all("name" in r.groupindex for r in (*names_from, *regexes)):
        raise where.fail("`match.names_from` and `match.regex` need a group `(?P<name>...)` in every regex")
    context = raw.get("context", "any")
    if context != "any" and context not in contexts:
        raise where.fail(f"unknown `match.context` {context!r}; known: any, {', '.join(sorted(contexts))}")
    return Matcher(
        keywords=keywords,
        regexes=regexes,
        context=context,
        file_regexes=_compile(
            _as_list(raw.get("file_regex"), where, "file_regex"), where, "file_regex", flags
        ),
        not_line=_compile(_as_list(raw.get("not_line"), where, "not_line"), where, "not_line", flags),
        not_file_regexes=_compile(
            _as_list(raw.get("not_file_regex"), where, "not_file_regex"), where, "not_file_regex", flags
        ),
        in_comments=raw.get("in_comments", False) in (True, "only"),
        only_comments=raw.get("in_comments") == "only",
        under=_compile(_as_list(raw.get("under"), where, "under"), where, "under", flags),
        endpoints=endpoints,
        own_package=tuple(str(p) for p in _as_list(raw.get("own_package"), where, "own_package")),
        names_from=names_from,
    )


def _migrated(raw: Any, where: _Where, contexts: set[str]) -> Migrated | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - MIGRATED_KEYS:
        raise where.fail(f"`migrated` must be a mapping with keys {', '.join(sorted(MIGRATED_KEYS))}")
    for key in ("context", "severity", "message"):
        if key not in raw:
            raise where.fail(f"`migrated` needs `{key}`")
    for key in ("context", "unless"):
        if key in raw and raw[key] not in contexts:
            raise where.fail(f"unknown `migrated.{key}` {raw[key]!r}; known: {', '.join(sorted(contexts))}")
    if raw["severity"] not in SEVERITIES:
        raise where.fail(f"`migrated.severity` must be one of {', '.join(SEVERITIES)}")
    return Migrated(
        context=raw["context"],
        severity=raw["severity"],
        message=str(raw["message"]).strip(),
        unless=raw.get("unless"),
    )


def parse_rule(
    raw: Any,
    path: Path,
    known_languages: set[str],
    contexts: set[str],
    patterns: Mapping[str, str] | None = None,
) -> Rule:
    """Validate one rule mapping; any problem raises RuleError with the file and line of the rule."""
    where = _Where(path, line_of(raw, 1), patterns=patterns or {})
    if not isinstance(raw, dict):
        raise where.fail("each rule must be a mapping")
    where.rule_id = str(raw.get("id", "?"))
    unknown = set(raw) - RULE_KEYS
    if unknown:
        raise where.fail(f"unknown keys: {', '.join(sorted(unknown))}")
    for required in ("id", "message", "severity", "category", "match"):
        if required not in raw:
            raise where.fail(f"missing `{required}`")
    rule_id = str(raw["id"])
    if not ID_PATTERN.match(rule_id):
        raise where.fail("`id` must be lowercase letters, digits, dots, dashes")
    if raw["severity"] not in SEVERITIES:
        raise where.fail(f"`severity` must be one of {', '.join(SEVERITIES)}")
    if raw["category"] not in CATEGORIES:
        raise where.fail(f"`category` must be one of {', '.join(CATEGORIES)}")
    languages_raw = raw.get("languages", "any")
    languages: tuple[str, ...] | None
    if languages_raw == "any":
        languages = None
    else:
        languages = tuple(_as_list(languages_raw, where, "languages"))
        unknown_langs = [lang for lang in languages if lang not in known_languages | set(LANGUAGE_KINDS)]
        if unknown_langs:
            raise where.fail(f"unknown languages: {', '.join(unknown_langs)}")
    fix = raw.get("fix")
    if fix is not None and not isinstance(fix, dict):
        raise where.fail("`fix` must be a mapping")
    examples = raw.get("examples") or {}
    if not isinstance(examples, dict):
        raise where.fail("`examples` must be a mapping with `flag` and/or `ok`")
    return Rule(
        id=rule_id,
        message=str(raw["message"]).strip(),
        severity=raw["severity"],
        category=raw["category"],
        languages=languages,
        matcher=_matcher(raw["match"], where, contexts),
        source=str(path),
        line=where.line,
        fix=fix,
        manual=raw.get("manual"),
        help=raw.get("help"),
        flag_examples=_examples(examples.get("flag"), where, "flag"),
        ok_examples=_examples(examples.get("ok"), where, "ok"),
        migrated=_migrated(raw.get("migrated"), where, contexts),
    )


@dataclass(frozen=True)
class Language:
    """How the scanner recognises and reads one language or config format (rules/languages.yaml)."""

    name: str
    kind: str  # code | config | docs
    extensions: tuple[str, ...] = ()
    filenames: tuple[str, ...] = ()
    shebangs: tuple[str, ...] = ()
    line_comments: tuple[str, ...] = ()
    block_comments: tuple[tuple[str, str], ...] = ()
    tree_sitter: str | None = None  # "module" or "module:function"
    comment_query: str = "(comment) @c"


@dataclass(frozen=True)
class Context:
    """A file-level condition: the file mentions one of these keywords, or is in one of these languages."""

    name: str
    keywords: tuple[str, ...]
    languages: tuple[str, ...] = ()
    # `package: true`: a file is also in the context when a file of its package that is in it by keywords sits
    # next to it (same folder or the folder above) and one of the two names the other (scan/package.py)
    package: bool = False
    # a file whose path names one of these is not in the context by its path: `ZohoSDPlusAPI/core.py` names a
    # self-hosted ManageEngine product, not Zoho's cloud APIs (lowercase substrings of the last two path parts)
    path_not: tuple[str, ...] = ()


@dataclass
class ScanDefaults:
    """Walk defaults from rules/scan.yaml: folders never entered, files and folders never read, size limit."""

    skip_dirs: tuple[str, ...] = ()
    # globs (file or folder names) of generated copies nobody edits: `PKG-INFO`, `*.egg-info` repeat the README
    skip_files: tuple[str, ...] = ()
    max_file_size: int = 5 * 1024 * 1024
    template_suffixes: tuple[str, ...] = ()
    secret_patterns: tuple[re.Pattern[str], ...] = field(default_factory=tuple)
