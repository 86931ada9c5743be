"""Keeping secrets out of everything the verifier writes: messages, output, and cassettes.

`SecretBag` collects every secret value of a run (the credentials given, and each access token a refresh
returns); `mask` is for what a person reads (migrate.secrets' masked form), `scrub` for what is stored
(the value replaced entirely, including JSON keys such as `access_token` in token-endpoint replies).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from migrate import logmask
from migrate.secrets import DEFAULT_PATTERNS, mask_known, mask_text
from migrate.verify.config import VerifyConfig


class SecretBag:
    """The secret values known to this run; grows when a refresh brings a new access token."""

    def __init__(self, values: Iterable[str | None] = (), patterns: Iterable[re.Pattern[str]] = ()) -> None:
        self.values: set[str] = set()
        self.patterns = tuple(patterns) or DEFAULT_PATTERNS
        self.add(*values)

    def add(self, *values: str | None) -> None:
        for value in values:
            if value and len(value) >= 4:
                self.values.add(value)
        logmask.register(*values)  # masked in every log record too, whichever library logs it

    def mask(self, text: str) -> str:
        """For people: known secrets and secret-shaped text masked (`a8b6…231a`)."""
        return mask_text(mask_known(text, self.values), self.patterns)

    def mask_data(self, value: Any) -> Any:
        """`mask` applied to every string inside JSON-like data."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, dict):
            return {k: self.mask_data(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.mask_data(v) for v in value]
        return value

    def scrub(self, text: str, marker: str) -> str:
        """For files: every known secret, and anything secret-shaped (the masking patterns: a token this run
        never saw, e.g. one a reply echoes), replaced whole by `marker`. Both sides of a recording go through
        the same scrub, so a replay compares them exactly as the live run did."""
        for secret in sorted(self.values, key=len, reverse=True):
            text = text.replace(secret, marker)
        for pattern in self.patterns:
            text = pattern.sub(lambda m: _replace_group(m, marker), text)
        return text


def _replace_group(match: re.Match[str], marker: str) -> str:
    start, end = match.span("secret")
    whole = match.group(0)
    return whole[: start - match.start()] + marker + whole[end - match.start():]


def scrub_url(url: str, config: VerifyConfig, bag: SecretBag) -> str:
    parts = urlsplit(url)
    pairs = [(k, config.scrubbed if config.is_secret_param(k) else v)
             for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return bag.scrub(urlunsplit(parts._replace(query=urlencode(pairs, safe="[]"))), config.scrubbed)


def scrub_pairs(pairs: dict[str, str], config: VerifyConfig, bag: SecretBag, *, headers: bool) -> dict[str, str]:
    out = {}
    for key, value in pairs.items():
        secret = config.is_secret_header(key) if headers else config.is_secret_param(key)
        if secret and headers and " " in value:  # keep the scheme: "Zoho-oauthtoken [scrubbed]"
            out[key] = value.split(" ", 1)[0] + " " + config.scrubbed
        elif secret:
            out[key] = config.scrubbed
        else:
            out[key] = bag.scrub(value, config.scrubbed)
    return out


def _scrub_json(value: Any, config: VerifyConfig, bag: SecretBag) -> Any:
    if isinstance(value, dict):
        return {k: (config.scrubbed if str(k).lower() in config.secret_json_keys and v
                    else _scrub_json(v, config, bag)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_json(v, config, bag) for v in value]
    if isinstance(value, str):
        return bag.scrub(value, config.scrubbed)
    return value


def scrub_body(body: bytes, config: VerifyConfig, bag: SecretBag) -> str:
    """A reply body as text for a cassette: JSON secret keys and every known secret value scrubbed."""
    text = body.decode("utf-8", errors="replace")
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.dumps(_scrub_json(json.loads(text), config, bag), ensure_ascii=False)
        except json.JSONDecodeError:
            pass
    return bag.scrub(text, config.scrubbed)
