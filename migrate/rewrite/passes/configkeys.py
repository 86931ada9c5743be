"""Pass `config-key` in configuration files: legacy credential keys become their OAuth counterparts.

`ZOHO_AUTHTOKEN=...` -> `ZOHO_CLIENT_ID=`, `ZOHO_CLIENT_SECRET=`, `ZOHO_REFRESH_TOKEN=` (and
`ZOHO_ORGANIZATION_ID=` when the project talks to a product that needs one); `"authtoken": "..."` likewise in
JSON/YAML, keeping the key's prefix, case and separator. Apikey keys are removed. Values are never carried over
(a hardcoded authtoken disappears); a placeholder that names the key (`${ZOHO_AUTHTOKEN}`) is renamed with it.

A key is the input of the code that reads it: it changes only when no code left in the scanned tree reads it
(`migrate/requests/configreaders.py`: `config.authToken`, `os.environ["ZOHO_AUTHTOKEN"]`, ...). Code whose requests
stay legacy would otherwise silently lose its credential; such a key stays, with a manual step naming the reader.
The plan rewrites the file again after the others, so readers this run migrates no longer count.
"""

from __future__ import annotations

import re

from migrate.requests.configreaders import ConfigReaders, describe, key_words
from migrate.rewrite.context import FileContext
from migrate.rewrite.model import Edit

LINE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<export>export\s+)?(?P<q>[\"']?)(?P<key>[\w.-]+)(?P=q)(?P<sep>[ \t]*[:=][ \t]*)"
    r"(?P<value>[^\n]*?)(?P<comma>,?)[ \t]*$",
    re.MULTILINE,
)
ACTIONS = ("config-key", "remove-secret")


def stages(ctx: FileContext) -> list:
    """Renames first, removals second: removing a last JSON entry edits the comma of the (renamed) one before."""
    return [lambda text, ctx: run(text, ctx, "rename"), lambda text, ctx: run(text, ctx, "remove")]


def run(text: str, ctx: FileContext, mode: str = "both") -> list[Edit]:
    if ctx.language.kind != "config":
        return []
    rules = [r for action in ACTIONS for r in ctx.rules_with_action(action)]
    if not rules:
        return []
    rule_ids = {r.id for r in rules}
    mapping: dict[str, list[str]] = ctx.data.common.get("config_keys") or {}
    words = sorted(mapping, key=len, reverse=True)
    org_key = str(ctx.data.common.get("org_key", "organization_id"))
    needs_org = _needs_org(ctx) and not _has_org_key(text, ctx)
    scope_rules = {r.id for r in ctx.rules_with_action("remove-credential") if (r.fix or {}).get("param") == "scope"}
    legacy_scope = re.compile(str(ctx.data.common.get("legacy_scope_value", "^$")), re.IGNORECASE)
    edits: list[Edit] = []
    for m in LINE.finditer(text):
        if (
            mode != "rename"
            and m.group("key").lower() == "scope"
            and ctx.flagged(m.start("key"), scope_rules)
            and legacy_scope.search(m.group("value").strip().strip("\"'"))
        ):
            if _still_read(ctx, m, next(iter(scope_rules))):
                continue
            line_end = m.end() + 1 if m.end() < len(text) else m.end()
            edits.append(_remove_line(text, m, line_end, ctx.language.name, next(iter(scope_rules))))
            continue
        if not ctx.flagged(m.start("key"), rule_ids):
            continue
        key = m.group("key")
        word = next((w for w in words if w in key.lower()), None)
        if word is None:
            continue
        start_word = key.lower().index(word)
        original_word = key[start_word : start_word + len(word)]
        targets = list(mapping[word])
        if targets and needs_org:
            targets.append(org_key if "_" in word or "-" not in word else org_key.replace("_", "-"))
            needs_org = False
        line_end = m.end() + 1 if m.end() < len(text) else m.end()
        hit = next((r for r in rules if ctx.flagged(m.start("key"), r.id)), rules[0])
        if not targets:
            if mode == "rename" or _still_read(ctx, m, hit.id):
                continue
            edits.append(_remove_line(text, m, line_end, ctx.language.name, hit.id))
            continue
        if mode == "remove" or _still_read(ctx, m, hit.id):
            continue
        existing = _sibling_keys(text, m)
        new_keys = []
        for target in targets:
            cased = target.upper() if original_word.isupper() else target
            new_key = key[:start_word] + cased + key[start_word + len(word) :]
            if new_key.lower() not in existing:  # never a duplicate key: the file may be half-migrated
                new_keys.append((cased, new_key))
        if not new_keys:
            edits.append(_remove_line(text, m, line_end, ctx.language.name, hit.id))
            continue
        new_lines = []
        for index, (cased, new_key) in enumerate(new_keys):
            targets = [t for t, _ in new_keys]
            value = _value(m.group("value"), original_word, cased, ctx.language.name)
            comma = "," if index < len(targets) - 1 and ctx.language.name == "json" else ""
            last_comma = m.group("comma") if index == len(targets) - 1 else comma
            separator = m.group("sep") if value else m.group("sep").rstrip()
            new_lines.append(
                f"{m.group('indent')}{m.group('export') or ''}{m.group('q')}{new_key}{m.group('q')}"
                f"{separator}{value}{last_comma}"
            )
        edits.append(
            Edit(m.start(), m.end(), "\n".join(new_lines), hit.id, f"`{key}` -> OAuth keys ({', '.join(targets)})")
        )
    return edits


def _still_read(ctx: FileContext, m: re.Match[str], rule_id: str) -> bool:
    """Does code of the scanned tree (as this plan rewrote it so far) still read this key? Then it stays, with a
    manual step naming the readers, and the plan rewrites this file again once the other files are done."""
    if ctx.references is None:
        return False  # a single text: no tree to look at
    key = m.group("key")
    words = key_words(key)
    if not words:
        return False
    finder = ConfigReaders(ctx.ruleset)
    readers = finder.readers(key, ctx.references.texts_mentioning(words[0], ctx.path), ctx.path)
    if not readers:
        return False
    ctx.kept_for_references = True
    text = ctx.data.manual_text("config_key_read", name=key, readers=describe(readers))
    flagging = {f.rule_id for f in ctx.by_line.get(ctx.original_line(m.start("key")), ())} & _key_rules(ctx)
    for rule in sorted(flagging | {rule_id}):  # under every rule that flagged the key: one reason, one TODO
        ctx.add_manual(m.start("key"), rule, text)
    return True


def _key_rules(ctx: FileContext) -> set[str]:
    """The rules whose fix is this pass's (a key line may be flagged by two: `authtoken-key`, `credential-key`)."""
    ids = {r.id for action in ACTIONS for r in ctx.rules_with_action(action)}
    return ids | {r.id for r in ctx.rules_with_action("remove-credential") if (r.fix or {}).get("param") == "scope"}


def _sibling_keys(text: str, m: re.Match[str]) -> set[str]:
    """Keys at the same level of the same block as `m` (YAML/JSON nesting, INI `[section]`, flat env files)."""
    indent = len(m.group("indent"))
    lines = text.split("\n")
    index = text.count("\n", 0, m.start())

    def boundary(line: str) -> bool:
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";", "//")):
            return False
        return stripped.startswith("[") or len(line) - len(line.lstrip()) < indent

    start = index
    while start > 0 and not boundary(lines[start - 1]):
        start -= 1
    end = index
    while end + 1 < len(lines) and not boundary(lines[end + 1]):
        end += 1
    keys = set()
    for line in lines[start : end + 1]:
        found = LINE.match(line)
        if found and len(found.group("indent")) == indent:
            keys.add(found.group("key").lower())
    return keys


