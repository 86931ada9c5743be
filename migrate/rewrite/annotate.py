"""`TODO(zoho-migrate): <step>` comments: where each goes, and when one would only repeat another.

Read by hand on real code (docs/VALIDATION.md, "Rewriter on the real-code corpus"), a TODO per finding line was
noisy in two ways this module avoids:

- a finding on a continuation line of a statement (an argument of a multi-line call, the second line of a list
  comprehension, `Api( \\` then the arguments) got its TODO in the middle of the expression, often right under
  the same TODO above the statement's first line. A TODO goes above the first line of the statement that holds
  its line when only still-open parentheses and square brackets lie between (within `MAX_LIFT` lines): a line
  inside a brace block or object literal of a call (`describe('x', function () {`, `callback({ code: ... })`,
  a file wrapped in `(function () { ... })()`) or an indented body (`( ->`) keeps its own TODO;
- the same step on adjacent lines (`if (!options.authtoken) {` then the error message naming `authtoken`;
  `def __init__(self, authtoken)` then `self.authtoken = authtoken`; three DOM reads in a row) repeated one
  comment per line. A rule's step already written directly above the previous line is not written again (the
  manual steps on stderr and in `--format json` still list every line). A request left as it was always gets
  its own TODO, and so does each line of the categories in `fixes.common.annotate_every_line` (every line that
  reads a legacy reply is marked, issue 11);
- steps another TODO covers or that are no migration point (`fixes.common.annotate_skip`): a legacy scope on the
  line that generates an authtoken (the generation TODO replaces the whole call), a credential name on an import
  statement (its uses are marked), the token named only inside a sentence (an error or log message).
"""

from __future__ import annotations

import re

from migrate.requests.idioms import idioms
from migrate.requests.structure import Structure
from migrate.rewrite.context import FileContext
from migrate.rewrite.model import Edit, ManualStep
from migrate.rewrite.syntax import QUOTES, skip_string
from migrate.rewrite.textedit import LineIndex, apply, resolve
from migrate.scan.comments import marker_spans
from migrate.secrets import mask_text

TODO = "TODO(zoho-migrate)"
REQUEST_NOTE = "zoho-migrate.request"  # the rule id of a "not migrated" note (one per request, never merged)
MAX_LIFT = 6  # a TODO moves up to its statement's first line only this far
REQUEST_NOTE_REACH = 6  # code lines below a request's TODO whose step it may already say
BLOCK_END = re.compile(r"(?:->|=>|\bdo(?:\s*\|[^|\n]*\|)?|\bthen)\s*$")  # a line that opens an indented body


