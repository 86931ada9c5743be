"""Pass `remove-secret` / `config-key` in code: the variables that held legacy credentials.

Runs after the credentials were removed from the requests, so it can tell whether a variable is still used.
An unused definition is deleted (a hardcoded authtoken never survives into the new code or the diff's `+`
lines); one still used by code the rewriter did not migrate reads the environment instead and becomes a manual
step. "Unused" means in the whole scanned tree: a constant, `define()`, `static final` or module variable that
another file mentions stays (`references.ReferenceIndex`). A class member (class attribute, field, class
constant: `custom_settings` that scrapy reads, a Java interface's `public static final`) is never deleted nor edited,
however unused it looks: a framework or code beyond the tree reads it by name, so it stays with a manual step; only
an unused `private` one without annotations (nothing outside its class can name it) is deleted. A top-level
definition other files could read is deleted only when the rewrite made it unused: one nothing in the tree read
even before (a config file's `define()`, read by the library beyond the scanned folder) stays every byte, with a
manual step (`migrate/requests/definitions.py`, shared with scan's `fixable`). The "code outside the scanned
folders" note only goes where such code could exist (not on a function's local, a Deluge script's variable or a
`private` field). A 32-hex value is only a Zoho token when its
definition says so (its name, or its statement and comment: `fixes.common.secret_context`) or the file sends it as
one (`{"authtoken": TOKEN}`); another vendor's secret in the same constants file is left exactly as it is.
"""

from __future__ import annotations

import re

from migrate.requests.definitions import PRIVATE, private_plain, read_in, without_notes
from migrate.requests.idioms import idioms
from migrate.requests.structure import Structure
from migrate.rewrite.context import FileContext
from migrate.rewrite.model import Edit
from migrate.rewrite.syntax import Span, at_statement_start, statement_extent
from migrate.ruleset.model import Rule

SECRET = re.compile(r"(?P<q>[\"'`])(?P<secret>[0-9a-fA-F]{32})(?P=q)")
# a definition other files can read: declared at the top level, or exported by a keyword, or named like a constant
_EXPORTED = re.compile(r"\b(?:define|static|final|const|public|export|module\.exports|global)\b")
_MAX_FILES_NAMED = 3
_CREDENTIAL_USE = re.compile(r"auth_?token|Zoho-authtoken|\bticket\b", re.IGNORECASE)


def _secret_kind(name: str) -> str:
    """What a hardcoded 32-hex value held, by the name it was kept under: `apikey = "49a1..."` of a ticket-era
    client is no authtoken, so its environment variable and its manual step say which it is."""
    lowered = name.lower()
    if "token" in lowered:
        return "authtoken"
    if "apikey" in lowered.replace("_", "").replace("-", ""):
        return "apikey"
    if "ticket" in lowered:
        return "ticket"
    return "authtoken"


