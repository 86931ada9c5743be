"""Tree-sitter parses are bounded in time (they give up, and callers fall back) and not repeated for one text."""

from __future__ import annotations

import pytest

from migrate import parsing
from migrate.scan.comments import CommentMap

PHP = "<?php\n// a comment about authtoken\n" + "".join(f"$a{i} = strlen('x{i}'); # note {i}\n" for i in range(3000))


@pytest.fixture
def php(ruleset):
    parsing.forget()  # no test sees another's kept tree or remembered give-up
    yield ruleset.languages["php"]
    parsing.forget()


def test_a_parse_over_its_budget_gives_up(php, monkeypatch):
    monkeypatch.setattr(parsing, "PARSE_SECONDS", -60.0)  # the deadline has passed before the first progress report
    assert parsing.parse(php.tree_sitter, PHP.encode()) is None
    assert parsing.has_error(php.tree_sitter, PHP + "\n")  # unknown counts as "does not parse": nothing is claimed


def test_a_text_that_ran_over_its_budget_is_not_parsed_again(php, monkeypatch):
    """The comment map gave up on it: the `fixable` decision's parse of the same bytes gives up at once."""
    data = (PHP + "$slow = 1;\n").encode()
    with monkeypatch.context() as patch:
        patch.setattr(parsing, "PARSE_SECONDS", -60.0)
        assert parsing.parse(php.tree_sitter, data) is None

    class NoParser:
        def __init__(self, *args: object) -> None:
            raise AssertionError("spent a second budget on the same text")

    with monkeypatch.context() as patch:
        patch.setattr(parsing, "Parser", NoParser)
        assert parsing.parse(php.tree_sitter, bytes(data)) is None
        with pytest.raises(AssertionError):
            parsing.parse(php.tree_sitter, data + b" ")  # another text is parsed
    parsing.forget()
    assert parsing.parse(php.tree_sitter, data) is not None  # with its budget this time


def test_comments_fall_back_to_markers_when_the_parse_gives_up(php, monkeypatch):
    line_comment = PHP.index("// a comment")
    hash_comment = PHP.index("# note 7")
    code = PHP.index("strlen")
    parsed = CommentMap(PHP, php)
    assert parsed.contains(line_comment) and parsed.contains(hash_comment) and not parsed.contains(code)
    monkeypatch.setattr(parsing, "PARSE_SECONDS", -60.0)
    monkeypatch.setattr(parsing, "_LAST", [])  # the tree just parsed would be shared (see the next test)
    fallback = CommentMap(PHP, php)
    assert fallback.contains(line_comment) and fallback.contains(hash_comment) and not fallback.contains(code)
    assert fallback.parse_error  # the scanner knows the grammar did not vouch for this file


def test_whether_a_text_parses_is_remembered(php, monkeypatch):
    text = PHP + "$late = 1;\n"
    assert parsing.parse(php.tree_sitter, text.encode()) is not None

    class NoParser:
        def __init__(self, *args: object) -> None:
            raise AssertionError("parsed the same text twice")

    monkeypatch.setattr(parsing, "Parser", NoParser)
    assert parsing.has_error(php.tree_sitter, text) is False
    with pytest.raises(AssertionError):
        parsing.has_error(php.tree_sitter, text + " (")  # another text is parsed


def test_the_last_tree_is_shared_by_callers_asking_about_the_same_bytes(php, monkeypatch):
    """The comment map and the `fixable` decision parse the same file one after the other: one parse serves both."""
    data = (PHP + "$shared = 1;\n").encode()
    tree = parsing.parse(php.tree_sitter, data)
    assert tree is not None and parsing.parse(php.tree_sitter, bytes(data)) is tree
    other = parsing.parse(php.tree_sitter, data + b"$other = 2;\n")
    assert other is not None and other is not tree
    assert parsing.parse(php.tree_sitter, data) is not tree  # only the last one is kept
    monkeypatch.setattr(parsing, "LAST_TREE_MAX_BYTES", 10)
    monkeypatch.setattr(parsing, "_LAST", [])
    first = parsing.parse(php.tree_sitter, data)
    assert first is not None and parsing.parse(php.tree_sitter, data) is not first  # too big to keep


def test_request_structure_of_a_huge_text_uses_the_text_fallback(ruleset, monkeypatch):
    """Over STRUCTURE_MAX_CHARS no tree is built (its memory grows with the input); the fallback still finds sends."""
    from migrate.requests import structure as structure_module
    from migrate.requests.idioms import idioms

    text = "".join(f"def f{i}(t):\n    return requests.get('https://crm.zoho.com/crm/private/json/Leads/getRecords')\n" for i in range(50))
    language, fix = ruleset.languages["python"], idioms(ruleset, "python")
    assert structure_module.Structure(text, language, fix).scopes, "below the bound the grammar gives scopes"
    monkeypatch.setattr(structure_module, "STRUCTURE_MAX_CHARS", len(text) - 1)
    big = structure_module.Structure(text, language, fix)
    assert big._tree is None and big.scopes == []
    assert len(big.sends) == 50
