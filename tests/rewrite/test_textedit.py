"""Position maps between passes: the bisect-based PassMap agrees with the plain definition on random edits."""

from __future__ import annotations

import random

from migrate.rewrite.model import Edit
from migrate.rewrite.textedit import History, PassMap, apply


def _reference_back(edits: list[tuple[int, int, int]], offset: int) -> tuple[int, int]:
    delta = 0
    for start, end, length in edits:
        new_start = start + delta
        if offset < new_start:
            break
        if offset < new_start + length or (offset == new_start and length == 0):
            return start, end
        delta += length - (end - start)
    return offset - delta, offset - delta


def _reference_forward(edits: list[tuple[int, int, int]], offset: int) -> int:
    delta = 0
    for start, end, length in edits:
        if offset < start:
            break
        if offset < end:
            return start + delta
        delta += length - (end - start)
    return offset + delta


def test_passmap_matches_the_definition_on_random_edits() -> None:
    generator = random.Random(7)
    for _ in range(2000):
        position, edits = 0, []
        for _ in range(generator.randint(0, 8)):
            position += generator.randint(0, 5)
            width = generator.randint(0, 4)
            edits.append((position, position + width, generator.randint(0, 4)))
            position += width
        mapping = PassMap(edits)
        for offset in range(position + 10):
            assert mapping.forward(offset) == _reference_forward(edits, offset)
            assert mapping.back(offset) == _reference_back(edits, offset)


def test_history_maps_lines_back_through_passes() -> None:
    original = "a\nb\nc\nd\n"
    history = History(original)
    text, first = apply(original, [Edit(2, 4, "", "r", "drop b")])  # "a\nc\nd\n"
    history.maps.append(first)
    text, second = apply(text, [Edit(0, 0, "x\ny\n", "r", "insert")])  # "x\ny\na\nc\nd\n"
    history.maps.append(second)
    assert text == "x\ny\na\nc\nd\n"
    # a position where text was deleted stands for the deleted text: a removed credential's manual step lands on
    # the credential's own line
    assert history.original_lines(text.index("c")) == (2, 2)
    assert history.original_lines(text.index("d")) == (4, 4)
    assert history.original_lines(text.index("y")) == (1, 1)  # inserted text maps to where it was inserted
    assert history.forward(original.index("d")) == text.index("d")
