"""`zoho-migrate verify`: replay calls in both API styles and prove the migrated calls return the same data.

Pipeline: calls (sources: calls file, scan, HAR) -> Verifier (runner) -> per side: credentials, pages, safe
parsing (sides, fetch, tokens, safexml) -> canonical records (legacy, v3, values, recordspec) -> compare ->
CallResult (model) -> text table (render) or the JSON document (results). See docs/VERIFY.md.

Kept light on purpose: importing `migrate.verify.results` (the report does, for `load_results`) must not pull
in the HTTP stack.
"""

from migrate.verify.results import load_results, results_document, validate_results

__all__ = ["load_results", "results_document", "validate_results"]
