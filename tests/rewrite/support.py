"""One text through scan and rewrite in memory, as the corpus-class tests need it (shared so they build the
reference index and the fix data the same way)."""

from __future__ import annotations

from migrate.rewrite.engine import FileResult, rewrite_text, scan_text
from migrate.rewrite.fixdata import FixData
from migrate.rewrite.references import ReferenceIndex


def rewrite_one(
    ruleset, language: str, text: str, path: str, others: dict[str, str] | None = None, *, annotate: bool = False
) -> FileResult:
    """Rewrite `text` (at `path`) with the tree made of it and `others` (path -> text) as the reference index."""
    lang = ruleset.languages[language]
    index = ReferenceIndex.from_texts({path: text, **(others or {})})
    findings = scan_text(ruleset, text, lang, path)
    return rewrite_text(path, text, lang, findings, ruleset, FixData(ruleset), set(), annotate=annotate, references=index)
