"""The verifier's defaults as data (rules/verify.yaml, key `verify:`), read once into a typed object.

Why a typed object: the replay loop reads these values thousands of times, and a wrong type in a user's rules
folder should fail at start-up with the file named, not halfway through a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from migrate.errors import ConfigError
from migrate.ruleset import RuleSet


@dataclass(frozen=True)
class HttpSettings:
    """Replay behaviour: timeouts, retries, backoff, limits."""

    concurrency: int = 8
    rate_limit_per_minute: int = 100
    rate_limit_window_seconds: float = 60.0
    timeout_seconds: float = 30.0
    connect_timeout_seconds: float = 10.0
    retries: int = 4
    retry_statuses: tuple[int, ...] = (429, 500, 502, 503, 504)
    backoff_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    retry_after_max_seconds: float = 120.0
    max_pages: int = 50
    max_response_bytes: int = 20_000_000
    max_call_bytes: int = 100_000_000  # all replies of one call together (every page, both sides)


@dataclass(frozen=True)
class VerifyConfig:
    """Everything in `verify:` (see docs/VERIFY.md for each key)."""

    http: HttpSettings
    xml: dict[str, Any]
    json: dict[str, Any]
    paging: dict[str, dict[str, Any]]
    legacy_auth: dict[str, dict[str, Any]]
    secret_params: frozenset[str]
    secret_headers: frozenset[str]
    secret_json_keys: frozenset[str]
    scrubbed: str
    ignore_fields: tuple[str, ...]
    zero_values: dict[str, Any]
    true_words: frozenset[str]
    false_words: frozenset[str]
    date_formats: tuple[str, ...]
    cassette_ignore_params: frozenset[str] = frozenset()
    raw: dict[str, Any] = field(default_factory=dict)

    def is_secret_param(self, name: str) -> bool:
        return name in self.secret_params or name.lower() in {p.lower() for p in self.secret_params}

    def is_secret_header(self, name: str) -> bool:
        return name.lower() in self.secret_headers


def _int(raw: dict[str, Any], key: str, default: int) -> int:
    try:
        return int(raw.get(key, default))
    except (TypeError, ValueError):
        raise ConfigError(f"rules: verify.{key} must be a whole number, not {raw.get(key)!r}") from None


def _float(raw: dict[str, Any], key: str, default: float) -> float:
    try:
        return float(raw.get(key, default))
    except (TypeError, ValueError):
        raise ConfigError(f"rules: verify.{key} must be a number, not {raw.get(key)!r}") from None


def load_verify_config(ruleset: RuleSet) -> VerifyConfig:
    """Read `ruleset.data["verify"]` (built-in rules/verify.yaml merged with the user's rules folders)."""
    raw = dict(ruleset.data.get("verify") or {})
    defaults = HttpSettings()
    http = HttpSettings(
        concurrency=_int(raw, "concurrency", defaults.concurrency),
        rate_limit_per_minute=_int(raw, "rate_limit_per_minute", defaults.rate_limit_per_minute),
        rate_limit_window_seconds=_float(raw, "rate_limit_window_seconds", defaults.rate_limit_window_seconds),
        timeout_seconds=_float(raw, "timeout_seconds", defaults.timeout_seconds),
        connect_timeout_seconds=_float(raw, "connect_timeout_seconds", defaults.connect_timeout_seconds),
        retries=_int(raw, "retries", defaults.retries),
        retry_statuses=tuple(int(s) for s in raw.get("retry_statuses", defaults.retry_statuses)),
        backoff_seconds=_float(raw, "backoff_seconds", defaults.backoff_seconds),
        backoff_max_seconds=_float(raw, "backoff_max_seconds", defaults.backoff_max_seconds),
        retry_after_max_seconds=_float(raw, "retry_after_max_seconds", defaults.retry_after_max_seconds),
        max_pages=_int(raw, "max_pages", defaults.max_pages),
        max_response_bytes=_int(raw, "max_response_bytes", defaults.max_response_bytes),
        max_call_bytes=_int(raw, "max_call_bytes", defaults.max_call_bytes),
    )
    for key in ("paging", "legacy_auth", "xml", "json", "zero_values"):
        if not isinstance(raw.get(key) or {}, dict):
            raise ConfigError(f"rules: verify.{key} must be a mapping")
    return VerifyConfig(
        http=http,
        xml=dict(raw.get("xml") or {}),
        json=dict(raw.get("json") or {}),
        paging={str(k): dict(v or {}) for k, v in (raw.get("paging") or {}).items()},
        legacy_auth={str(k): dict(v or {}) for k, v in (raw.get("legacy_auth") or {}).items()},
        secret_params=frozenset(str(p) for p in raw.get("secret_params") or ()),
        secret_headers=frozenset(str(h).lower() for h in raw.get("secret_headers") or ()),
        secret_json_keys=frozenset(str(k).lower() for k in raw.get("secret_json_keys") or ()),
        scrubbed=str(raw.get("scrubbed") or "[scrubbed]"),
        ignore_fields=tuple(str(f) for f in raw.get("ignore_fields") or ()),
        zero_values=dict(raw.get("zero_values") or {"string": "", "number": 0, "integer": 0, "boolean": False}),
        true_words=frozenset(str(w).lower() for w in raw.get("true_words") or ("true", "1", "yes")),
        false_words=frozenset(str(w).lower() for w in raw.get("false_words") or ("false", "0", "no")),
        date_formats=tuple(str(f) for f in raw.get("date_formats") or ("%Y-%m-%d",)),
        cassette_ignore_params=frozenset(str(p) for p in raw.get("cassette_ignore_params") or ()),
        raw=raw,
    )
