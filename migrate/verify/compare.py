"""Compare normalized replies: records matched by their key (not by position), only mapped fields compared.

What lands where (DESIGN.md): `differences` = mapped fields whose normalized values differ, and records present on
one side only; `additions` = fields only in the v3 reply; `not_compared` = unmapped legacy fields and volatile
fields. Neither additions nor not-compared fields make a mismatch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from migrate.verify.legacy import LegacyRecords
from migrate.verify.model import Difference
from migrate.verify.recordspec import FieldSpec, RecordSpec
from migrate.verify.v3 import OAuthRecords
from migrate.verify.values import Canon, equal, get_path, leaf_paths, plain


@dataclass
class Comparison:
    differences: list[Difference] = field(default_factory=list)
    additions: set[str] = field(default_factory=set)
    not_compared: set[str] = field(default_factory=set)


def _key_text(value: Any) -> str:
    return str(plain(value))


def _keyed(records: list[dict[str, Any]], key_of) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for index, record in enumerate(records):
        key = key_of(record)
        name = _key_text(key) if key not in (None, "") else f"#{index}"
        while name in out:  # a duplicate key must not hide a record
            name += "+"
        out[name] = record
    return out


def compare_records(legacy: LegacyRecords, oauth: OAuthRecords, spec: RecordSpec, canon: Canon,
                    skip: dict[str, str]) -> Comparison:
    """Compare every record of both sides; `skip`: v3 field path -> why it is never compared
    ("ignored": configured or --ignore; "volatile": changed between two identical legacy calls)."""
    result = Comparison(not_compared=set(legacy.not_compared))
    targets = spec.targets
    key_spec = targets.get(spec.key or "", FieldSpec(spec.key or "", spec.key or ""))
    single = legacy.single and oauth.single
    root = (spec.oauth_single or "record") if single else (spec.oauth_records or "records")

    def oauth_key(record: dict[str, Any]) -> Any:
        return canon.value(get_path(record, key_spec.target), key_spec, legacy=False) if spec.key else None

    left = _keyed(legacy.records, lambda r: r.get(key_spec.target) if spec.key else None)
    right = _keyed(oauth.records, oauth_key)
    if single and len(left) == 1 and len(right) == 1:
        pairs = [(root, next(iter(left.values())), next(iter(right.values())))]
    else:
        pairs = [(f"{root}[{k}]", left.get(k), right.get(k)) for k in [*left, *(k for k in right if k not in left)]]
    for path, lrec, orec in pairs:
        if orec is not None:
            result.additions.update(_additions(orec, spec))
        if lrec is None:
            result.differences.append(Difference(path, None, plain(_project(orec, spec, canon))))
        elif orec is None:
            result.differences.append(Difference(path, plain(lrec), None))
        else:
            result.differences.extend(_compare_one(path, lrec, orec, spec, canon, skip, result))
    result.not_compared.update(f"{s} ({why})" for s, why in skip.items() if s in targets or _is_line_field(s, spec))
    return result


def _is_line_field(path: str, spec: RecordSpec) -> bool:
    return bool(spec.lines) and path.startswith(spec.lines.oauth + ".")


def _project(record: dict[str, Any], spec: RecordSpec, canon: Canon) -> dict[str, Any]:
    """The mapped fields of a v3 record, canonical (what the legacy side would have shown)."""
    return {f.target: canon.value(get_path(record, f.target), f, legacy=False) for f in spec.fields
            if get_path(record, f.target) is not None}


def _additions(record: dict[str, Any], spec: RecordSpec) -> set[str]:
    mapped = set(spec.targets)
    out = set()
    for path in leaf_paths(record):
        if spec.lines and path == spec.lines.oauth:
            line_targets = {f.target for f in spec.lines.fields}
            for line in get_path(record, path) or []:
                out.update(f"{path}.{p}" for p in leaf_paths(line) if p not in line_targets)
            continue
        if path not in mapped and not any(path.startswith(m + ".") for m in mapped):
            out.add(path)
    return out


def _compare_one(path: str, lrec: dict[str, Any], orec: dict[str, Any], spec: RecordSpec, canon: Canon,
                 skip: dict[str, str], result: Comparison) -> list[Difference]:
    diffs: list[Difference] = []
    targets = spec.targets
    # mapped, but the legacy reply did not carry it (e.g. list views leave addresses out): say so
    result.not_compared.update(f"{t} (not in the legacy reply)" for t in targets
                               if t not in lrec and t not in skip and get_path(orec, t) is not None)
    for target, lvalue in lrec.items():
        if spec.lines and target == spec.lines.oauth:
            diffs.extend(_compare_lines(f"{path}.{target}", lvalue, get_path(orec, target), spec, canon, skip))
            continue
        if target in skip:
            continue
        raw = get_path(orec, target)
        ovalue = canon.value(raw, targets[target], legacy=False)
        if not equal(lvalue, ovalue):
            diffs.append(Difference(f"{path}.{target}", plain(lvalue), None if raw is None else plain(ovalue)))
    return diffs


def _compare_lines(path: str, left: list[dict[str, Any]], right: Any, spec: RecordSpec, canon: Canon,
                   skip: dict[str, str]) -> list[Difference]:
    assert spec.lines is not None
    right = right if isinstance(right, list) else []
    by_target = {f.target: f for f in spec.lines.fields}
    diffs: list[Difference] = []
    for index in range(max(len(left), len(right))):
        here = f"{path}[{index}]"
        lline = left[index] if index < len(left) else None
        oline = right[index] if index < len(right) and isinstance(right[index], dict) else None
        if lline is None:
            projected = {t: canon.value(get_path(oline, t), f, legacy=False) for t, f in by_target.items()
                         if get_path(oline, t) is not None}
            diffs.append(Difference(here, None, plain(projected)))
            continue
        if oline is None:
            diffs.append(Difference(here, plain(lline), None))
            continue
        for target, lvalue in lline.items():
            if f"{spec.lines.oauth}.{target}" in skip:
                continue
            raw = get_path(oline, target)
            ovalue = canon.value(raw, by_target[target], legacy=False)
            if not equal(lvalue, ovalue):
                diffs.append(Difference(f"{here}.{target}", plain(lvalue), None if raw is None else plain(ovalue)))
    return diffs


# ---- same-shape JSON (authtoken-era v3 on both sides): everything is compared


def compare_json(legacy: Any, oauth: Any, envelope: set[str], skip: dict[str, str]) -> Comparison:
    """Deep comparison of two JSON replies of the same API (lists of objects matched by their `*_id` field)."""
    result = Comparison()
    if isinstance(legacy, dict) and isinstance(oauth, dict):
        legacy = {k: v for k, v in legacy.items() if k not in envelope}
        oauth = {k: v for k, v in oauth.items() if k not in envelope}
    _deep("", legacy, oauth, result, skip)
    return result


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _field_name(path: str) -> str:
    """`items[4000].rate` -> `rate` (what an ignore list names)."""
    last = path.rsplit(".", 1)[-1]
    return last.split("[", 1)[0]


def _deep(path: str, a: Any, b: Any, result: Comparison, skip: dict[str, str]) -> None:
    if path and _field_name(path) in skip:
        result.not_compared.add(f"{_field_name(path)} ({skip[_field_name(path)]})")
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key, value in a.items():
            if key in b:
                _deep(_join(path, key), value, b[key], result, skip)
            elif _field_name(key) not in skip:
                result.differences.append(Difference(_join(path, key), value, None))
        result.additions.update(_join(_strip_index(path), k) for k in b if k not in a)
        return
    if isinstance(a, list) and isinstance(b, list):
        key = _list_key(a, b)
        if key:
            left = {str(x[key]): x for x in a}
            right = {str(x[key]): x for x in b}
            for name in [*left, *(k for k in right if k not in left)]:
                here = f"{path}[{name}]"
                if name not in right:
                    result.differences.append(Difference(here, left[name], None))
                elif name not in left:
                    result.differences.append(Difference(here, None, right[name]))
                else:
                    _deep(here, left[name], right[name], result, skip)
            return
        for index in range(max(len(a), len(b))):
            here = f"{path}[{index}]"
            if index >= len(b):
                result.differences.append(Difference(here, a[index], None))
            elif index >= len(a):
                result.differences.append(Difference(here, None, b[index]))
            else:
                _deep(here, a[index], b[index], result, skip)
        return
    if not _same_scalar(a, b):
        result.differences.append(Difference(path or "$", a, b))


def _strip_index(path: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", path)


def _list_key(a: list[Any], b: list[Any]) -> str | None:
    items = a + b
    if not items or not all(isinstance(x, dict) for x in items):
        return None
    candidates = [k for k in items[0] if k.endswith("_id") or k == "id"]
    for key in candidates:
        if all(key in x for x in items):
            return key
    return None


def _same_scalar(a: Any, b: Any) -> bool:
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return float(a) == float(b)
    return type(a) is type(b) and a == b
