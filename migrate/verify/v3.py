"""v3 (and CRM v2) JSON replies: failures (`{"code": 57, ...}`), records under the spec's keys, paging."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from migrate.verify.config import VerifyConfig
from migrate.verify.model import ReplyError
from migrate.verify.recordspec import RecordSpec


@dataclass
class OAuthRecords:
    records: list[dict[str, Any]]
    single: bool


def parse_json(body: bytes, side: str) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReplyError(f"{side} reply is not valid JSON: {getattr(error, 'msg', error)}") from None


def json_error(obj: Any, config: VerifyConfig, side: str = "v3") -> str | None:
    """A JSON failure body (`{"code": 57, "message": ...}`), or None."""
    if not isinstance(obj, dict):
        return None
    code_key = config.json.get("error_code", "code")
    if code_key not in obj:
        return None
    code = obj[code_key]
    if code in (0, "0", "SUCCESS", "success"):
        return None
    message = obj.get(config.json.get("error_message", "message")) or ""
    return f"{side} API error {code}: {message or 'no message'}"


def oauth_records(obj: Any, spec: RecordSpec) -> OAuthRecords:
    if obj == {}:  # HTTP 204 / empty body: CRM v2's "no records"
        return OAuthRecords([], False)
    if not isinstance(obj, dict):
        raise ReplyError("OAuth reply is not a JSON object")
    if spec.oauth_records and isinstance(obj.get(spec.oauth_records), list):
        return OAuthRecords([r for r in obj[spec.oauth_records] if isinstance(r, dict)], False)
    if spec.oauth_single and isinstance(obj.get(spec.oauth_single), dict):
        return OAuthRecords([obj[spec.oauth_single]], True)
    if spec.oauth_records and spec.oauth_records not in obj and spec.oauth_single not in obj:
        wanted = " or ".join(k for k in (spec.oauth_records, spec.oauth_single) if k)
        raise ReplyError(f"OAuth reply has no `{wanted}`")
    return OAuthRecords([], False)


def json_next_page(obj: Any, paging_name: str | None, config: VerifyConfig) -> dict[str, str] | None:
    """Query parameters for the next page of a JSON reply (`page=N+1`) when it says there are more."""
    if not paging_name or not isinstance(obj, dict) or not isinstance(obj.get(paging_name), dict):
        return None
    paging = config.paging.get(paging_name, {})
    context = obj[paging_name]
    if not context.get(paging.get("more", "has_more_page")):
        return None
    try:
        page = int(context.get(paging.get("page", "page")) or 1) + 1
    except (TypeError, ValueError):
        return None
    return {str(paging.get("page_param", "page")): str(page)}
