"""The verifier's boundary types: a Call to replay (from a calls file, a scan, a HAR file) and its CallResult.

`CallResult.to_json()` is exactly the per-call object of DESIGN.md's `verify --format json` contract, so the
CLI, the results file and the report all speak one shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("match", "mismatch", "error", "skipped")
READ_METHODS = frozenset({"GET", "HEAD"})


class ReplyError(ValueError):
    """A reply that carries an API error or cannot be read as the record spec says; one line."""


@dataclass(frozen=True)
class Endpoint:
    """One side of a call as the user gave it: method, URL (no credentials), optional headers and form body."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    form: tuple[tuple[str, str], ...] = ()

    @property
    def is_read(self) -> bool:
        return self.method.upper() in READ_METHODS


@dataclass(frozen=True)
class Call:
    """A legacy call and (optionally) its OAuth equivalent; derived from the endpoint map when absent."""

    id: str
    legacy: Endpoint
    oauth: Endpoint | None = None
    source: str = ""  # where it came from ("calls.yaml:12", "app.py:40", "session.har#3"), for messages


@dataclass(frozen=True)
class Difference:
    """One mapped field (or whole record) whose normalized values differ; `None` means absent on that side."""

    path: str
    legacy: Any
    oauth: Any

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "legacy": self.legacy, "oauth": self.oauth}


@dataclass
class CallResult:
    """The outcome of verifying one call (DESIGN.md: `results[]` of `verify --format json`)."""

    id: str
    status: str
    differences: list[Difference] = field(default_factory=list)
    additions: list[str] = field(default_factory=list)
    not_compared: list[str] = field(default_factory=list)
    legacy_status: int = 0  # HTTP status of the (last) legacy reply; 0 when nothing was sent
    oauth_status: int = 0
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "differences": [d.to_json() for d in self.differences],
            "additions": list(self.additions),
            "not_compared": list(self.not_compared),
            "legacy_status": int(self.legacy_status),
            "oauth_status": int(self.oauth_status),
            "message": self.message,
        }


def summarize(results: list[CallResult]) -> dict[str, int]:
    """Counts per status, every status present (zero when none)."""
    counts = dict.fromkeys(STATUSES, 0)
    for result in results:
        counts[result.status] += 1
    return counts
