"""HTTP with the accounts-server policy: timeouts, retries with exponential backoff on 429/5xx and on
connection failures, and Retry-After honoured (a wait longer than the policy allows is reported, not slept)."""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable

import httpx

from migrate.auth.config import HttpPolicy
from migrate.auth.errors import OAuthError
from migrate.secrets import mask_text

Sleep = Callable[[float], None]


class MaskSecretsFilter(logging.Filter):
    """httpx logs each request's URL at INFO, and revoke carries the refresh token in its query
    (`?token=1000.…`): whoever turns logging on must not find tokens in the log. Token-shaped values are masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def _install_log_filter() -> None:
    # logger filters do not apply to records from child loggers: name each one that logs
    for name in ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskSecretsFilter) for f in logger.filters):
            logger.addFilter(MaskSecretsFilter())


_install_log_filter()


def timeout(policy: HttpPolicy) -> httpx.Timeout:
    return httpx.Timeout(policy.timeout_seconds, connect=policy.connect_timeout_seconds)


def retry_after_seconds(response: httpx.Response, now: float | None = None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date; None when absent or unreadable."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff(policy: HttpPolicy, attempt: int) -> float:
    """Exponential backoff with jitter: base * 2^attempt, capped, plus up to one base of jitter."""
    base = min(policy.backoff_max_seconds, policy.backoff_seconds * (2**attempt))
    return base + random.uniform(0, policy.backoff_seconds)  # noqa: S311 - jitter, not security


def send(
    client: httpx.Client,
    request: httpx.Request,
    policy: HttpPolicy,
    *,
    what: str,
    sleep: Sleep = time.sleep,
    note: Callable[[str], None] | None = None,
) -> httpx.Response:
    """Send `request`, retrying per `policy`; the last response is returned whatever its status.

    `what` names the operation in errors ("refresh at http://..."); it must not contain secrets.
    """
    attempts = policy.retries + 1
    for attempt in range(attempts):
        last = attempt == attempts - 1
        try:
            response = client.send(request)
        except httpx.TransportError as error:
            if last:
                # query values may be secrets (revoke sends ?token=): mask them should the error quote the URL
                hidden = [value for _, value in request.url.params.multi_items()]
                raise OAuthError(f"{what}: {type(error).__name__}: {error or 'connection failed'} "
                                 f"(after {attempts} attempts)", secrets=hidden) from None
            wait = backoff(policy, attempt)
            if note:
                note(f"{what}: {type(error).__name__}; retrying in {wait:.1f}s")
            sleep(wait)
            continue
        if response.status_code not in policy.retry_statuses or last:
            return response
        response.read()
        wait = retry_after_seconds(response)
        if wait is None:
            wait = backoff(policy, attempt)
        elif wait > policy.backoff_max_seconds:
            raise OAuthError(f"{what}: HTTP {response.status_code}; the server asks to retry after "
                             f"{wait:.0f}s (more than {policy.backoff_max_seconds:.0f}s): try again later",
                             status=response.status_code)
        if note:
            note(f"{what}: HTTP {response.status_code}; retrying in {wait:.1f}s")
        sleep(wait)
    raise AssertionError("unreachable")
