"""Typed canonical values, so both API styles compare by meaning, not spelling.

Types come from the field map (`{to: rate, type: number}`): numbers compare as decimals (`"34.00"` == `34.0`), an
empty legacy element (or CRM's `null` text, or an absent v3 value) is the zero value of its type (`""`, `0`,
`false`), enum `values` translate legacy codes (`"1"` -> `"active"`), dates compare as YYYY-MM-DD.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from migrate.verify.config import VerifyConfig
from migrate.verify.recordspec import FieldSpec


class Canon:
    """Typed canonical values, so both sides compare by meaning, not spelling."""

    def __init__(self, config: VerifyConfig) -> None:
        self.config = config
        self.empty_text = frozenset(str(t) for t in config.xml.get("empty_text") or ())

    def zero(self, ftype: str) -> Any:
        value = self.config.zero_values.get(ftype, "")
        return Decimal(str(value)) if ftype in ("number", "integer") else value

    def value(self, raw: Any, spec: FieldSpec, *, legacy: bool) -> Any:
        if legacy and spec.values and raw is not None:
            raw = dict(spec.values).get(str(raw).strip(), raw)
        if legacy and isinstance(raw, str) and raw.strip() in self.empty_text:
            raw = None
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return self.zero(spec.type)
        if spec.type in ("number", "integer"):
            if isinstance(raw, bool):
                return Decimal(int(raw))
            try:
                number = Decimal(str(raw).strip().replace(",", ""))
            except InvalidOperation:
                return str(raw).strip()
            return number.normalize() if number == number.to_integral_value() else number
        if spec.type == "boolean":
            if isinstance(raw, bool):
                return raw
            word = str(raw).strip().lower()
            if word in self.config.true_words:
                return True
            if word in self.config.false_words:
                return False
            return str(raw).strip()
        if spec.type == "date":
            return self._date(str(raw).strip())
        if isinstance(raw, (dict, list)):
            return json.dumps(raw, sort_keys=True)
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, bool):
            return "true" if raw else "false"
        return str(raw).strip()

    def _date(self, text: str) -> str:
        for fmt in self.config.date_formats:
            try:
                return datetime.strptime(text, fmt).date().isoformat()
            except ValueError:
                continue
        if len(text) >= 10 and text[4] == "-" and text[7] == "-":
            return text[:10]
        return text


def equal(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return type(a) is type(b) and a == b


def plain(value: Any) -> Any:
    """A canonical value as JSON data (Decimal -> int or float)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def get_path(record: Any, path: str, default: Any = None) -> Any:
    current = record
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        else:
            return default
    return current


def leaf_paths(record: Any, prefix: str = "") -> list[str]:
    """Dotted paths of the scalar (and list) leaves of a JSON object."""
    if not isinstance(record, dict):
        return [prefix] if prefix else []
    out = []
    for key, value in record.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            out.extend(leaf_paths(value, path))
        else:
            out.append(path)
    return out
