"""Errors that end a command with the documented exit code and one clear line on stderr.

Exit codes (DESIGN.md): 0 clean/success, 1 findings or mismatches at or above the failing level,
2 usage, configuration or input error, and internal errors: a run where a file failed inside the tool exits 2
after writing every other file's result (never 1, which CI reads as "findings found"; see migrate/faults.py).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 2


class MigrateError(Exception):
    """A user-facing failure: the message is printed as one line, the process exits with `exit_code`."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        location = ""
        if path:
            location = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(f"{location}{message}")


class RuleError(MigrateError):
    """A rule file is malformed: names the file, the line and the reason."""


class ConfigError(MigrateError):
    """An option, configuration file or input file cannot be used."""
