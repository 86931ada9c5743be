"""Find and load rule folders into one RuleSet: built-in rules first, then each `--rules DIR` in order.

Every `*.yaml`/`*.yml` file in a folder (recursively) contributes by its top-level keys:
`rules` (detection rules), `endpoints` (an endpoint family file), `languages`, `contexts`, `scan`,
`datacenters`, `patterns` (named regex fragments rules splice in as `{{name}}`). Anything else is an error, so a typo never silently disables a rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrate.errors import RuleError
from migrate.ruleset.endpoints import DataCenter, DataCenters, EndpointMap, Product, parse_product
from migrate.ruleset.model import (
    PATTERN_NAME,
    Context,
    Language,
    Rule,
    ScanDefaults,
    expand_patterns,
    parse_rule,
)
from migrate.ruleset.yamlload import line_of, load_yaml

# free-form data sections other stages read through `RuleSet.data[key]` (merged across folders, later wins per key)
DATA_KEYS = {"oauth", "fixes", "rewrite", "verify", "report", "sdks"}
TOP_LEVEL_KEYS = {"rules", "endpoints", "languages", "contexts", "scan", "datacenters", "default", "patterns"} | DATA_KEYS


def builtin_rules_dir() -> Path:
    """The rules shipped with the package (wheel: migrate/rules; source checkout: ../rules)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / "datacenters.yaml").is_file():
            return candidate
    raise RuleError("built-in rules not found; the installation is incomplete", path=str(here / "rules"))


@dataclass
class RuleSet:
    """Everything the stages know about Zoho, loaded from YAML and validated."""

    rules: list[Rule]
    languages: dict[str, Language]
    contexts: dict[str, Context]
    endpoints: EndpointMap
    scan: ScanDefaults
    sources: list[Path] = field(default_factory=list)
    data: dict[str, dict[str, Any]] = field(default_factory=dict)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise RuleError(f"no rule with id {rule_id!r}")


def _rule_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise RuleError("rules folder does not exist or is not a folder", path=str(directory))
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def _language(name: str, raw: Any, path: Path) -> Language:
    if not isinstance(raw, dict):
        raise RuleError(f"language {name}: must be a mapping", path=str(path), line=line_of(raw))
    kind = raw.get("kind", "code")
    if kind not in ("code", "config", "docs"):
        raise RuleError(
            f"language {name}: kind must be code, config or docs", path=str(path), line=line_of(raw)
        )
    return Language(
        name=name,
        kind=kind,
        extensions=tuple(e.lower() for e in raw.get("extensions") or ()),
        filenames=tuple(raw.get("filenames") or ()),
        shebangs=tuple(raw.get("shebangs") or ()),
        line_comments=tuple(raw.get("line_comments") or ()),
        block_comments=tuple(tuple(pair) for pair in raw.get("block_comments") or ()),
        tree_sitter=raw.get("tree_sitter"),
        comment_query=str(raw.get("comment_query") or "(comment) @c"),
    )


def _patterns(documents: list[tuple[Path, dict[str, Any]]]) -> dict[str, str]:
    """Every folder's `patterns:` (later wins per name), with the fragments they use spliced in; each must then
    compile on its own, so an error points at the fragment's file, not at every rule using it."""
    patterns: dict[str, str] = {}
    where: dict[str, tuple[Path, int]] = {}
    for path, doc in documents:
        raw = doc.get("patterns")
        if raw is None:
            continue
        if not isinstance(raw, dict):
            raise RuleError("`patterns` must be a mapping of name: regex", path=str(path), line=1)
        for name, pattern in raw.items():
            if not isinstance(pattern, str) or not re.fullmatch(PATTERN_NAME, str(name)):
                raise RuleError(f"pattern {name!r}: must be `name: regex string`", path=str(path), line=line_of(raw))
            patterns[str(name)] = pattern
            where[str(name)] = (path, line_of(raw))
    # a fragment may use others (`{{own_member}}` inside `sent_name`): spliced until none is left, a cycle an error
    for name in patterns:
        path, line = where[name]
        for _ in range(len(patterns) + 1):
            try:
                expanded = expand_patterns(patterns[name], patterns)
            except KeyError as error:
                raise RuleError(f"pattern {name!r}: {error.args[0]}", path=str(path), line=line) from None
            if expanded == patterns[name]:
                break
            patterns[name] = expanded
        else:
            raise RuleError(f"pattern {name!r} refers to itself through {{{{...}}}}", path=str(path), line=line)
        try:
            re.compile(patterns[name])
        except re.error as error:
            raise RuleError(f"pattern {name!r} does not compile: {error}", path=str(path), line=line) from None
    return patterns


