"""URL handling shared by call sources, replay and cassettes: credential stripping, base-URL rebasing, keys.

Why strip at the source: HAR files and scanned code carry live authtokens in their URLs. Removing them the moment
a call is read means no later stage (message, cassette, report) can leak them, and the verifier always sends the
credentials it was given, never stale ones from a recording.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from migrate.errors import ConfigError
from migrate.verify.config import VerifyConfig


def strip_credentials(url: str, config: VerifyConfig) -> str:
    """`url` without credential query parameters (authtoken, apikey, ticket, ...); order of the rest kept."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not config.is_secret_param(k)]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def strip_pairs(pairs: list[tuple[str, str]] | tuple[tuple[str, str], ...], config: VerifyConfig,
                *, headers: bool = False) -> tuple[tuple[str, str], ...]:
    """Form fields or headers without the credential ones."""
    if headers:
        return tuple((k, v) for k, v in pairs if not config.is_secret_header(k) and k.lower() != "host")
    return tuple((k, v) for k, v in pairs if not config.is_secret_param(k))


def check_base(value: str | None, option: str) -> str | None:
    """Validate a --*-base / --accounts-url option: an http(s) URL with a host."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{option} {value!r}: expected an http:// or https:// URL with a host")
    return value.rstrip("/")


def rebase(url: str, base: str | None) -> tuple[str, str | None]:
    """Replace scheme and host of `url` by `base` (a base path is kept as a prefix).

    Returns the new URL and the host the call was meant for (None when not rebased), which the caller sends as
    `X-Zoho-Host` so an emulator or proxy knows which Zoho host and data center the call addressed.
    """
    if not base:
        return url, None
    parts = urlsplit(url)
    target = urlsplit(base)
    path = target.path.rstrip("/") + (parts.path or "/")
    return urlunsplit((target.scheme, target.netloc, path, parts.query, "")), parts.hostname


def with_params(url: str, params: dict[str, str], *, replace: bool = True) -> str:
    """`url` with query parameters set (replace=False keeps values already present)."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _ in pairs}
    if replace:
        pairs = [(k, v) for k, v in pairs if k not in params]
        pairs += list(params.items())
    else:
        pairs += [(k, v) for k, v in params.items() if k not in present]
    return urlunsplit(parts._replace(query=urlencode(pairs)))


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def key_url(url: str, config: VerifyConfig) -> str:
    """A URL as a cassette key: credentials removed, query sorted, scheme and host lower-case."""
    parts = urlsplit(strip_credentials(url, config))
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in config.cassette_ignore_params]
    query = urlencode(sorted(pairs))
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, ""))
