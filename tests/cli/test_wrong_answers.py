"""The wrong answers issue 15 found, each run as a user runs it (subprocess, real files, the emulator)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_cli

PROJECT = FIXTURES / "projects" / "legacy-invoice-py"
SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZOHO_", "NO_COLOR", "CI"))}
    return {**env, **extra}


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("zoho-migrate: error: ") and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.mark.parametrize("args", [
    ["auth", "exchange", "--code", "1000.abc", "--accounts-url", "notaurl"],
    ["auth", "token", "--accounts-url", "notaurl"],
    ["verify", "--accounts-url", "notaurl", "--calls", "calls.yaml"],
    ["auth", "orgs", "--api-url", "ftp://example.com"],
    ["verify", "--legacy-base", "notaurl", "--calls", "calls.yaml"],
])
def test_a_url_that_is_not_one_is_refused_at_once(args, tmp_path):
    started = time.monotonic()
    result = run_cli(*args, env=_clean_env(ZOHO_MIGRATE_STORE=f"sqlite:{tmp_path / 't.db'}"), cwd=tmp_path)
    assert result.returncode == 2
    line = _one_error_line(result.stderr)
    flag = next(a for a in args if a.endswith(("-url", "-base")))
    assert flag in line and "http(s) URL" in line
    assert time.monotonic() - started < 5  # no network retries before the refusal


def test_an_env_var_url_is_validated_and_named(tmp_path):
    result = run_cli("auth", "token", env=_clean_env(ZOHO_ACCOUNTS_URL="notaurl"), cwd=tmp_path)
    assert result.returncode == 2
    assert "ZOHO_ACCOUNTS_URL" in _one_error_line(result.stderr)


@pytest.mark.parametrize("command", [["auth", "list"], ["auth", "token"], ["auth", "login"], ["verify"]])
def test_an_unknown_data_center_is_refused_the_same_way_everywhere(command, tmp_path):
    result = run_cli(*command, "--dc", "xx", env=_clean_env(ZOHO_MIGRATE_STORE=f"sqlite:{tmp_path / 't.db'}"),
                     cwd=tmp_path)
    assert result.returncode == 2
    line = _one_error_line(result.stderr)
    assert "--dc" in line and "'xx'" in line and "known: us, eu" in line


def test_auth_list_filters_by_data_center(emulator, tmp_path):
    store = f"sqlite:{tmp_path / 't.db'}"
    env = _clean_env(ZOHO_MIGRATE_STORE=store, **emulator.credentials.as_env())
    token = run_cli("auth", "token", "--accounts-url", emulator.base_url, env=env)
    assert token.returncode == 0, token.stderr
    every = run_cli("auth", "list", env=env)
    here = run_cli("auth", "list", "--accounts-url", emulator.base_url, env=env)
    eu = run_cli("auth", "list", "--dc", "eu", env=env)
    assert len(every.stdout.splitlines()) == 1 and here.stdout == every.stdout
    assert eu.returncode == 0 and eu.stdout == "" and "0 tokens" in eu.stderr


def test_verify_names_the_unreachable_accounts_url_it_was_given(emulator, tmp_path):
    calls = tmp_path / "calls.yaml"
    calls.write_text('calls:\n  - id: items\n    legacy: {url: "https://invoice.zoho.com/api/items/"}\n')
    env = _clean_env(**emulator.credentials.as_env())
    env.pop("ZOHO_ACCESS_TOKEN", None)
    result = run_cli("verify", "--calls", str(calls), "--legacy-base", emulator.base_url, "--oauth-base",
                     emulator.base_url, "--accounts-url", "http://127.0.0.1:9", "--retries", "0",
                     "--format", "json", env=env)
    message = json.loads(result.stdout)["results"][0]["message"]
    assert "http://127.0.0.1:9/oauth/v2/token" in message, message
    assert "accounts.zoho.com" not in message


@pytest.mark.parametrize("value", ["/dev/null", "@/dev/null", "{tmp}/empty.txt", "{tmp}", "{tmp}/missing.txt"])
def test_convert_never_sends_a_file_name_as_a_token(value, emulator, tmp_path):
    (tmp_path / "empty.txt").write_text("# only a comment\n\n")
    env = _clean_env(**emulator.credentials.as_env())
    result = run_cli("auth", "convert", "--authtoken", value.format(tmp=tmp_path), "--scope", "ZohoCRM.modules.ALL",
                     "--soid", "ZohoCRM.1", "--accounts-url", emulator.base_url,
                     "--store", f"sqlite:{tmp_path / 't.db'}", env=env)
    assert result.returncode == 2
    assert "--authtoken" in _one_error_line(result.stderr)
    assert emulator.log == [] or all("authtooauth" not in e.path for e in emulator.log)


def test_scopes_of_a_folder_without_zoho_calls_says_there_is_nothing_to_scope(tmp_path):
    (tmp_path / "app.py").write_text("print('hello')\n")
    result = run_cli("scopes", str(tmp_path))
    assert result.returncode == 0 and result.stdout == ""
    assert "nothing to scope" in result.stderr and "pass them as scope=" not in result.stderr


def test_scopes_fail_on_and_output(tmp_path):
    out = tmp_path / "scopes.txt"
    result = run_cli("scopes", str(PROJECT), "-o", str(out), "--fail-on", "error", "--no-config")
    assert result.returncode == 1 and result.stdout == ""
    assert out.read_text().split() == ["ZohoInvoice.invoices.READ", "ZohoInvoice.settings.READ"]
    assert run_cli("scopes", str(PROJECT)).returncode == 0  # without --fail-on a listing never fails


@pytest.mark.parametrize("har", [{"log": {"entries": []}},
                                 {"log": {"entries": [{"request": {"url": "https://example.com/"}}]}}])
def test_verify_har_with_no_calls_exits_2(har, tmp_path):
    path = tmp_path / "empty.har"
    path.write_text(json.dumps(har))
    result = run_cli("verify", "--har", str(path), env=_clean_env())
    assert result.returncode == 2
    line = _one_error_line(result.stderr)
    assert str(path) in line and "no calls" in line


def test_report_by_product_names_crm_and_invoice(tmp_path):
    (tmp_path / "crm.py").write_text(
        f'TOKEN = "{SECRET}"\n'
        'URL = "https://crm.zoho.com/crm/private/json/Leads/getRecords?authtoken=" + TOKEN\n'
        'reply = requests.get(URL, params={"authtoken": TOKEN, "scope": "crmapi"})\n')
    (tmp_path / "invoice.py").write_text((PROJECT / "invoice_sync.py").read_text())
    result = run_cli("report", str(tmp_path), "-o", "-", "--format", "markdown", "--no-config")
    assert result.returncode == 0, result.stderr
    section = result.stdout.split("| Product | Count |", 1)[1].split("\n\n", 1)[0]
    rows = dict(re.findall(r"^\| (.+?) \| (\d+) \|$", section, re.M))
    scan = json.loads(run_cli("scan", str(tmp_path), "--format", "json", "--no-config").stdout)
    per_file = {p: sum(1 for f in scan["findings"] if f["path"] == p) for p in ("crm.py", "invoice.py")}
    assert rows == {"crm": str(per_file["crm.py"]), "invoice": str(per_file["invoice.py"])}


def test_report_fail_on_exits_1_after_writing(tmp_path):
    out = tmp_path / "r.html"
    result = run_cli("report", str(PROJECT), "-o", str(out), "--fail-on", "critical", "--no-config")
    assert result.returncode == 1 and out.stat().st_size > 0


# ---- colour: NO_COLOR and --color/--no-color as no-color.org says


def _scan_on_a_terminal(*args: str, env: dict[str, str]) -> bytes:
    """stdout of `scan` when it is a terminal (a pty), as a user at a shell sees it."""
    import pty

    main, child = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "migrate", "scan", str(PROJECT), "--no-config", *args],
                              stdout=child, stderr=subprocess.DEVNULL, env=env, timeout=120)
        os.close(child)
        child = -1
        chunks = []
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.returncode == 1
        return b"".join(chunks)
    finally:
        os.close(main)
        if child >= 0:
            os.close(child)


def test_colour_on_a_terminal_unless_no_color():
    assert b"\x1b[" in _scan_on_a_terminal(env=_clean_env(TERM="xterm"))
    assert b"\x1b[" not in _scan_on_a_terminal(env=_clean_env(TERM="xterm", NO_COLOR="1"))
    assert b"\x1b[" not in _scan_on_a_terminal("--no-color", env=_clean_env(TERM="xterm"))
    assert b"\x1b[" in _scan_on_a_terminal("--color", env=_clean_env(TERM="xterm", NO_COLOR="1"))


def test_color_forces_colour_into_a_pipe_and_no_color_var_is_ignored_when_empty():
    assert "\x1b[" in run_cli("scan", str(PROJECT), "--color", env=_clean_env()).stdout
    assert "\x1b[" not in run_cli("scan", str(PROJECT), env=_clean_env()).stdout
    assert b"\x1b[" in _scan_on_a_terminal(env=_clean_env(TERM="xterm", NO_COLOR=""))


# ---- a closed or full stdout: one line, exit 2


def _write_calls(tmp_path: Path) -> Path:
    calls = tmp_path / "calls.yaml"  # a write call: skipped without --allow-writes, so no network is needed
    calls.write_text('calls:\n  - id: delete\n    legacy: {method: POST, url: '
                     '"https://invoice.zoho.com/api/invoices/delete/1"}\n')
    return calls


def _commands(tmp_path: Path) -> dict[str, list[str]]:
    return {
        "scan": ["scan", str(PROJECT), "--no-config"],
        "rewrite": ["rewrite", str(PROJECT), "--no-config"],
        "report": ["report", str(PROJECT), "-o", "-", "--no-config"],
        "verify": ["verify", "--calls", str(_write_calls(tmp_path)), "--access-token", "1000.x"],
    }


@pytest.mark.parametrize("name", ["scan", "rewrite", "report", "verify"])
def test_full_stdout_is_one_line_and_exit_2(name, tmp_path):
    args = _commands(tmp_path)[name]
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "migrate", *args], stdout=full, stderr=subprocess.PIPE,
                              text=True, env=_clean_env(), timeout=300)
    assert proc.returncode == 2, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "error" in line]
    assert errors == ["zoho-migrate: error: cannot write to stdout: No space left on device"], proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("name", ["scan", "rewrite", "report", "verify"])
def test_closed_stdout_is_one_line_and_exit_2(name, tmp_path):
    args = _commands(tmp_path)[name]
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -0` after head has exited: every write gets EPIPE
    try:
        proc = subprocess.run([sys.executable, "-m", "migrate", *args], stdout=write_end, stderr=subprocess.PIPE,
                              text=True, env=_clean_env(), timeout=300)
    finally:
        os.close(write_end)
    assert proc.returncode == 2, proc.stderr
    assert "zoho-migrate: error: cannot write to stdout: Broken pipe" in proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr


# ---- one error style


@pytest.mark.parametrize("args", [["scan", "--format", "nope"], ["scan", "--bogus"], ["nosuch"],
                                  ["rewrite", "--jobs", "-1"], ["rules", "show"], ["report"],
                                  ["scan", "/no/such/path"]])
def test_usage_and_input_errors_are_one_line_exit_2(args):
    result = run_cli(*args)
    assert result.returncode == 2
    _one_error_line(result.stderr)


def test_rewrite_output_option_writes_the_diff_there(tmp_path):
    out = tmp_path / "diff.txt"
    result = run_cli("rewrite", str(PROJECT), "-o", str(out), "--no-config")
    assert result.stdout == "" and out.read_text().startswith("--- ")
    assert SECRET not in out.read_text()  # masked like stdout


def test_a_bare_group_prints_its_help_not_an_error_line():
    result = run_cli("auth")
    assert result.returncode == 2 and result.stderr.startswith("Usage: zoho-migrate auth")
    assert "token" in result.stderr and "zoho-migrate: error" not in result.stderr