def _has_org_key(text: str, ctx: FileContext) -> bool:
    """The file has an organization id key already (`ZOHO_ORG_ID=`, `organization_id:`): one org key, never two."""
    pattern = ctx.data.common.get("org_key_present") or "organization"
    return re.search(str(pattern), text, re.IGNORECASE | re.MULTILINE) is not None


def _needs_org(ctx: FileContext) -> bool:
    """The file's own products decide; a file naming none (a `.env`) goes by the project's."""
    products = set(ctx.products(ctx.history.original)) or set(ctx.project_products)
    for name in products:
        product = ctx.ruleset.endpoints.product(name)
        if product is not None and product.org.get("param"):
            return True
    return False


def _value(value: str, old_word: str, new_word: str, language: str) -> str:
    """Rename a placeholder that mentions the key (`${ZOHO_AUTHTOKEN}`); drop anything else (it may be a secret)."""
    stripped = value.strip()
    quote = stripped[:1] if stripped[:1] in ("'", '"') else ""
    placeholder = re.search(
        r"\$\{\{[^}]*\}\}|\$\{[^}]*\}|\{\{[^}]*\}\}|%\([^)]*\)s|!env\s+\S+|@[A-Za-z_][\w.]*@|\$[A-Z_][A-Z0-9_]*", stripped
    )
    if placeholder and old_word.lower() in placeholder.group(0).lower():
        pattern = re.compile(re.escape(old_word), re.IGNORECASE)
        renamed = pattern.sub(lambda w: new_word.upper() if w.group(0).isupper() else new_word.lower(), placeholder.group(0))
        return f"{quote}{renamed}{quote}" if quote else renamed
    if language in ("json", "yaml"):
        return '""'
    return ""


def _remove_line(text: str, m: re.Match[str], line_end: int, language: str, rule_id: str) -> Edit:
    """Delete the key's line; in JSON, a last entry also takes the previous entry's comma."""
    start = m.start()
    if language == "json" and not m.group("comma"):
        previous = text.rfind(",", 0, start)
        if previous >= 0 and not text[previous + 1 : start].strip():
            return Edit(previous, m.end(), "", rule_id, f"removed `{m.group('key')}`")
    return Edit(start, line_end, "", rule_id, f"removed `{m.group('key')}`")