def annotate(ctx: FileContext, text: str, manual: list[ManualStep]) -> str:
    """Leave `TODO(zoho-migrate): <step>` comments above each manual step's statement (once)."""
    markers = ctx.language.line_comments
    blocks = ctx.language.block_comments
    if not markers and not blocks:
        return text
    edits: list[Edit] = []
    index = LineIndex(text)
    original = LineIndex(ctx.history.original)
    structure = Structure(text, ctx.language, idioms(ctx.ruleset, ctx.language.name))
    placed: dict[int, set[str]] = {}  # line -> notes written above it
    every_line = set(ctx.data.common.get("annotate_every_line") or ())
    categories = {rule.id: rule.category for rule in ctx.ruleset.rules}
    code = _without_comments(text, markers, blocks)  # a `(` or `'` in a comment (a TODO's text) is not code
    skip = _Skip(ctx, manual, categories)
    code_line = _code_line_numbers(text)  # TODO lines do not count: a second run measures the same distances
    request_notes: list[tuple[str, int]] = []  # (text, code line) of the requests' own "not migrated" TODOs
    for step in manual:
        if skip.covered_on_its_line(step):
            continue
        offset = ctx.history.forward(original.offset(step.line))
        line_no = _statement_line(code, index, index.line(offset), structure)
        start = index.offset(line_no)
        line_end = text.find("\n", start)
        if skip.import_line(step, text[start : line_end if line_end >= 0 else len(text)]):
            continue
        if skip.prose_only(step, ctx.history.original, original):
            continue
        if structure.in_data(start) or structure.in_data(max(start - 1, 0)):
            continue  # inside a string literal (code kept as data): a comment there would change the string
        previous = text[index.offset(line_no - 1) : start] if line_no > 1 else ""
        note = mask_text(ctx.data.manual_text("annotate", text=step.text), ctx.ruleset.scan.secret_patterns)
        note = " ".join(note.split())
        here = code_line[line_no - 1] if line_no - 1 < len(code_line) else line_no
        if step.rule_id == REQUEST_NOTE:
            request_notes.append((step.text, here))  # placed now or by an earlier run
        elif any(step.text in why and 0 <= here - at <= REQUEST_NOTE_REACH for why, at in request_notes):
            continue  # the request's own "not migrated" TODO just above already says it (a query parameter's step)
        if TODO in previous or note in placed.get(line_no, ()):
            continue
        repeatable = step.rule_id != REQUEST_NOTE and categories.get(step.rule_id) not in every_line
        if repeatable and line_no > 1 and _covered(text, index, line_no - 1, note, placed):
            placed.setdefault(line_no, set()).add(note)  # covered: so is the line after it (a run of lines)
            continue  # the same step right above the previous line covers this one
        placed.setdefault(line_no, set()).add(note)
        indent = text[start : len(text[start:]) - len(text[start:].lstrip(" \t")) + start]
        comment = f"{markers[0]} {note}" if markers else f"{blocks[0][0]} {note} {blocks[0][1]}"
        edits.append(Edit(start, start, f"{indent}{comment}\n", step.rule_id, "annotation"))
    kept, _ = resolve(_merge_same_point(edits))
    new_text, _ = apply(text, kept)
    return new_text


class _Skip:
    """Steps not written as a TODO because another says it all (`fixes.common.annotate_skip`); each stays a
    manual step on stderr and in JSON."""

    def __init__(self, ctx: FileContext, manual: list[ManualStep], categories: dict[str, str]) -> None:
        data = ctx.data.common.get("annotate_skip") or {}
        self.categories = categories
        self.same_line = {str(k): set(v or ()) for k, v in (data.get("same_line_as") or {}).items()}
        self.import_categories = set(data.get("import_lines") or ())
        prose = data.get("prose") or {}
        self.prose = re.compile(str(prose["word"])) if prose.get("word") else None
        self.prose_categories = set(prose.get("categories") or ())
        imports = (ctx.fixes.get("import") or {}) if ctx.fixes is not None else {}
        self.import_re = re.compile(str(imports["after"])) if imports.get("after") else None
        self.by_line: dict[int, set[str]] = {}
        for step in manual:
            self.by_line.setdefault(step.line, set()).add(categories.get(step.rule_id, ""))

    def covered_on_its_line(self, step: ManualStep) -> bool:
        """A legacy scope on a line that generates an authtoken: the whole call goes, the generation TODO says so."""
        return any(step.rule_id in rules and category in self.by_line.get(step.line, ()) for category, rules in self.same_line.items())

    def prose_only(self, step: ManualStep, text: str, index: LineIndex) -> bool:
        """The credential is only named in a sentence (`fmt.Errorf("Error requesting authtoken: %s", err)`,
        `throw new Error("... needs the parameter authtoken")`): a message, not where a token is sent or kept."""
        if self.prose is None or self.categories.get(step.rule_id) not in self.prose_categories:
            return False
        start = index.offset(step.line)
        end = text.find("\n", start)
        line = text[start : end if end >= 0 else len(text)]
        mentions = [m.start() for m in self.prose.finditer(line)]
        if not mentions:
            return False
        literals = [(m.start(), m.end(), m.group(0)) for m in _LITERAL.finditer(line)]
        for at in mentions:
            inside = next((lit for lit in literals if lit[0] < at < lit[1]), None)
            if inside is None or not _sentence(inside[2]):
                return False
        return True

    def import_line(self, step: ManualStep, line: str) -> bool:
        """A credential name on an import statement (`from settings import ZOHO_AUTHTOKEN`): its uses are marked."""
        return (
            self.import_re is not None
            and self.categories.get(step.rule_id) in self.import_categories
            and self.import_re.search(line.strip()) is not None
        )


