"""Masking of secret values: every output path (text, JSON, diff on screen, report, logs) goes through here."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Used when no ruleset is at hand (e.g. masking an exception message); the rules' `scan.secret_patterns` extend it.
DEFAULT_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?i)(?P<secret>\b[0-9a-f]{32}\b)"),
    re.compile(r"(?P<secret>\b1000\.[0-9a-f]{32}\.[0-9a-f]{32}\b)"),
)


def mask_value(value: str) -> str:
    """`a8b6de25b5bf481824c9c4173c56231a` -> `a8b6…231a`; short values are hidden entirely."""
    if len(value) <= 8:
        return "****"
    return f"{value[:4]}…{value[-4:]}"


def mask_text(text: str, patterns: Iterable[re.Pattern[str]] = DEFAULT_PATTERNS) -> str:
    """Replace the `secret` group of every pattern match in `text` by its masked form."""
    for pattern in patterns:
        text = pattern.sub(lambda m: _mask_group(m), text)
    return text


def mask_known(text: str, secrets: Iterable[str]) -> str:
    """Mask exact known secret values (e.g. the tokens a command was given) wherever they appear."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        if len(secret) >= 4:
            text = text.replace(secret, mask_value(secret))
    return text


def _mask_group(match: re.Match[str]) -> str:
    start, end = match.span("secret")
    whole_start = match.start()
    value = match.group("secret")
    if "…" in value or value == "****":
        return match.group(0)
    prefix = match.group(0)[: start - whole_start]
    suffix = match.group(0)[end - whole_start :]
    return prefix + mask_value(value) + suffix
