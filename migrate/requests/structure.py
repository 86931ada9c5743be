"""The structure of one file that decides which request a line belongs to: function bodies and send calls.

Function bodies come from the language's tree-sitter grammar (node types from `fixes.common.requests.scopes`);
a language without a grammar is one scope (the whole file). Send calls are the language's client idioms
(`fixes.<lang>.clients`), found in code only (not in strings or comments, where the grammar tells).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from migrate import parsing
from migrate.requests.idioms import CallIdiom, Idioms
from migrate.ruleset.model import Language


@dataclass(frozen=True)
class Scope:
    """A function body (or the whole file, `name` None and `module` True), by 1-based lines."""

    start_line: int
    end_line: int
    name: str | None
    is_async: bool
    module: bool = False

    def contains(self, line: int) -> bool:
        return self.start_line <= line <= self.end_line


@dataclass(frozen=True)
class Send:
    """A recognised HTTP call (the place its headers go)."""

    line: int
    offset: int  # character offset of the call's start
    idiom: CallIdiom
    text: str  # the call's text (to its closing bracket, or its line)


# texts longer than this get the text fallback (as without a grammar): a tree costs some 40 to 60 times its source
# in memory (a 50 MB minified bundle scanned with --max-file-size raised: 3.5 GB); the scan's default size limit
STRUCTURE_MAX_CHARS = 5 * 1024 * 1024


class Structure:
    """Scopes and send calls of one text, with the lookups the request model needs."""

    def __init__(self, text: str, language: Language, idioms: Idioms) -> None:
        self.text = text
        self.language = language
        self.idioms = idioms
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.line_count = len(self._starts)
        self.module = Scope(1, self.line_count, None, False, module=True)
        self._ascii = text.isascii()
        self._tree = None
        self._bytes: bytes | None = None
        if language.tree_sitter and len(text) <= STRUCTURE_MAX_CHARS:
            try:
                self._bytes = text.encode("utf-8", errors="surrogateescape")
                self._tree = parsing.parse(language.tree_sitter, self._bytes)
            except (ImportError, AttributeError, ValueError):  # grammar missing: text fallback
                self._tree = None

    # positions -----------------------------------------------------------------------------------------------
    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)

    def line_text(self, line: int) -> str:
        start = self._starts[line - 1] if 0 < line <= self.line_count else len(self.text)
        end = self._starts[line] - 1 if line < self.line_count else len(self.text)
        return self.text[start:end]

    def lines_text(self, first: int, last: int) -> str:
        start, end = self.lines_span(first, last)
        return self.text[start:end]

    def lines_span(self, first: int, last: int) -> tuple[int, int]:
        """(start, end) offsets of lines first..last in the text (`lines_text` without the copy; empty: start == end)."""
        first = max(first, 1)
        last = min(last, self.line_count)
        if first > last:
            return (0, 0)
        start = self._starts[first - 1]
        end = self._starts[last] - 1 if last < self.line_count else len(self.text)
        return (start, end)

    def offset_of_line(self, line: int) -> int:
        return self._starts[min(max(line, 1), self.line_count) - 1]

    def _byte(self, offset: int) -> int:
        if self._ascii:
            return offset
        return len(self.text[:offset].encode("utf-8", errors="surrogateescape"))

    # scopes ------------------------------------------------------------------------------------------------------
    @cached_property
    def scopes(self) -> list[Scope]:
        """Function bodies, innermost last among those that nest (sorted by start line, then by size)."""
        if self._tree is None or not self.language.tree_sitter:
            return []
        grammar = parsing.grammar(self.language.tree_sitter)
        kinds = [k for k in self.idioms.requests.get("scopes") or () if grammar.id_for_node_kind(str(k), True)]
        if not kinds:
            return []
        query = "[" + " ".join(f"({k})" for k in kinds) + "] @scope"
        try:
            captures = parsing.capture_nodes(self.language.tree_sitter, self._tree, query)
        except Exception:  # noqa: BLE001 - a grammar that rejects the query: text fallback
            return []
        found = []
        source = self._bytes or b""

        def head(node: Any, size: int | None = None) -> str:
            # a node's text from the source bytes: `node.text` re-reads the source through the parse's read
            # callback, at a cost that grows with the file (and for the parent of a top-level function, it is the
            # whole file), once per function
            end = node.end_byte if size is None else min(node.end_byte, node.start_byte + size)
            return source[node.start_byte : end].decode("utf-8", errors="replace")

        for node in captures.get("scope", ()):
            name_node = node.child_by_field_name("name")
            name = (head(name_node) or None) if name_node is not None else None
            parent = node.parent
            is_async = head(node, 80).lstrip().startswith("async") or (
                parent is not None and head(parent, 6).startswith("async")
            )
            found.append(Scope(node.start_point[0] + 1, node.end_point[0] + 1, name, is_async))
        return sorted(found, key=lambda s: (s.start_line, -s.end_line))  # a parent before the bodies it holds

    def scope_of(self, line: int) -> Scope:
        """The innermost function body holding `line`, else the module (memoised: called per finding and send)."""
        cache = self.__dict__.setdefault("_scope_cache", {})
        if line not in cache:
            cache[line] = self._innermost(line)
        return cache[line]

    def _innermost(self, line: int) -> Scope:
        """Scopes are sorted by start: going back from the last one starting at or before `line`, the first that
        contains it is the innermost (a nested body starts after its parent)."""
        index = bisect.bisect_right(self._scope_starts, line) - 1
        while index >= 0:
            scope = self.scopes[index]
            if scope.contains(line):
                return scope
            index -= 1
        return self.module

    @cached_property
    def _scope_starts(self) -> list[int]:
        return [scope.start_line for scope in self.scopes]

    # members --------------------------------------------------------------------------------------------------
    def enclosing(self, offset: int) -> str:
        """Where the code at `offset` lives: "function" (a function body), "member" (directly in a class, interface,
        module or object body: a name a framework or other code may read, `custom_settings`, `public static final`)
        or "top" (the file's top level; also without a grammar). Node types: `fixes.common.requests`."""
        if self._tree is None:
            return "top"
        scopes = set(self.idioms.requests.get("scopes") or ())
        members = set(self.idioms.requests.get("members") or ())
        at = self._byte(offset)
        node = self._tree.root_node.descendant_for_byte_range(at, at)
        while node is not None and node.parent is not None:  # the root (Python's `module`) is the top level
            if node.type in scopes:
                return "function"
            if node.type in members and node.is_named:
                return "member"
            node = node.parent
        return "top"

    # data vs code ---------------------------------------------------------------------------------------------
    def in_data(self, offset: int) -> bool:
        """Is `offset` inside a string literal or a comment (by the grammar; False without one)?"""
        if self._tree is None:
            return False
        data = set(self.idioms.requests.get("data_nodes") or ())
        code = set(self.idioms.requests.get("code_nodes") or ())
        at = self._byte(offset)
        node = self._tree.root_node.descendant_for_byte_range(at, at)
        for _ in range(4):
            if node is None or node.type in code:
                return False
            if node.type in data:
                return True
            node = node.parent
        return False

    # send calls -------------------------------------------------------------------------------------------------
    @cached_property
    def sends(self) -> list[Send]:
        found: dict[int, Send] = {}
        for idiom in self.idioms.clients:
            for m in idiom.call.finditer(self.text):
                start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
                if start in found or self.in_data(start):
                    continue
                call_text = self._call_text(m)
                if idiom.mode == "wrap" and idiom.existing is not None and idiom.existing.search(call_text):
                    continue  # `urlopen(Request(...))`: the inner call is the one that takes the headers
                found[start] = Send(self.line_of(start), start, idiom, call_text)
        return sorted(found.values(), key=lambda s: s.offset)

    def _call_text(self, m: re.Match[str]) -> str:
        """From the call to its closing bracket (strings skipped roughly), else to the end of its line."""
        open_at = m.end() - 1
        if self.text[open_at : open_at + 1] not in "([":
            end = self.text.find("\n", m.start())
            return self.text[m.start() : end if end >= 0 else len(self.text)]
        depth = 0
        quote = ""
        i = open_at
        limit = min(len(self.text), open_at + 20000)
        while i < limit:
            char = self.text[i]
            if quote:
                if char == "\\":
                    i += 2
                    continue
                if char == quote:
                    quote = ""
            elif char in "\"'`":
                quote = char
            elif char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
                if depth == 0:
                    return self.text[m.start() : i + 1]
            i += 1
        end = self.text.find("\n", m.start())
        return self.text[m.start() : end if end >= 0 else len(self.text)]

    @cached_property
    def _sends_by_scope(self) -> dict[Scope, list[Send]]:
        grouped: dict[Scope, list[Send]] = {}
        for send in self.sends:
            grouped.setdefault(self.scope_of(send.line), []).append(send)
        return grouped

    def sends_in(self, scope: Scope) -> list[Send]:
        """Send calls whose innermost scope is `scope`."""
        return self._sends_by_scope.get(scope, [])

    def send_for(self, line: int, scope: Scope) -> Send | None:
        """The call that sends what `line` builds: the next send call in its scope, else the one before it."""
        sends = self.sends_in(scope)
        following = [s for s in sends if s.line >= line]
        if following:
            return following[0]
        return sends[-1] if sends else None

    def region(self, send: Send | None, scope: Scope, lines: list[int]) -> tuple[int, int]:
        """Lines of one request: from the end of the previous send (or the scope start) to the statements
        after its send that come before the next one (`curl_setopt($ch, ...)`)."""
        if send is None:
            return (min(lines), max(lines))
        sends = self.sends_in(scope)
        if send not in sends:  # sent by a wrapper function elsewhere: the lines that build it here
            return (min(lines), max(lines))
        index = sends.index(send)
        first = sends[index - 1].line + 1 if index > 0 else scope.start_line
        last = sends[index + 1].line - 1 if index + 1 < len(sends) else scope.end_line
        last = self._tail_end(send, last)
        first = min([first] + lines)
        return (first, max(last, send.line))

    def _tail_end(self, send: Send, last: int) -> int:
        """The statements after a send belong to its request while they work on it (`curl_setopt($ch, ...)`,
        `rid = r1.json()`); an assignment whose right side shares no name with the send call starts the next
        request (`second = {"authtoken": ...}` before the next `requests.post`, `base = "..."` reassigned)."""
        pattern = self.idioms.assignment
        if pattern is None:
            return last
        end = self.line_of(send.offset + len(send.text))
        names = _code_words(self.lines_text(send.line, end))
        for line in range(end + 1, last + 1):
            text = self.line_text(line)
            m = pattern.match(text)
            if m is not None and not (_code_words(text[m.end() :]) & names):
                return line - 1  # its right side uses nothing of the send (`base = "..."` reassigned too)
        return last

    # functions of the file ---------------------------------------------------------------------------------------
    def function_named(self, name: str) -> Scope | None:
        return self._scopes_by_name.get(name)

    @cached_property
    def _scopes_by_name(self) -> dict[str, Scope]:
        """The first scope of each name (a scan of every scope per lookup made n lookups n^2)."""
        named: dict[str, Scope] = {}
        for scope in self.scopes:
            if scope.name is not None:
                named.setdefault(scope.name, scope)
        return named

    @cached_property
    def words(self) -> dict[str, list[int]]:
        """Where each `\\w+` word of the text starts, ascending (built once; name lookups bisect in it)."""
        return word_offsets(self.text)

    def calls_to(self, name: str, scope: Scope) -> list[int]:
        """Lines outside `scope` that call `name(` (a shared request function's callers in this file)."""
        return [line for line, offset in self._call_sites.get(name, ()) if not scope.contains(line) and not self.in_data(offset)]

    @cached_property
    def _call_sites(self) -> dict[str, list[tuple[int, int]]]:
        """name -> (line, offset) of every `name(` in the text, found in one pass."""
        sites: dict[str, list[tuple[int, int]]] = {}
        for m in re.finditer(r"(?<![\w$])([A-Za-z_]\w*)\s*\(", self.text):
            sites.setdefault(m.group(1), []).append((self.line_of(m.start()), m.start()))
        return sites

    def called_bodies(self, first: int, last: int) -> str:
        """The bodies of this file's functions called on lines first..last (`headers = format_header(t)`)."""
        parts = []
        seen: set[str] = set()
        for name in re.findall(r"([A-Za-z_]\w*)\s*\(", self.lines_text(first, last)):
            if name in seen:
                continue
            seen.add(name)
            scope = self.function_named(name)
            if scope is not None and not (scope.start_line <= first and last <= scope.end_line):
                parts.append(self.lines_text(scope.start_line, scope.end_line))
        return "\n".join(parts)


STRING = re.compile(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`""")
WORD = re.compile(r"\w+")


def word_offsets(text: str) -> dict[str, list[int]]:
    """Where each `\\w+` word of `text` starts, ascending: one pass answers every "where is NAME used" question that
    a regex per name would answer with a pass per name (n names: n^2)."""
    offsets: dict[str, list[int]] = {}
    for m in WORD.finditer(text):
        offsets.setdefault(m.group(0), []).append(m.start())
    return offsets


def _code_words(text: str) -> set[str]:
    """The names a piece of code uses (string literals left out: a URL's `https` is no shared name)."""
    return set(re.findall(r"[A-Za-z_]\w*", STRING.sub(" ", text)))
