"""The rewrite stage: legacy Zoho calls -> OAuth + v3, as a reviewable diff (see docs/REWRITE.md).

Public API: `plan.plan_rewrite(paths, ruleset, options) -> RewritePlan`, `migrate.requests.fixable.fixable_fingerprints(...)` (scan),
`engine.rewrite_text(...)` for one text, and the `rewrite` click command in `cli`.
"""
