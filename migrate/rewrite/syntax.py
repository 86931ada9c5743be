"""Just enough lexing to edit code safely without a per-language AST: strings, brackets, arguments, operands.

The rewriter edits text, then proves the result still parses (tree-sitter, `ast`, JSON, YAML). These helpers
find the extents of what an edit touches (a call's arguments, one map entry, the expression after a `+`) while
skipping string literals, so a `)` or `,` inside a string never ends an argument.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

OPENERS = {"(": ")", "[": "]", "{": "}"}
CLOSERS = {v: k for k, v in OPENERS.items()}
QUOTES = ("'", '"', "`")
# an identifier: letters (any script), digits after the first, `_`/`$`, and the combining marks and joiners that
# identifiers may contain (`authToke\u0301n` once left a stray accent behind a rewritten operand: issue 12 fuzzing)
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u200c\u200d"
IDENT = re.compile(rf"[$@]?[^\W\d][\w${_MARKS}]*")
_SPACE = re.compile(r"[ \t]*")


def skip_string(text: str, index: int) -> int:
    """Index just after the string literal that starts at `index` (a quote character); escapes honoured."""
    quote = text[index]
    if text.startswith(quote * 3, index) and quote != "`":
        end = text.find(quote * 3, index + 3)
        return len(text) if end < 0 else end + 3
    size = len(text)
    position = index + 1
    while position < size:
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if char == quote:
            return position + 1
        if char == "\n" and quote != "`":
            return position  # unterminated on this line: stop, do not swallow the file
        position += 1
    return size


def _line_comment_at(text: str, index: int, line_comments: tuple[str, ...]) -> bool:
    return any(text.startswith(marker, index) for marker in line_comments if marker)


def match_close(text: str, open_index: int, line_comments: tuple[str, ...] = ()) -> int:
    """Index of the bracket closing the one at `open_index`, or -1 when unbalanced.

    Also -1 when `open_index` is not an opening bracket of the text: callers compute the index from patterns
    and language data (`{$` opens PHP interpolation with its brace first), and a wrong guess must cost one
    missed edit, never the run (issue 12: `{$t}` crashed every scan of a PHP file).
    """
    opener = text[open_index : open_index + 1] if open_index >= 0 else ""
    if opener not in OPENERS:
        return -1
    stack = [OPENERS[opener]]
    position = open_index + 1
    while position < len(text):
        char = text[position]
        if char in QUOTES:
            position = skip_string(text, position)
            continue
        if _line_comment_at(text, position, line_comments) and not _in_url(text, position):
            newline = text.find("\n", position)
            position = len(text) if newline < 0 else newline
            continue
        if char in OPENERS:
            stack.append(OPENERS[char])
        elif char in CLOSERS:
            if char != stack[-1]:
                return -1
            stack.pop()
            if not stack:
                return position
        position += 1
    return -1


def interpolation_close(text: str, index: int, opener: str) -> int:
    """Index of the bracket closing the interpolation `opener` (`${`, `#{`, `{$`, `$(`) that starts at `index`.

    The opener's bracket may come first (PHP `{$`) or last (`${`): the bracket is found in the opener, not
    assumed at its end. -1 when the opener has no bracket or the interpolation is not closed.
    """
    bracket = next((offset for offset, char in enumerate(opener) if char in OPENERS), -1)
    if bracket < 0:
        return -1
    return match_close(text, index + bracket)


def _in_url(text: str, index: int) -> bool:
    """`//` right after `http:` is not a comment."""
    return text[max(0, index - 1) : index] == ":"


@dataclass(frozen=True)
class Span:
    """A half-open character range [start, end) of the text."""

    start: int
    end: int

    def of(self, text: str) -> str:
        return text[self.start : self.end]


def split_args(text: str, open_index: int, close_index: int) -> list[Span]:
    """Top-level comma-separated items between two brackets, whitespace trimmed; empty list for `()`."""
    items: list[Span] = []
    start = open_index + 1
    position = start
    depth = 0
    while position < close_index:
        char = text[position]
        if char in QUOTES:
            position = skip_string(text, position)
            continue
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS:
            depth -= 1
        elif char == "," and depth == 0:
            items.append(_trim(text, start, position))
            start = position + 1
        position += 1
    last = _trim(text, start, close_index)
    if last.end > last.start:
        items.append(last)
    return items


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def expression_end(text: str, index: int, stops: str = ",;)]}\n") -> int:
    """End of the expression starting at `index`: the first top-level stop character (brackets balanced)."""
    position = index
    while position < len(text):
        char = text[position]
        if char in QUOTES:
            position = skip_string(text, position)
            continue
        if char in OPENERS:
            close = match_close(text, position)
            if close < 0:
                return position
            position = close + 1
            continue
        if char in stops:
            break
        position += 1
    end = position
    while end > index and text[end - 1] in " \t\r":
        end -= 1
    return end


def operand_end(text: str, index: int) -> int:
    """End of one operand of a concatenation: `name`, `$name`, `obj.attr`, `call(...)`, `a[b]`, `"str"`."""
    position = index
    if position < len(text) and text[position] in QUOTES:
        return skip_string(text, position)
    m = IDENT.match(text, position)
    if not m:
        return index
    position = m.end()
    while position < len(text):
        char = text[position]
        if char in "([":
            close = match_close(text, position)
            if close < 0:
                return position
            position = close + 1
        elif text.startswith(("->", "::"), position) or char == ".":
            step = 2 if text.startswith(("->", "::"), position) else 1
            nxt = IDENT.match(text, position + step)
            if not nxt:
                return position
            position = nxt.end()
        else:
            return position
    return position


def line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def line_end(text: str, index: int) -> int:
    """Index of the newline ending the line of `index` (or len(text))."""
    end = text.find("\n", index)
    return len(text) if end < 0 else end


def indent_of(text: str, index: int) -> str:
    start = line_start(text, index)
    return _SPACE.match(text, start).group(0)  # type: ignore[union-attr]


def alone_on_lines(text: str, start: int, end: int) -> bool:
    """True when only whitespace shares the lines of [start, end) with it."""
    before = text[line_start(text, start) : start]
    after = text[end : line_end(text, end)]
    return not before.strip() and not after.strip()


def statement_extent(text: str, index: int) -> Span:
    """The whole lines of the statement containing `index`, brackets balanced across lines, newline included."""
    return _statement_from(text, line_start(text, index))


@lru_cache(maxsize=4096)
def _statement_from(text: str, start: int) -> Span:
    """statement_extent for a line start (cached: a minified file asks about its one huge line many times)."""
    position = start
    while True:
        end = line_end(text, position)
        segment_open = 0
        cursor = start
        while cursor < end:
            char = text[cursor]
            if char in QUOTES:
                cursor = skip_string(text, cursor)
                continue
            if char in OPENERS:
                segment_open += 1
            elif char in CLOSERS:
                segment_open -= 1
            cursor += 1
        continued = text[start:end].rstrip().endswith("\\")
        if (segment_open <= 0 and not continued) or end >= len(text):
            return Span(start, min(end + 1, len(text)))
        position = end + 1


@lru_cache(maxsize=4096)
def _line_strings(text: str, start: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(starts, ends) of the string literals lexed from a line start to the end of that line (cached)."""
    starts, ends = [], []
    position = start
    stop = line_end(text, start)
    while position < stop:
        if text[position] in QUOTES:
            end = skip_string(text, position)
            starts.append(position)
            ends.append(end)
            position = max(end, position + 1)
            continue
        position += 1
    return tuple(starts), tuple(ends)


