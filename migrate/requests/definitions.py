"""Which definitions holding a legacy credential the rewrite may delete: one decision for scan's `fixable` and the
rewriter's definitions pass, so the two agree.

Read on real code (issue 11, class 4): a scrapy spider's `custom_settings` and a Java interface's
`public static final` were deleted as "unused" although the framework, or code beyond the scanned folder, reads
them by name; a config file's `define()` that only the library outside the scanned folder reads was deleted too.
So a top-level definition other files could read is the rewrite's to delete only when the rewrite made it unused
(it was read in its file, by the requests the rewrite then migrates), and a class member never, except a `private`
one without annotations (nothing outside its class can name it). A function's local or a Deluge script's variable
that nothing reads is provably unreferenced.
"""

from __future__ import annotations

import re

from migrate.requests.structure import Structure

NOTE = "TODO(zoho-migrate)"
PRIVATE = re.compile(r"\bprivate\b")
_ANNOTATION = re.compile(r"(?<![\w\"'])@\w|^\s*\[")


def kept_reason(
    structure: Structure, original: str, statement_start: int, statement_end: int, name: str, file_scope: bool
) -> str | None:
    """"member" (a class member others may read), "unread" (nothing in the file read it, yet code beyond the file
    could: a top-level definition of a language whose files share names) or None (deletable once its readers are
    migrated). `structure` is of the text holding the statement at those offsets; `original` the file as it was
    before any rewrite (what "read" means); `file_scope`: the language's variables are the file's own (Deluge)."""
    text = structure.text
    where = structure.enclosing(statement_start)
    if where == "member" and not private_plain(text, statement_start, statement_end):
        return "member"
    if where == "top" and not file_scope and not read_in(original, name):
        return "unread"
    return None


def read_in(original: str, name: str) -> bool:
    """Does `name` occur in `original` besides its definition (two word-bounded occurrences at least)? The
    rewriter's own `TODO(zoho-migrate)` notes name it too and do not count (idempotence)."""
    uses = re.finditer(rf"(?<![\w]){re.escape(name)}(?!\w)", without_notes(original))
    return next(uses, None) is not None and next(uses, None) is not None


def without_notes(text: str) -> str:
    """`text` with every line holding a `TODO(zoho-migrate)` note blanked (same length: offsets stay valid)."""
    if NOTE not in text:
        return text
    return re.sub(rf"^.*{re.escape(NOTE)}.*$", lambda m: " " * len(m.group(0)), text, flags=re.M)


def private_plain(text: str, start: int, end: int) -> bool:
    """A `private` declaration without an annotation (`@Value`, `[JsonProperty]`) on it or on the line above."""
    line_start = text.rfind("\n", 0, start) + 1
    previous = text[text.rfind("\n", 0, max(line_start - 1, 0)) + 1 : line_start].strip()
    declaration = text[line_start:end]
    annotated = previous.startswith(("@", "[")) or _ANNOTATION.search(declaration) is not None
    return PRIVATE.search(declaration) is not None and not annotated
