"""Generating the token helper: one small, dependency-free file per language and package root, from a jinja2 template
rendered with rules/oauth.yaml (token path, refresh grant, margin, header scheme, environment variable names)
and the data center the legacy code talked to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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


@dataclass(frozen=True)
class HelperLocation:
    """Where a file's token helper lives: one per package/module root, and how the file reaches it."""

    directory: Path
    rel: str = ""  # from the file's folder to the helper's, POSIX with a trailing slash ("" = same folder)
    up: int | None = None  # Python inside a package: `from .{"." * up} import zoho_auth`; None: `import zoho_auth`


def helper_location(fixes: LanguageFixes | None, fs_path: Path, root: Path) -> HelperLocation:
    """The helper's folder for one rewritten file (`fixes.<lang>.helper.root`: the markers of a root).

    Python: the top folder of the package the file is in (`__init__.py` all the way), else the file's own folder;
    Node/PHP/Ruby: the nearest folder (up to the scan root) holding `package.json` / `composer.json` / `Gemfile`;
    Go, Java, C#, shell: the file's own folder (Go and Java/C# helpers join the file's package/namespace).
    """
    helper = (fixes.get("helper") if fixes is not None else None) or {}
    spec = helper.get("root") or {}
    stop = root.resolve() if root.is_dir() else root.absolute().parent.resolve()
    here = fs_path.absolute().parent.resolve()  # beside the file as the user named it (a symlink stays a link)
    if spec.get("package"):  # Python packages
        marker = str(spec["package"])
        if not (here / marker).is_file():
            return HelperLocation(here)
        top, up = here, 0
        while top != stop and _inside(top.parent, stop) and (top.parent / marker).is_file():
            top, up = top.parent, up + 1
        return HelperLocation(top, "../" * up, up)
    markers = [str(m) for m in spec.get("markers") or ()]
    candidate, up = here, 0
    while markers:
        if any(next(candidate.glob(m), None) is not None for m in markers):
            return HelperLocation(candidate, "../" * up)
        if candidate == stop or not _inside(candidate.parent, stop):
            break
        candidate, up = candidate.parent, up + 1
    return HelperLocation(here)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def helper_blocker(fixes: LanguageFixes | None, fs_path: Path, root: Path, helper_dir: Path) -> str | None:
    """Why the generated helper cannot serve this file's project (`fixes.<lang>.helper.unusable`), or None.

    A System.Text.Json helper in a .NET Framework project (a .csproj with TargetFrameworkVersion v2-v4.x,
    packages.config, App.config) or a Python 3 helper in a Python 2 package would not build: the file that would
    need it is left unchanged and a manual step says why. Markers are searched from the file's folder up to the
    scan root (and in the helper's folder).
    """
    helper = (fixes.get("helper") if fixes is not None else None) or {}
    markers = helper.get("unusable") or []
    if not markers:
        return None
    stop = root.resolve() if root.is_dir() else root.absolute().parent.resolve()
    folders = []
    here = fs_path.absolute().parent.resolve()
    while True:
        folders.append(here)
        if here == stop or not _inside(here.parent, stop):
            break
        here = here.parent
    if helper_dir.resolve() not in folders:
        folders.append(helper_dir.resolve())
    for marker in markers:
        near = [fs_path.absolute().parent.resolve(), helper_dir.resolve()]
        for folder in folders if marker.get("ancestors", True) else dict.fromkeys(near):
            for candidate in sorted(folder.glob(str(marker["glob"]))):
                if candidate.resolve() == fs_path.resolve() or not candidate.is_file():
                    continue
                reason = _marker_reason(marker, candidate)
                if reason is not None:
                    return reason
    return None


def _marker_reason(marker: dict[str, Any], candidate: Path) -> str | None:
    try:
        text = candidate.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if marker.get("python2"):
        from migrate.rewrite.validate import python2_reason

        why = python2_reason(text)
        return f"{marker['why']} ({candidate.name}: {why})" if why else None
    pattern = marker.get("pattern")
    if pattern and re.search(str(pattern), text) is None:
        return None
    return f"{marker['why']} ({candidate.name})"