def run(text: str, ctx: FileContext) -> list[Edit]:
    if ctx.fixes is None or ctx.language.kind != "code" or ctx.fixes.assignment is None:
        return []
    edits: list[Edit] = []
    rules = ctx.rules_with_action("remove-secret") + ctx.rules_with_action("config-key")
    # a constant holding an apikey/ticket/authtoken that nothing uses any more goes too (used ones stay, manual)
    unused_only = {r.id for r in ctx.rules_with_action("remove-credential")}
    rules += [r for r in ctx.rules_with_action("remove-credential")]
    if not rules:
        return edits
    oauth_env = ctx.data.oauth.get("env") or {}
    done: set[int] = set()
    structures: list[Structure] = []

    def place(offset: int) -> str:
        """function / member / top for the definition at `offset` (one parse per run, only when needed)."""
        if not structures:
            structures.append(Structure(text, ctx.language, idioms(ctx.ruleset, ctx.language.name)))
        return structures[0].enclosing(offset)

    for m in ctx.fixes.assignment.finditer(text):
        if not at_statement_start(text, m.start()):
            continue  # `params={...}` inside a call's arguments is not a variable
        statement = statement_extent(text, m.start())
        if statement.start in done:
            continue
        hit = next((r for r in rules if ctx.flagged(m.start(), r.id, statement.end - 1)), None)
        if hit is None:
            continue
        done.add(statement.start)
        name = m.group("name")
        if hit.id in unused_only and not any(r.search(name) for r in hit.matcher.regexes):
            continue  # `url = "...?apikey=" + k` holds a URL, not the credential: only the name tells
        if _is_secret_rule(hit) and not _zoho_context(ctx, text, statement, name):
            ctx.add_manual(m.start(), hit.id, ctx.data.manual_text("not_zoho_secret", name=name))
            continue  # 32 hex characters alone do not make a Zoho token (a Shopify secret is 32 hex too)
        rest = without_notes(text[: statement.start] + text[statement.end :])  # our own notes name it too
        used_here = re.search(rf"(?<![\w]){re.escape(name)}(?!\w)", rest) is not None
        elsewhere = [] if used_here else _used_elsewhere(ctx, text, statement, name)
        where = place(statement.start)
        if where == "member" and (used_here or elsewhere or not private_plain(text, statement.start, statement.end)):
            # a framework may read it by name (scrapy's `custom_settings`, an injected field): never deleted nor edited
            ctx.add_manual(m.start(), hit.id, ctx.data.manual_text("member_kept", name=name))
            continue
        importable = ctx.references is not None and where == "top" and _importable(ctx, text, statement, name)
        file_scope = bool(ctx.fixes is not None and ctx.fixes.get("file_scope"))
        if not used_here and not elsewhere and where == "top" and not file_scope and not read_in(ctx.history.original, name):
            # nothing in the tree ever read it (a config file's `define()` that the library beyond the scanned
            # folder reads): the rewrite did not make it unused, so it is not the rewrite's to delete
            ctx.add_manual(m.start(), hit.id, ctx.data.manual_text("unread_kept", name=name))
            continue
        if not used_here and not elsewhere:
            end = statement.end
            blank_before = statement.start == 0 or text[max(0, statement.start - 2) : statement.start] == "\n\n"
            if blank_before and text[end : end + 1] == "\n":
                end += 1  # do not leave two blank lines where one statement was
            edits.append(Edit(statement.start, end, "", hit.id, f"removed `{name}` (legacy credential)"))
            if hit.fix and hit.fix.get("action") == "remove-secret" and hit.manual:
                ctx.add_manual(m.start(), hit.id, hit.manual)
            if importable:
                # the tree was searched, not the code beyond it: say so where the definition was
                for rule in rules:  # under every rule that flagged it (the scanner's `fixable` could not see the tree)
                    if ctx.flagged(m.start(), rule.id, statement.end - 1):
                        ctx.add_manual(m.start(), rule.id, ctx.data.manual_text("removed_exported", name=name))
            continue
        files = _files_text(elsewhere)
        if hit.id in unused_only:
            if elsewhere:  # still used: the finding stays a manual step, naming where
                ctx.add_manual(m.start(), hit.id, ctx.data.manual_text("used_elsewhere", name=name, files=files))
            continue
        secret = SECRET.search(text, statement.start, statement.end)
        if secret is not None:
            # the token leaves the code; the requests left as they were (here or in the files that read it) get it
            # from the environment, so they keep working while the user migrates them (an empty string would send
            # them without one)
            kind = _secret_kind(name)
            env_name = str(oauth_env.get(kind, oauth_env.get("authtoken", "ZOHO_AUTHTOKEN")))
            said = str((ctx.data.common.get("secret_kinds") or {}).get(kind, kind))
            edits.append(Edit(secret.start(), secret.end(), ctx.render("env", env_name), hit.id, f"hardcoded {said} removed"))
            if elsewhere:
                step = ctx.data.manual_text("secret_used_elsewhere", env=env_name, name=name, files=files, kind=said)
                ctx.add_manual(m.start(), hit.id, step)
            else:
                ctx.add_manual(m.start(), hit.id, ctx.data.manual_text("secret_used", env=env_name, name=name, kind=said))
        elif elsewhere:
            ctx.add_manual(m.start(), hit.id, ctx.data.manual_text("used_elsewhere", name=name, files=files))
        else:
            ctx.add_manual(m.start(), hit.id, ctx.data.manual_text("env_used", name=name))
    return edits


