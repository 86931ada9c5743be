"""Secrets masked in every log record, from every library, once logging is turned on.

Why values, not shapes: httpx logs each request URL at INFO and httpcore its headers at DEBUG; an apikey or a
client secret has no recognisable shape, so a filter that only knows token patterns prints them in full. Every
secret value the run knows (options, environment, token store, token replies) is registered here, and two hooks
mask them:

- a log record factory: every record created anywhere has its message (and exception text) masked at birth, so
  no handler, including ones added later (pytest's, a user's basicConfig), ever sees the raw value;
- `MaskFilter` on the root logger and on each of its handlers, as a second line for records made elsewhere.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from migrate.secrets import DEFAULT_PATTERNS, mask_known, mask_text

_LOCK = threading.Lock()
_VALUES: set[str] = set()
_INSTALLED = False
_ORIGINAL_FACTORY = logging.getLogRecordFactory()


def register(*values: str | None) -> None:
    """Add secret values of this run (values shorter than 4 characters cannot be masked usefully)."""
    with _LOCK:
        _VALUES.update(v for v in values if v and len(v) >= 4)
    install()


def known() -> set[str]:
    with _LOCK:
        return set(_VALUES)


def mask(text: str) -> str:
    """`text` with every registered value and every secret-shaped token masked."""
    return mask_text(mask_known(text, known()), DEFAULT_PATTERNS)


def _mask_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: leave it to logging's own error handling  # noqa: BLE001
        return
    masked = mask(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = mask(record.exc_text)
    if record.stack_info:
        record.stack_info = mask(record.stack_info)


def _factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _ORIGINAL_FACTORY(*args, **kwargs)
    _mask_record(record)
    return record


class MaskFilter(logging.Filter):
    """Masks a record's message in place (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        _mask_record(record)
        return True


def install() -> None:
    """Install the record factory and the filter on the root logger and its handlers (idempotent)."""
    global _INSTALLED
    root = logging.getLogger()
    for target in (root, *root.handlers):
        if not any(isinstance(f, MaskFilter) for f in target.filters):
            target.addFilter(MaskFilter())
    if _INSTALLED:
        return
    _INSTALLED = True
    logging.setLogRecordFactory(_factory)
