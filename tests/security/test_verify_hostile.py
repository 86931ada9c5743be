"""verify against hostile inputs and servers: credentials only to Zoho hosts over HTTPS, a paging bomb, a redirect,
secrets in DEBUG logs of every library, and symlinks at cassette or output names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_cli
from tests.security.conftest import untouched
from tests.verify.conftest import CLEAN_CALLS, INVOICE, write_calls

REPO = Path(__file__).resolve().parents[2]


def _env(emulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOHO_")}
    return {**env, **emulator.credentials.as_env()}


def _bases(emulator) -> list[str]:
    base = emulator.base_url
    return ["--legacy-base", base, "--oauth-base", base, "--accounts-url", base]


def _secrets(emulator) -> list[str]:
    c = emulator.credentials
    issued = [t for t in emulator.accounts.tokens]  # every token the emulator issued during the run
    return [c.authtoken, c.apikey, c.client_secret, c.refresh_token, *issued]


def test_non_zoho_legacy_host_gets_no_credentials(emulator, tmp_path):
    """The issue's calls file: a non-Zoho legacy URL with an explicit `oauth:` URL. Both point at a live server
    (the emulator, reached directly, no base override) that would log any request: none is made."""
    host = emulator.base_url  # http://127.0.0.1:PORT
    calls = write_calls(tmp_path, [{"id": "evil", "legacy": {"url": f"{host}/api/items/"},
                                    "oauth": {"url": f"{host}/invoice/v3/items"}},
                                   {"id": "evil2", "legacy": {"url": "https://attacker.example/api/items/"},
                                    "oauth": {"url": "https://www.zohoapis.com/invoice/v3/items"}}])
    ran = run_cli("verify", "--calls", str(calls), "--format", "json", env=_env(emulator))
    assert ran.returncode == 1, ran.stderr
    results = json.loads(ran.stdout)["results"]
    assert [r["status"] for r in results] == ["error", "error"]
    assert "127.0.0.1 is not a Zoho host of the endpoint map" in results[0]["message"]
    assert "attacker.example is not a Zoho host" in results[1]["message"]
    assert all(r["message"].startswith("not sent: legacy:") for r in results)
    assert len(emulator.log) == 0  # refused before any request


def test_allow_host_names_a_trusted_host(emulator, tmp_path):
    host = emulator.base_url
    calls = write_calls(tmp_path, [{"id": "mine", "legacy": {"url": f"{host}/api/items/"},
                                    "oauth": {"url": f"{host}/invoice/v3/items"}}])
    ran = run_cli("verify", "--calls", str(calls), "--format", "json", "--allow-host", "127.0.0.1",
                  "--accounts-url", host, env=_env(emulator))
    assert "not a Zoho host" not in ran.stdout
    assert len(emulator.log) > 0  # the user trusted it: requests went out


def test_http_zoho_url_from_a_har_is_not_sent_in_clear_text(emulator, tmp_path):
    har = tmp_path / "session.har"
    url = f"http://invoice.zoho.com/api/items/?authtoken={emulator.credentials.authtoken}&scope=invoiceapi"
    har.write_text(json.dumps({"log": {"entries": [{"request": {"method": "GET", "url": url, "headers": []}}]}}))
    ran = run_cli("verify", "--har", str(har), "--oauth-base", emulator.base_url, "--accounts-url",
                  emulator.base_url, "--format", "json", env=_env(emulator))
    assert ran.returncode == 1
    result = json.loads(ran.stdout)["results"][0]
    assert result["status"] == "error" and "only sent over HTTPS" in result["message"]
    assert len(emulator.log) == 0


def test_paging_bomb_stops_at_the_call_budget(emulator, tmp_path):
    """50 small pages padded to 300 KB each: the call stops at a 1 MB budget, reported too large."""
    emulator.faults.huge_pages(300_000, path="/api/items/")
    calls = write_calls(tmp_path, [{"id": "bomb", "legacy": {"url": f"{INVOICE}/api/items/?Per_Page=1"}}])
    ran = run_cli("verify", "--calls", str(calls), *_bases(emulator), "--format", "json",
                  "--max-call-bytes", "1000000", env=_env(emulator))
    assert ran.returncode == 1, ran.stderr
    result = json.loads(ran.stdout)["results"][0]
    assert result["status"] == "error" and "call too large" in result["message"]
    legacy_pages = [r for r in emulator.log if r.path.startswith("/api/items")]
    assert len(legacy_pages) <= 4  # stopped after ~1 MB, not 50 pages


def test_redirect_is_reported_not_compared(emulator, tmp_path):
    emulator.faults.redirect_next("https://elsewhere.example/login?from=zoho", path="/api/items/")
    calls = write_calls(tmp_path, CLEAN_CALLS[:1])
    ran = run_cli("verify", "--calls", str(calls), *_bases(emulator), "--format", "json", env=_env(emulator))
    result = json.loads(ran.stdout)["results"][0]
    assert result["status"] == "error" and result["legacy_status"] == 302
    assert "redirect to https://elsewhere.example/login?from=zoho" in result["message"]
    assert not [r for r in emulator.log if "elsewhere" in (r.meant_host or "")]


def test_debug_logging_of_every_library_shows_no_secret(emulator, tmp_path):
    """DEBUG on the root logger (httpx logs URLs with the apikey, httpcore headers with the token): the whole
    captured output is searched for every secret value of the run, the refreshed access token included."""
    calls = write_calls(tmp_path, CLEAN_CALLS[:2])
    script = ("import logging, sys\n"
              "logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)\n"
              "from migrate.cli import main\n"
              "sys.exit(main(sys.argv[1:]))\n")
    env = {**_env(emulator), "PYTHONPATH": str(REPO)}
    ran = subprocess.run([sys.executable, "-c", script, "verify", "--calls", str(calls), *_bases(emulator),
                          "--format", "json"], capture_output=True, text=True, env=env, timeout=120)
    assert ran.returncode == 0, ran.stderr[-2000:]
    output = ran.stdout + ran.stderr
    assert "DEBUG:httpcore" in output and "INFO:httpx" in output  # the libraries did log
    for secret in _secrets(emulator):
        assert secret not in output, "a secret value reached the log"


def test_cassette_name_symlink_is_refused(emulator, tmp_path, victim):
    record = tmp_path / "cassettes"
    record.mkdir()
    (record / "items.json").symlink_to(victim)
    (record / "_accounts.json").symlink_to(victim)
    calls = write_calls(tmp_path, CLEAN_CALLS[:1])
    ran = run_cli("verify", "--calls", str(calls), *_bases(emulator), "--record", str(record), env=_env(emulator))
    assert ran.returncode == 2 and "symbolic link" in ran.stderr and "Traceback" not in ran.stderr
    assert untouched(victim)


def test_verify_output_symlink_is_refused(emulator, tmp_path, victim):
    link = tmp_path / "results.json"
    link.symlink_to(victim)
    calls = write_calls(tmp_path, CLEAN_CALLS[:1])
    ran = run_cli("verify", "--calls", str(calls), *_bases(emulator), "--output", str(link), env=_env(emulator))
    assert ran.returncode == 2 and "symbolic link" in ran.stderr
    assert untouched(victim) and len(emulator.log) == 0  # refused before anything was sent
