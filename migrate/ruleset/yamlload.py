"""YAML loading that remembers where each mapping came from, so a malformed rule names its file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from migrate.errors import RuleError


class LineDict(dict):
    """A dict built from a YAML mapping; `line` is the 1-based line the mapping starts on."""

    line: int = 0


# libyaml's parser when PyYAML was built with it (the wheels are): same nodes and marks, ~8x faster rule loading
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):  # type: ignore[misc,valid-type]
    """SafeLoader (no arbitrary objects) whose mappings carry their source line."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:  # type: ignore[override]
        mapping = LineDict(super().construct_mapping(node, deep=deep))
        mapping.line = node.start_mark.line + 1
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file; syntax errors become a RuleError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RuleError(f"cannot read rule file: {error}", path=str(path)) from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark else None
        raise RuleError(f"invalid YAML: {error.problem}", path=str(path), line=line) from None
    except yaml.YAMLError as error:
        raise RuleError(f"invalid YAML: {error}", path=str(path)) from None


def line_of(value: Any, default: int = 0) -> int:
    """The source line of a mapping loaded by `load_yaml` (0 when unknown)."""
    return getattr(value, "line", default) or default