def in_string(text: str, index: int) -> bool:
    """Is `index` inside a string literal? (lexed from the start of its line: enough for one-line literals)."""
    starts, ends = _line_strings(text, line_start(text, index))
    found = bisect.bisect_left(starts, index) - 1
    return found >= 0 and ends[found] > index


def string_bounds(text: str, index: int) -> tuple[int, int] | None:
    """[start, end) of the string literal (quotes included) containing `index`, lexed from its line's start."""
    position = line_start(text, index)
    while position <= index:
        if text[position] in QUOTES:
            end = skip_string(text, position)
            if position < index < end:
                return position, end
            position = end
            continue
        position += 1
    return None


def statement_containing(text: str, index: int) -> Span:
    """The whole statement around `index`, even when `index` sits on a later line inside its parentheses or
    square brackets (braces are blocks: a statement inside a function body is not the whole function)."""
    starts = _sorted_statement_starts(text)
    start = starts[bisect.bisect_right(starts, index) - 1]
    return statement_extent(text, start)


@lru_cache(maxsize=16)
def _sorted_statement_starts(text: str) -> tuple[int, ...]:
    return tuple(sorted(statement_starts(text)))


@lru_cache(maxsize=16)
def statement_starts(text: str) -> frozenset[int]:
    """Offsets of line starts outside every parenthesis and square bracket: where a statement can begin.

    `params={...}` on its own line inside a call's arguments is a keyword argument, not an assignment.
    """
    starts = {0}
    depth = 0
    position = 0
    while position < len(text):
        char = text[position]
        if char in QUOTES:
            position = skip_string(text, position)
            continue
        if char in "([":  # braces are blocks in most languages: a statement can start inside them
            depth += 1
        elif char in ")]":
            depth = max(depth - 1, 0)
        elif char == "\n" and depth == 0:
            starts.add(position + 1)
        position += 1
    return frozenset(starts)


def at_statement_start(text: str, index: int) -> bool:
    return line_start(text, index) in statement_starts(text)


def enclosing_opener(text: str, index: int) -> str | None:
    """The innermost bracket still open at `index` (`{`, `(` or `[`), or None at statement level.

    Walks backwards from `index` (usually a short way), stepping over string literals, so a long minified line
    costs only the distance to the enclosing bracket.
    """
    depth = 0
    position = index - 1
    line_begin = line_start(text, max(index - 1, 0))
    starts, ends = _line_strings(text, line_begin)
    limit = max(0, index - 20000)  # an object literal's brace is near; do not walk a whole file back
    while position >= limit:
        if position < line_begin:
            line_begin = line_start(text, position)
            starts, ends = _line_strings(text, line_begin)
        inside = bisect.bisect_right(starts, position) - 1
        if inside >= 0 and ends[inside] > position:
            position = starts[inside] - 1  # skip the whole literal
            continue
        char = text[position]
        if char in CLOSERS:
            depth += 1
        elif char in OPENERS:
            if depth == 0:
                return char
            depth -= 1
        position -= 1
    return None