def _is_secret_rule(rule: Rule) -> bool:
    return bool(rule.fix and rule.fix.get("action") == "remove-secret")


def _zoho_context(ctx: FileContext, text: str, statement: Span, name: str) -> bool:
    """Does the definition itself say Zoho (name, statement or its line's comment), or is the language Zoho's own?"""
    if ctx.fixes is not None and ctx.fixes.get("auth") == "connection":
        return True  # Deluge runs inside Zoho: every token there is a Zoho one
    pattern = ctx.data.common.get("secret_context")
    if not pattern:
        return True
    line_end = text.find("\n", statement.end)
    around = SECRET.sub("", text[statement.start : len(text) if line_end < 0 else line_end])
    if re.search(str(pattern), name + " " + around, re.IGNORECASE) is not None:
        return True
    # or the file sends it as a Zoho credential: `{"authtoken": TOKEN}`, `"?authtoken=" + TOKEN` (our own notes name
    # it too, "if it is a Zoho authtoken ...": a second run must not read them as a use)
    original = without_notes(ctx.history.original)
    for use in re.finditer(rf"(?<!\w){re.escape(name)}(?![\w$])", original):  # `$auth` in PHP
        start = original.rfind("\n", 0, use.start()) + 1
        end = original.find("\n", use.end())
        if _CREDENTIAL_USE.search(original[start : len(original) if end < 0 else end]):
            return True
    return False


def _used_elsewhere(ctx: FileContext, text: str, statement: Span, name: str) -> list[str]:
    """Other files of the scanned tree that mention `name`, when the definition is one they could read."""
    if ctx.references is None:
        return []
    if not _exported(text, statement, name) or (ctx.fixes is not None and ctx.fixes.get("file_scope")):
        return []  # a local variable inside a function (or a Deluge script): no other file can read it
    suffixes = tuple(ctx.language.extensions)
    for other in (ctx.fixes.get("references_from") if ctx.fixes is not None else None) or ():
        language = ctx.ruleset.languages.get(other)
        suffixes += tuple(language.extensions) if language is not None else ()
    found = ctx.references.files_using(name, ctx.path, suffixes)
    if found:
        ctx.kept_for_references = True
    return found


def _exported(text: str, statement: Span, name: str) -> bool:
    """Could another file read this definition (top level, an exporting keyword, or named like a constant)?"""
    line_start = text.rfind("\n", 0, statement.start) + 1
    top_level = not text[line_start : statement.start].strip(" \t") and text[line_start : line_start + 1] not in (" ", "\t")
    return top_level or name.isupper() or _EXPORTED.search(text[line_start : statement.end]) is not None


def _importable(ctx: FileContext, text: str, statement: Span, name: str) -> bool:
    """Could code beyond the scanned tree name this top-level definition (not a Deluge script's, not `private`)?"""
    if ctx.fixes is not None and ctx.fixes.get("file_scope"):
        return False
    line_start = text.rfind("\n", 0, statement.start) + 1
    return _exported(text, statement, name) and PRIVATE.search(text[line_start : statement.end]) is None


def _files_text(files: list[str]) -> str:
    shown = ", ".join(files[:_MAX_FILES_NAMED])
    return shown + (f" and {len(files) - _MAX_FILES_NAMED} more" if len(files) > _MAX_FILES_NAMED else "")
