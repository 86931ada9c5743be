"""Project configuration: `[tool.zoho-migrate]` in pyproject.toml or a `.zoho-migrate.yaml`, for the options a
team wants fixed in the repository (rules folders, excludes, fail-on level, baseline). The command line wins.

Discovery starts at the first scanned PATH (or the current folder) and goes up to the repository root (a folder
holding `.git`) or the filesystem root; the nearest folder with a configuration decides. Paths in the file are
relative to the file. Both files configuring zoho-migrate in one folder is an error, not a silent choice.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migrate.errors import ConfigError, RuleError
from migrate.ruleset.model import SEVERITIES
from migrate.ruleset.yamlload import line_of, load_yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

YAML_NAMES = (".zoho-migrate.yaml", ".zoho-migrate.yml")
PYPROJECT = "pyproject.toml"
TOML_HEADER = re.compile(r"""^\s*\[\s*tool\s*\.\s*["']?zoho-migrate["']?\s*\]""")
# key in the file -> (attribute, kind); `-` and `_` are interchangeable in keys
KEYS: dict[str, tuple[str, str]] = {
    "rules": ("rules", "paths"),
    "exclude": ("exclude", "strings"),
    "fail-on": ("fail_on", "severity"),
    "baseline": ("baseline", "path"),
    "jobs": ("jobs", "int"),
    "max-file-size": ("max_file_size", "int"),
    "format": ("format", "string"),
    "file-timeout": ("file_timeout", "seconds"),
}


@dataclass
class Config:
    """Settings from a configuration file; None/empty means "not set" so the built-in default applies."""

    source: Path | None = None
    rules: tuple[Path, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: str | None = None
    baseline: Path | None = None
    jobs: int | None = None
    max_file_size: int | None = None
    format: str | None = None
    file_timeout: float | None = None  # seconds per file; 0 turns the budget off


def _pyproject_section(path: Path) -> dict[str, Any] | None:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"cannot read: {error.strerror or error}", path=str(path)) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"invalid TOML: {error}", path=str(path)) from None
    section = data.get("tool", {}).get("zoho-migrate")
    if section is None:
        return None
    if not isinstance(section, dict):
        raise ConfigError("[tool.zoho-migrate] must be a table", path=str(path))
    return section


def find_config(start: Path) -> Path | None:
    """The nearest configuration file at or above `start`, stopping at the repository root."""
    directory = start.resolve()
    if not directory.is_dir():
        directory = directory.parent
    for folder in (directory, *directory.parents):
        candidates = [folder / name for name in YAML_NAMES if (folder / name).is_file()]
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _pyproject_section(pyproject) is not None:
            candidates.append(pyproject)
        if len(candidates) > 1:
            names = " and ".join(c.name for c in candidates)
            raise ConfigError(f"{names} both configure zoho-migrate; keep one", path=str(folder))
        if candidates:
            return candidates[0]
        if (folder / ".git").exists():
            return None
    return None


def load_config(path: Path) -> Config:
    """Read and validate one configuration file (YAML or pyproject.toml)."""
    if path.name == PYPROJECT or path.suffix == ".toml":
        raw = _pyproject_section(path) or {}
    else:
        try:
            raw = load_yaml(path)
        except RuleError as error:
            raise ConfigError(str(error).replace("rule file", "configuration file")) from None
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise ConfigError("the configuration must be a mapping of option: value", path=str(path), line=1)
    config = Config(source=path)
    base = path.parent
    text = path.read_text(encoding="utf-8", errors="replace")
    for key, value in raw.items():
        name = str(key).replace("_", "-")
        where = {"path": str(path), "line": _line_of_key(text, str(key)) or line_of(raw) or None}
        if name not in KEYS:
            raise ConfigError(f"unknown option {key!r}; known: {', '.join(sorted(KEYS))}", **where)  # type: ignore[arg-type]
        attribute, kind = KEYS[name]
        setattr(config, attribute, _convert(name, kind, value, base, where))
    return config


def _line_of_key(text: str, key: str) -> int | None:
    """The line where `key` is set (`key:` in YAML, `key =` in TOML), for error messages."""
    pattern = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*[:=]""")
    lines = text.splitlines()
    # in pyproject.toml, look only after the [tool.zoho-migrate] header (other tools have `exclude =` too)
    start = next((i for i, line in enumerate(lines) if TOML_HEADER.match(line)), 0)
    for number, line in enumerate(lines[start:], start=start + 1):
        if pattern.match(line):
            return number
    return None


def _convert(name: str, kind: str, value: Any, base: Path, where: dict[str, Any]) -> Any:
    def fail(expected: str) -> ConfigError:
        return ConfigError(f"option {name!r} must be {expected}, not {value!r}", **where)

    if kind in ("paths", "strings"):
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise fail("a string or a list of strings")
        return tuple(base / i for i in items) if kind == "paths" else tuple(items)
    if kind == "path":
        if not isinstance(value, str):
            raise fail("a path string")
        return base / value
    if kind == "severity":
        if value not in SEVERITIES:
            raise fail(f"one of {', '.join(SEVERITIES)}")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise fail("a non-negative integer")
        return value
    if kind == "seconds":
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise fail("a non-negative number of seconds")
        return float(value)
    if not isinstance(value, str):
        raise fail("a string")
    return value


def discover(paths: list[Path] | tuple[Path, ...], explicit: Path | None = None, enabled: bool = True) -> Config:
    """The configuration that applies to a command run on `paths` (`--config FILE` / `--no-config` honoured)."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError("configuration file not found", path=str(explicit))
        return load_config(explicit)
    if not enabled:
        return Config()
    start = Path(paths[0]) if paths else Path(".")
    if not start.exists():
        return Config()  # the command reports the missing path itself
    found = find_config(start)
    return load_config(found) if found is not None else Config()