_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`[^`\n]*`')


def _sentence(literal: str) -> bool:
    """A string literal that reads as a sentence: three words or more, no `key=value`, no header prefix."""
    body = literal[1:-1]
    return len(body.split()) >= 3 and "=" not in body and "zoho-authtoken" not in body.lower()


def _covered(text: str, index: LineIndex, line_no: int, note: str, placed: dict[int, set[str]]) -> bool:
    """`note` was written above `line_no` in this run, or a TODO already stands above it (a second run: the step
    texts may differ from the first run's, which wrote one TODO for the adjacent lines)."""
    if note in placed.get(line_no, ()):
        return True
    return line_no > 1 and TODO in text[index.offset(line_no - 1) : index.offset(line_no)]


def _code_line_numbers(text: str) -> list[int]:
    """For each line, its number counting only lines that are not the rewriter's TODO comments."""
    numbers, count = [], 0
    for raw in text.split("\n"):
        if TODO not in raw:
            count += 1
        numbers.append(count)
    return numbers


def _statement_line(code: str, index: LineIndex, line_no: int, structure: Structure) -> int:
    """The first line of the statement holding `line_no`, when the lines above it only open parentheses or
    square brackets still open at `line_no` (or end with a backslash), at most `MAX_LIFT` lines up; else
    `line_no`. Found by walking up from the line, not from the file's start: a lexing slip far above (a regex
    literal holding a quote) must not move a TODO into another function."""
    best = line_no
    for first in range(line_no - 1, max(line_no - MAX_LIFT, 1) - 1, -1):
        if _continues(code[index.offset(first) : index.offset(line_no)].splitlines()):
            best = first  # the furthest line whose opened brackets hold every line break down to `line_no`
    if best != line_no and structure.in_data(index.offset(best)):
        return line_no
    return best


def _continues(lines: list[str]) -> bool:
    """Every line break in `lines` sits inside parentheses/brackets opened in them (or after a backslash), and
    no brace block nor indented function body opens there."""
    depth = 0
    for line in lines:
        if not line.strip() or BLOCK_END.search(line):
            return False
        position = 0
        while position < len(line):
            char = line[position]
            if char in QUOTES:
                position = skip_string(line, position)
                continue
            if char in "([":
                depth += 1
            elif char in ")]":
                depth -= 1
                if depth < 0:
                    return False
            elif char == "{":
                return False
            position += 1
        if depth <= 0 and not line.rstrip().endswith("\\"):
            return False
    return bool(lines)


def _without_comments(text: str, markers: tuple[str, ...], blocks: tuple[tuple[str, str], ...]) -> str:
    """`text` with every comment blanked (newlines kept): same offsets, nothing in a comment opens a bracket."""
    spans = marker_spans(text, tuple(markers), tuple(tuple(b) for b in blocks))
    if not spans:
        return text
    parts = []
    position = 0
    for start, end in spans:
        parts.append(text[position:start])
        parts.append("".join("\n" if c == "\n" else " " for c in text[start:end]))
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _merge_same_point(edits: list[Edit]) -> list[Edit]:
    merged: dict[int, Edit] = {}
    for edit in edits:
        if edit.start in merged:
            prior = merged[edit.start]
            merged[edit.start] = Edit(edit.start, edit.end, prior.replacement + edit.replacement, prior.rule_id, prior.description)
        else:
            merged[edit.start] = edit
    return list(merged.values())
