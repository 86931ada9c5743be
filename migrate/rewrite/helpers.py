"""Generating the token helper: one small, dependency-free file per language and folder, from a jinja2 template
rendered with rules/oauth.yaml (token path, refresh grant, margin, header scheme, environment variable names)
and the data center the legacy code talked to.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from migrate.rewrite.fixdata import FixData, LanguageFixes
from migrate.rewrite.model import FileChange, ManualStep


def render_helper(data: FixData, fixes: LanguageFixes, datacenter: str | None, package: str | None) -> str:
    """The helper's source for one language (the same inputs always give the same text)."""
    helper = fixes.get("helper") or {}
    dc = data.ruleset.endpoints.datacenters.get(datacenter) if datacenter else data.ruleset.endpoints.datacenters.default
    values: dict[str, Any] = {
        "oauth": data.oauth,
        "accounts_url": f"https://{dc.accounts}",
        "api_domain": f"https://{dc.api_domain}",
        "datacenter": dc.id,
        "package": package,
        "module": Path(str(helper.get("file", "zoho_auth"))).stem,
    }
    template = str(helper["template"])
    if "/" not in template:  # relative to the language's template folder; `lang/file.j2` names another's
        template = f"{fixes.templates or fixes.name}/{template}"
    return data.render(template, **values)


def helper_change(
    data: FixData,
    fixes: LanguageFixes,
    directory: Path,
    display_dir: str,
    datacenter: str | None,
    package: str | None,
) -> tuple[FileChange | None, ManualStep | None]:
    """The helper file to create in `directory` (None when an identical one is there already).

    A different file of the same name is never overwritten: that becomes a manual step instead.
    """
    helper = fixes.get("helper") or {}
    if not helper.get("file") or not helper.get("template"):
        return None, None
    target = directory / str(helper["file"])
    display = f"{display_dir}/{helper['file']}" if display_dir not in ("", ".") else str(helper["file"])
    text = render_helper(data, fixes, datacenter, package)
    if target.exists():
        current = target.read_text(encoding="utf-8", errors="replace")
        if current == text:
            return None, None
        return None, ManualStep(
            display,
            1,
            "zoho.auth-param.authtoken",
            f"{helper['file']} exists and differs from the generated token helper; it was left as it is: "
            "check that it refreshes tokens as rules/oauth.yaml describes",
        )
    change = FileChange(
        path=display,
        fs_path=str(target),
        language=fixes.name,
        original="",
        rewritten=text,
        created=True,
    )
    return change, None