def load_ruleset(extra_dirs: list[Path] | tuple[Path, ...] = (), include_builtin: bool = True) -> RuleSet:
    """Load built-in rules plus user folders; a later rule with the same id replaces an earlier one."""
    dirs = ([builtin_rules_dir()] if include_builtin else []) + [Path(d) for d in extra_dirs]
    documents: list[tuple[Path, dict[str, Any]]] = []
    for directory in dirs:
        for path in _rule_files(directory):
            doc = load_yaml(path)
            if doc is None:
                continue
            if not isinstance(doc, dict):
                raise RuleError("a rule file must be a mapping at the top level", path=str(path), line=1)
            unknown = set(doc) - TOP_LEVEL_KEYS
            if unknown:
                raise RuleError(
                    f"unknown top-level keys: {', '.join(sorted(unknown))} (expected one of "
                    f"{', '.join(sorted(TOP_LEVEL_KEYS))})",
                    path=str(path),
                    line=1,
                )
            documents.append((path, doc))

    languages: dict[str, Language] = {}
    contexts: dict[str, Context] = {}
    centers: list[DataCenter] = []
    default_dc = "us"
    scan = ScanDefaults()
    for path, doc in documents:
        for name, raw in (doc.get("languages") or {}).items():
            languages[name] = _language(name, raw, path)
        for name, raw in (doc.get("contexts") or {}).items():
            contexts[name] = Context(
                name=name,
                keywords=tuple(str(k).lower() for k in raw.get("keywords") or ()),
                languages=tuple(raw.get("languages") or ()),
                package=bool(raw.get("package", False)),
                path_not=tuple(str(k).lower() for k in raw.get("path_not") or ()),
            )
        if "datacenters" in doc:
            centers = [DataCenter(**dc) for dc in doc["datacenters"]]
            default_dc = doc.get("default", default_dc)
        if "scan" in doc:
            raw = doc["scan"]
            try:
                scan = ScanDefaults(
                    skip_dirs=tuple(raw.get("skip_dirs") or ()),
                    skip_files=tuple(str(g) for g in raw.get("skip_files") or ()),
                    max_file_size=int(raw.get("max_file_size", scan.max_file_size)),
                    template_suffixes=tuple(raw.get("template_suffixes") or ()),
                    secret_patterns=tuple(re.compile(p) for p in raw.get("secret_patterns") or ()),
                )
            except (re.error, TypeError, ValueError) as error:
                raise RuleError(f"scan: {error}", path=str(path), line=line_of(raw)) from None

    data: dict[str, dict[str, Any]] = {}
    for path, doc in documents:
        for key in DATA_KEYS & set(doc):
            if not isinstance(doc[key], dict):
                raise RuleError(f"`{key}` must be a mapping", path=str(path), line=1)
            data.setdefault(key, {}).update(doc[key])

    patterns = _patterns(documents)
    rules_by_id: dict[str, Rule] = {}
    products: list[Product] = []
    for path, doc in documents:
        raw_rules = doc.get("rules")
        if raw_rules is not None:
            if not isinstance(raw_rules, list):
                raise RuleError("`rules` must be a list", path=str(path), line=1)
            for raw in raw_rules:
                rule = parse_rule(raw, path, set(languages), set(contexts), patterns)
                rules_by_id[rule.id] = rule
        if "endpoints" in doc:
            product = parse_product(doc["endpoints"], path)
            products = [p for p in products if p.name != product.name] + [product]
    if not centers:
        raise RuleError("no `datacenters` defined in any rules folder")
    return RuleSet(
        rules=list(rules_by_id.values()),
        languages=languages,
        contexts=contexts,
        endpoints=EndpointMap(products, DataCenters(centers, default_dc)),
        scan=scan,
        sources=[p for p, _ in documents],
        data=data,
    )
