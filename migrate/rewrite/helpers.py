"""Generating the token helper: one small, dependency-free file per language and folder, from a jinja2 template
rendered with rules/oauth.yaml (token path, refresh grant, margin, header scheme, environment variable names)
and the data center the legacy code talked to.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from migrate.rewrite.fixdata import FixData, LanguageFixes
from migrate.rewrite.model import FileChange, ManualStep


def _values(data: FixData, fixes: LanguageFixes, datacenter: str | None, package: str | None) -> dict[str, Any]:
    helper = fixes.get("helper") or {}
    centers = data.ruleset.endpoints.datacenters
    dc = centers.get(datacenter) if datacenter else centers.default
    return {
        "oauth": data.oauth,
        "accounts_url": f"https://{dc.accounts}",
        "api_domain": f"https://{dc.api_domain}",
        "datacenter": dc.id,
        "package": package,
        "module": Path(str(helper.get("file", "zoho_auth"))).stem,
    }


def _template_path(fixes: LanguageFixes, template: str) -> str:
    """Relative to the language's template folder; `lang/file.j2` names another language's."""
    return template if "/" in template else f"{fixes.templates or fixes.name}/{template}"


def render_helper(data: FixData, fixes: LanguageFixes, datacenter: str | None, package: str | None) -> str:
    """The helper's source for one language (the same inputs always give the same text)."""
    helper = fixes.get("helper") or {}
    return data.render(_template_path(fixes, str(helper["template"])), **_values(data, fixes, datacenter, package))


def helper_files(data: FixData, fixes: LanguageFixes, datacenter: str | None, package: str | None) -> list[tuple[str, str]]:
    """(file name, text) of the helper and its companions (`extra`, e.g. TypeScript declarations)."""
    helper = fixes.get("helper") or {}
    if not helper.get("file") or not helper.get("template"):
        return []
    values = _values(data, fixes, datacenter, package)
    files = [(str(helper["file"]), data.render(_template_path(fixes, str(helper["template"])), **values))]
    for extra in helper.get("extra") or ():
        files.append((str(extra["file"]), data.render(_template_path(fixes, str(extra["template"])), **values)))
    return files


def helper_change(
    data: FixData,
    fixes: LanguageFixes,
    directory: Path,
    display_dir: str,
    datacenter: str | None,
    package: str | None,
) -> tuple[list[FileChange], list[ManualStep]]:
    """The helper files to create in `directory` (none when identical ones are there already).

    A different file of the same name is never overwritten: that becomes a manual step instead.
    """
    changes: list[FileChange] = []
    steps: list[ManualStep] = []
    for name, text in helper_files(data, fixes, datacenter, package):
        target = directory / name
        display = f"{display_dir}/{name}" if display_dir not in ("", ".") else name
        if target.exists():
            if target.read_text(encoding="utf-8", errors="replace") != text:
                steps.append(
                    ManualStep(
                        display,
                        1,
                        "zoho.auth-param.authtoken",
                        f"{name} exists and differs from the generated token helper; it was left as it is: "
                        "check that it refreshes tokens as rules/oauth.yaml describes",
                    )
                )
            continue
        changes.append(
            FileChange(path=display, fs_path=str(target), language=fixes.name, original="", rewritten=text, created=True)
        )
    return changes, steps
