"""Rewritten code and generated token helpers against the Zoho emulator over real HTTP (no mocks).

Zoho's hosts are pointed at the emulator by the same textual substitution on the legacy and the rewritten code
(`https://<zoho host>` -> `http://127.0.0.1:PORT/__host__/<zoho host>`), so both talk to the same data.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.runtimes import requires_tool

PROJECTS = FIXTURES / "projects" / "rewrite"
ZOHO_HOST = re.compile(r"https://([a-z0-9.-]*zoho(?:apis|cloud)?\.[a-z.]+)")


def _point_at(emulator, path: Path) -> None:
    path.write_text(ZOHO_HOST.sub(lambda m: emulator.url(host=m.group(1)), path.read_text()))


def _env(emulator, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOHO_")}
    env.update(extra)
    return env


def _oauth_env(emulator, cache_dir: Path) -> dict[str, str]:
    """The OAuth environment for helpers; their token caches live under `cache_dir` (never the user's)."""
    c = emulator.credentials
    env = _env(
        emulator,
        ZOHO_CLIENT_ID=c.client_id,
        ZOHO_CLIENT_SECRET=c.client_secret,
        ZOHO_REFRESH_TOKEN=c.refresh_token,
        ZOHO_ORGANIZATION_ID=c.organization_id,
        ZOHO_ACCOUNTS_URL=emulator.url(host="accounts.zoho.com"),
        XDG_CACHE_HOME=str(cache_dir),
    )
    env.pop("ZOHO_AUTH_CACHE", None)
    return env


def _run_python(directory: Path, code: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=directory, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_rewritten_python_gets_the_same_data_as_the_legacy_version(emulator, tmp_path: Path) -> None:
    legacy_dir, new_dir = tmp_path / "legacy", tmp_path / "new"
    shutil.copytree(PROJECTS / "python" / "before", legacy_dir)
    shutil.copytree(PROJECTS / "python" / "after", new_dir)
    for directory in (legacy_dir, new_dir):
        _point_at(emulator, directory / "invoice_sync.py")
    code = "import json, invoice_sync; print(json.dumps([invoice_sync.list_invoices(), invoice_sync.list_items()]))"
    c = emulator.credentials
    legacy = json.loads(
        _run_python(legacy_dir, code, _env(emulator, ZOHO_AUTHTOKEN=c.authtoken, ZOHO_INVOICE_APIKEY=c.apikey, ZOHO_ORGANIZATION_ID=c.organization_id))
    )
    emulator.log.clear()
    # update_item (a POST whose v3 call is a PUT) is left as it was, so the module still reads its authtoken
    new_env = {**_oauth_env(emulator, tmp_path / "cache"), "ZOHO_AUTHTOKEN": c.authtoken}
    rewritten = json.loads(_run_python(new_dir, code, new_env))
    (legacy_invoices, legacy_items), (new_invoices, new_items) = legacy, rewritten
    assert legacy_invoices["code"] == new_invoices["code"] == 0
    assert new_invoices["invoices"] == legacy_invoices["invoices"] and len(legacy_invoices["invoices"]) > 0
    # the legacy XML reply (ItemID elements) and the rewritten JSON access (item_id) give the same records
    assert new_items == legacy_items and len(legacy_items) > 1
    entries = list(emulator.log)
    api = [e for e in entries if e.path.startswith("/invoice/v3/")]
    assert {e.path for e in api} == {"/invoice/v3/invoices", "/invoice/v3/items"}
    assert api and all(e.headers.get("authorization", "").startswith("Zoho-oauthtoken ") for e in api)
    assert all("authtoken" not in e.query for e in api)


def _render_helper(ruleset, language: str, directory: Path) -> Path:
    from migrate.rewrite.fixdata import FixData
    from migrate.rewrite.helpers import render_helper

    data = FixData(ruleset)
    fixes = data.language(language)
    target = directory / fixes.get("helper")["file"]
    target.write_text(render_helper(data, fixes, "us", None))
    return target


def test_python_helper_refreshes_once_and_caches(emulator, tmp_path: Path, ruleset) -> None:
    _render_helper(ruleset, "python", tmp_path)
    emulator.faults.rate_limit_storm(1, retry_after=1, path="/oauth/v2/token")  # 429 + Retry-After: waited out
    code = (
        "import zoho_auth, threading\n"
        "tokens = []\n"
        "threads = [threading.Thread(target=lambda: tokens.append(zoho_auth.access_token())) for _ in range(8)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "assert len(set(tokens)) == 1\n"
        "print(zoho_auth.authorization())\n"
    )
    out = _run_python(tmp_path, code, _oauth_env(emulator, tmp_path / "cache"))
    assert out.startswith("Zoho-oauthtoken 1000.")
    refreshes = [e for e in emulator.log if e.path == "/oauth/v2/token"]
    assert [e.status for e in refreshes] == [429, 200]


@requires_tool("node")
def test_node_helper_calls_the_v3_api(emulator, tmp_path: Path, ruleset) -> None:
    _render_helper(ruleset, "javascript", tmp_path)
    emulator.faults.fail_next(1, status=502, path="/oauth/v2/token")  # retried with backoff
    url = emulator.url("/invoice/v3/items", host="www.zohoapis.com")
    script = (
        'const zohoAuth = require("./zoho_auth");\n'
        "(async () => {\n"
        "  const tokens = await Promise.all([1, 2, 3, 4].map(() => zohoAuth.accessToken()));\n"
        '  if (new Set(tokens).size !== 1) throw new Error("several tokens");\n'
        f'  const reply = await fetch("{url}", {{ headers: {{ "Authorization": await zohoAuth.authorization(),'
        ' "X-com-zoho-invoice-organizationid": zohoAuth.organizationId() } });\n'
        "  console.log(JSON.stringify(await reply.json()));\n"
        "})().catch((e) => { console.error(e.message); process.exit(1); });\n"
    )
    (tmp_path / "main.js").write_text(script)
    result = subprocess.run(["node", "main.js"], cwd=tmp_path, env=_oauth_env(emulator, tmp_path / "cache"), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["code"] == 0 and body["items"]
    assert [e.status for e in emulator.log if e.path == "/oauth/v2/token"] == [502, 200]


@pytest.mark.skipif(shutil.which("curl") is None or shutil.which("sh") is None, reason="sh/curl missing")
def test_shell_helper_calls_the_v3_api_and_caches(emulator, tmp_path: Path, ruleset) -> None:
    _render_helper(ruleset, "shell", tmp_path)
    emulator.faults.fail_next(1, status=503, path="/oauth/v2/token")  # curl --retry
    url = emulator.url("/invoice/v3/items", host="www.zohoapis.com")
    script = (
        '. "$(dirname "$0")/zoho_auth.sh"\n'
        f'curl -s -H "Authorization: $(zoho_authorization)" -H "X-com-zoho-invoice-organizationid: $(zoho_organization_id)" "{url}"\n'
        f'curl -s -o /dev/null -H "Authorization: $(zoho_authorization)" "{url}"\n'
    )
    (tmp_path / "main.sh").write_text(script)
    env = _oauth_env(emulator, tmp_path / "cache")
    env["ZOHO_AUTH_CACHE"] = str(tmp_path / "cache" / "token")
    result = subprocess.run(["sh", "main.sh"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["items"]
    assert [e.status for e in emulator.log if e.path == "/oauth/v2/token"] == [503, 200]
    assert oct((tmp_path / "cache" / "token").stat().st_mode & 0o777) == "0o600"


def test_refused_refresh_is_a_clear_error(emulator, tmp_path: Path, ruleset) -> None:
    _render_helper(ruleset, "python", tmp_path)
    env = _oauth_env(emulator, tmp_path / "cache")
    env["ZOHO_REFRESH_TOKEN"] = "1000.0000.0000"
    result = subprocess.run(
        [sys.executable, "-c", "import zoho_auth; zoho_auth.access_token()"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "token refresh refused: invalid_code" in result.stderr


def test_python_helper_one_refresh_across_processes(emulator, tmp_path: Path, ruleset) -> None:
    """Six processes start at once with an empty cache: Zoho sees one refresh, every process the same token."""
    _render_helper(ruleset, "python", tmp_path)
    env = _oauth_env(emulator, tmp_path / "cache")
    code = "import zoho_auth; print(zoho_auth.access_token())"
    processes = [
        subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    tokens = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert len(tokens) == 1 and next(iter(tokens)).startswith("1000.")
    assert len([e for e in emulator.log if e.path == "/oauth/v2/token"]) == 1
    cache = next((tmp_path / "cache" / "zoho-migrate").glob("token-*.json"))
    assert cache.stat().st_mode & 0o077 == 0
