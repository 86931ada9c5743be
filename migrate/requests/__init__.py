"""The request model: one file's findings grouped into the legacy HTTP requests they belong to.

Below `scan` and `rewrite` (it imports neither): `scan` marks `Finding.fixable` from its cheap feasibility decision,
the rewriter edits only feasible requests and audits the result per request. See docs/DESIGN.md ("The request").
"""

from migrate.requests.build import plan_requests
from migrate.requests.model import LegacyRequest, RequestPlan

__all__ = ["LegacyRequest", "RequestPlan", "plan_requests"]
