"""Rendering the report model through jinja2 templates: one self-contained HTML file, or Markdown.

Self-contained means: the stylesheet (with Pygments' highlighting rules) is inlined, no fonts, scripts or images
are fetched, and the page reads fully without JavaScript and prints cleanly. Masking happens twice on the way
out: every value a template prints passes the rules' secret patterns (jinja2 `finalize`), and the finished
document is scrubbed of every raw secret value seen while reading the sources.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import DiffLexer, TextLexer, get_lexer_by_name, get_lexer_for_filename
from pygments.util import ClassNotFound

from migrate.formats.markdown import cell
from migrate.report.model import Report, anchor
from migrate.report.sources import Context
from migrate.ruleset import RuleSet
from migrate.secrets import mask_known, mask_text

TEMPLATES = Path(__file__).parent / "templates"
PYGMENTS_STYLE = "friendly"


class Renderer:
    """Holds the jinja2 environment and highlighting setup for one ruleset (its masking patterns, lexer map)."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.lexers: dict[str, str] = dict(ruleset.data.get("report", {}).get("highlight", {}) or {})
        self.formatter = HtmlFormatter(style=PYGMENTS_STYLE, cssclass="hl", nowrap=False)

    def _mask(self, value: Any) -> Any:
        if isinstance(value, Markup):
            return Markup(mask_text(str(value), self.ruleset.scan.secret_patterns))
        if isinstance(value, str):
            return mask_text(value, self.ruleset.scan.secret_patterns)
        return value

    def environment(self, autoescape: bool) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=autoescape,
            finalize=self._mask,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        env.filters["code"] = self.code_html
        env.filters["diff"] = self.diff_html
        env.filters["mdcell"] = md_cell
        env.filters["mdtext"] = md_text
        env.filters["mdcode"] = md_code
        env.filters["mdcodecell"] = md_code_cell
        env.filters["fence"] = fence
        env.filters["anchor"] = lambda path: anchor("file", str(path))
        env.filters["inline"] = inline_html
        return env

    # highlighting -----------------------------------------------------------------------------------------------
    def _lexer(self, path: str, language: str) -> Any:
        alias = self.lexers.get(language)
        try:
            if alias:
                return get_lexer_by_name(alias, startinline=True, stripnl=False)
            return get_lexer_for_filename(path, stripnl=False)
        except ClassNotFound:
            return TextLexer(stripnl=False)

    def code_html(self, context: Context | None, path: str, language: str) -> Markup:
        """Masked context lines, highlighted, numbered from the file's line numbers, finding lines marked."""
        if context is None:
            return Markup('<p class="muted">(source no longer readable)</p>')
        formatter = HtmlFormatter(
            style=PYGMENTS_STYLE,
            cssclass="hl",
            linenos="inline",
            linenostart=context.start,
            hl_lines=[n - context.start + 1 for n in context.marked],
        )
        return Markup(highlight(context.text + "\n", self._lexer(path, language), formatter))

    def diff_html(self, diff: str) -> Markup:
        return Markup(highlight(diff, DiffLexer(stripnl=False), self.formatter))

    def stylesheet(self) -> str:
        return (TEMPLATES / "report.css").read_text(encoding="utf-8") + "\n" + self.formatter.get_style_defs(".hl")

    # documents --------------------------------------------------------------------------------------------------
    def html(self, report: Report) -> str:
        text = self.environment(autoescape=True).get_template("report.html.j2").render(
            r=report, css=Markup(self.stylesheet())
        )
        return scrub(text, report.secrets)

    def markdown(self, report: Report) -> str:
        text = self.environment(autoescape=False).get_template("report.md.j2").render(r=report)
        return scrub(text, report.secrets)


def inline_html(text: Any) -> Markup:
    """Prose from rules data with `code` spans shown as <code>; everything else HTML-escaped."""
    parts = " ".join(str(text).split()).split("`")
    if len(parts) % 2 == 0:
        parts = [" ".join(str(text).split())]
    return Markup("").join(
        Markup("<code>{}</code>").format(part) if i % 2 else Markup.escape(part) for i, part in enumerate(parts)
    )


def scrub(text: str, secrets: set[str]) -> str:
    """Last line of defence: no raw secret value (nor its HTML-escaped form) survives in the document."""
    values = set(secrets) | {html.escape(s) for s in secrets}
    return mask_known(text, values)


def md_cell(text: Any) -> str:
    """A value safe inside a Markdown table cell (`code` spans kept as <code>, pipes and HTML escaped)."""
    return cell(str(text))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#!|~>])")  # inline specials; never at a line start


def md_text(text: Any) -> str:
    """Plain text from the scanned tree or the command line (a title, a rule id) as inert Markdown on one line:
    HTML escaped, every Markdown punctuation character backslash-escaped, line breaks folded."""
    flat = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def md_code(text: Any) -> str:
    """A path or name as an inline code span on one line: the backtick run is longer than any inside the value
    (which therefore cannot close it), and nothing inside a code span is Markdown or HTML."""
    flat = " ".join(str(text).split())
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat else ""
    return f"{ticks}{pad}{flat}{pad}{ticks}"


def md_code_cell(text: Any) -> str:
    """`md_code` inside a table cell: GFM splits cells at `|` even in code spans unless it is escaped."""
    return md_code(text).replace("|", "\\|")


def fence(text: str) -> str:
    """A fence longer than any backtick run in `text`, so code can never close its block early."""
    longest, run = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)
