"""Every `zoho-migrate auth` subcommand as a user runs it (subprocess), against the emulator over real HTTP,
with a tmp SQLite store; every captured output is grepped for the secret values."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from migrate.auth.store import Token, open_store
from tests.auth.helpers import assert_no_secret, clean_env, emulator_secrets
from tests.conftest import FIXTURES, REPO

PROJECT = FIXTURES / "projects" / "legacy-invoice-py"


def out(proc) -> str:
    return proc.stdout + proc.stderr


def check(proc, secrets, code: int = 0):
    assert proc.returncode == code, proc.stderr
    assert_no_secret(out(proc), secrets)
    return proc


def test_token_from_environment_alone(emulator, auth_cli, cred_env, store_path):
    secrets = emulator_secrets(emulator)
    proc = check(auth_cli("token", env=cred_env), secrets[:2] + secrets[3:])
    access = proc.stdout.strip()
    assert access.startswith("1000.") and proc.stdout == access + "\n"  # only the token on stdout
    assert access not in proc.stderr
    assert len(emulator.log.refreshes()) == 1
    # stored: a second run prints the same token without asking the accounts server
    again = check(auth_cli("token", env=cred_env), secrets)
    assert again.stdout.strip() == access and len(emulator.log.refreshes()) == 1
    (stored,) = open_store(f"sqlite:{store_path}").get_tokens()
    assert stored.refresh_token == emulator.credentials.refresh_token and stored.access_token == access
    assert oct(store_path.stat().st_mode & 0o777) == "0o600"
    # --min-valid beyond the lifetime forces a refresh
    forced = check(auth_cli("token", "--min-valid", "7200", env=cred_env), [])
    assert forced.stdout.strip() != access and len(emulator.log.refreshes()) == 2


def test_token_from_store_needs_no_environment(emulator, auth_cli, cred_env, home):
    auth_cli("token", env=cred_env)
    proc = auth_cli("token", env=clean_env(home), accounts=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().startswith("1000.")


def test_token_errors_are_one_line_exit_2(emulator, auth_cli, cred_env, home):
    proc = auth_cli("token", env=clean_env(home))
    assert proc.returncode == 2 and "no token stored" in proc.stderr and proc.stdout == ""
    bad = dict(cred_env, ZOHO_REFRESH_TOKEN="1000.0000000000000000000000000000dead.00000000000000000000000000000000")
    proc = auth_cli("token", env=bad)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "invalid_code" in proc.stderr
    assert_no_secret(out(proc), emulator_secrets(emulator) + [bad["ZOHO_REFRESH_TOKEN"]])


def test_refresh_limit_message_via_cli(emulator, auth_cli, cred_env):
    emulator.accounts.refresh_limit = (0, 600.0)
    proc = auth_cli("token", env=cred_env)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "too many requests" in proc.stderr and "10 minutes" in proc.stderr
    assert_no_secret(out(proc), emulator_secrets(emulator))


def test_list_is_masked(emulator, auth_cli, cred_env):
    auth_cli("token", env=cred_env)
    secrets = emulator_secrets(emulator) + [open_store_token(auth_cli, cred_env)]
    text = check(auth_cli("list", env=cred_env), secrets)
    assert "1000…bbbb" in text.stdout and "access token valid" in text.stdout
    data = json.loads(check(auth_cli("list", "--format", "json", env=cred_env), secrets).stdout)
    (row,) = data["tokens"]
    assert row["client_id"] == emulator.credentials.client_id
    assert row["client_secret"] == "0123…6789" and row["access_valid_seconds"] > 3000


def open_store_token(auth_cli, env) -> str:
    return auth_cli("token", env=env).stdout.strip()


def test_orgs_with_api_url_and_from_api_domain(emulator, auth_cli, cred_env):
    secrets = emulator_secrets(emulator)
    proc = check(auth_cli("orgs", "--api-url", emulator.base_url, env=cred_env), secrets)
    assert proc.stdout.splitlines() == ["10234695\tZylker Corp\tdefault", "10234696\tZylker Europe"]
    assert emulator.log.find(path="/invoice/v3/organizations")[0].headers["authorization"].startswith(
        "Zoho-oauthtoken 1000.")
    # the token reply's api_domain is used when it points somewhere reachable
    emulator.accounts.api_domain_override = emulator.base_url
    check(auth_cli("token", "--min-valid", "9999", env=cred_env), [])
    data = json.loads(check(auth_cli("orgs", "--product", "books", "--format", "json", env=cred_env),
                            secrets).stdout)
    assert [o["organization_id"] for o in data["organizations"]] == ["10234695", "10234696"]
    assert emulator.log.find(path="/books/v3/organizations")
    bad = auth_cli("orgs", "--product", "nope", env=cred_env)
    assert bad.returncode == 2 and "--product 'nope'" in bad.stderr


def test_exchange_with_redirect_url_and_state(emulator, auth_cli, cred_env, oauth_config, store_path):
    from tests.auth.test_auth_accounts import REDIRECT

    c = emulator.credentials
    url = (f"{emulator.base_url}/oauth/v2/auth?scope=ZohoInvoice.invoices.READ&client_id={c.client_id}"
           f"&response_type=code&access_type=offline&redirect_uri={REDIRECT}&state=abc123")
    location = httpx.get(url).headers["location"]
    code = parse_qs(urlsplit(location).query)["code"][0]
    secrets = emulator_secrets(emulator) + [code]
    wrong = check(auth_cli("exchange", "--code", location, "--state", "zzz", "--redirect-uri", REDIRECT,
                           env=cred_env), secrets, 2)
    assert "state does not match" in wrong.stderr and not emulator.log.token_requests()
    proc = check(auth_cli("exchange", "--code", location, "--state", "abc123", "--redirect-uri", REDIRECT,
                          "--user-name", "ada", env=cred_env), secrets)
    token_id = proc.stdout.strip()
    stored = open_store(f"sqlite:{store_path}").find_token_by_id(token_id)
    assert stored.user_name == "ada" and stored.scopes == ["ZohoInvoice.invoices.READ"]
    assert stored.refresh_token and stored.refresh_token != c.refresh_token and stored.grant_token is None
    assert_no_secret(out(proc), [stored.refresh_token, stored.access_token])
    used = check(auth_cli("exchange", "--code", code, "--redirect-uri", REDIRECT, env=cred_env), secrets, 2)
    assert "invalid_code" in used.stderr


def test_login_no_listen_prints_least_privilege_url(emulator, auth_cli, cred_env):
    proc = check(auth_cli("login", str(PROJECT), "--redirect-uri", "https://example.com/cb", "--no-listen",
                          env=cred_env), emulator_secrets(emulator))
    url = proc.stdout.strip()
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert url.startswith(emulator.base_url + "/oauth/v2/auth?")
    assert params["scope"] == "ZohoInvoice.invoices.READ,ZohoInvoice.settings.READ"
    assert params["access_type"] == "offline" and params["prompt"] == "consent"
    assert params["response_type"] == "code" and len(params["state"]) >= 24
    assert f"--state {params['state']}" in proc.stderr
    # the same least-privilege set `zoho-migrate scopes` reports
    from tests.conftest import run_cli

    scopes = json.loads(run_cli("scopes", str(PROJECT), "--format", "json").stdout)
    assert params["scope"] == scopes["scope_param"]


def test_login_picks_the_data_center_from_the_scanned_hosts(tmp_path, home):
    from tests.conftest import run_cli

    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text('import requests\nrequests.get("https://invoice.zoho.eu/api/invoices/'
                                    '?authtoken=" + TOKEN)\n')
    args = ("auth", "login", str(project), "--client-id", "1000.X", "--no-listen", "--redirect-uri",
            "https://example.com/cb")
    proc = run_cli(*args, env=clean_env(home))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("https://accounts.zoho.eu/oauth/v2/auth?")
    assert "scope=ZohoInvoice.invoices.READ&" in proc.stdout
    assert "legacy hosts in the scanned code (eu)" in proc.stderr
    explicit = run_cli(*args, "--dc", "in", env=clean_env(home))
    assert explicit.stdout.startswith("https://accounts.zoho.in/")
    (project / "app.py").write_text("print('no zoho here')\n")
    nothing = run_cli(*args, env=clean_env(home))
    assert nothing.returncode == 2 and "pass --scope" in nothing.stderr
    (project / "other.py").write_text('A = "https://invoice.zoho.com/api/items/"\n'
                                      'B = "https://invoice.zoho.eu/api/items/"\n')
    mixed = run_cli(*args, env=clean_env(home))
    assert mixed.returncode == 2 and "several data centers (eu, us)" in mixed.stderr


def test_login_with_loopback_catcher(emulator, cred_env, store_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "migrate", "auth", "login", "--scope", "ZohoInvoice.settings.READ", "--port", "0",
         "--timeout", "60", "--accounts-url", emulator.base_url, "--store", f"sqlite:{store_path}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cred_env, cwd=REPO)
    try:
        url = proc.stdout.readline().strip()
        params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        catcher = params["redirect_uri"]
        assert catcher.startswith("http://127.0.0.1:") and params["access_type"] == "offline"
        # a request with another state is refused and the login keeps waiting
        forged = httpx.get(catcher, params={"code": "1000.forged.code", "state": "not-the-state"})
        assert forged.status_code == 400
        location = httpx.get(url).headers["location"]  # the browser: consent, then the redirect
        assert httpx.get(location).status_code == 200
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    token_id = stdout.strip()
    stored = open_store(f"sqlite:{store_path}").find_token_by_id(token_id)
    assert stored.scopes == ["ZohoInvoice.settings.READ"] and stored.redirect_url == catcher
    assert "refused 1 redirect" in stderr
    exchange = emulator.log.token_requests("authorization_code")
    assert len(exchange) == 1 and exchange[0].form["redirect_uri"] == catcher
    assert_no_secret(url + stdout + stderr, emulator_secrets(emulator) + [stored.refresh_token,
                                                                        stored.access_token])


def test_login_denied_by_user(emulator, cred_env, store_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "migrate", "auth", "login", "--scope", "ZohoInvoice.settings.READ", "--port", "0",
         "--accounts-url", emulator.base_url, "--store", f"sqlite:{store_path}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cred_env, cwd=REPO)
    try:
        url = proc.stdout.readline().strip()
        params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        httpx.get(params["redirect_uri"], params={"error": "access_denied", "state": params["state"]})
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 2 and "authorization refused by the accounts server: access_denied" in stderr


def test_convert_one_token_and_a_file(emulator, auth_cli, cred_env, tmp_path, store_path):
    c = emulator.credentials
    secrets = emulator_secrets(emulator)
    proc = check(auth_cli("convert", "--authtoken", c.authtoken, "--scope", "ZohoCRM.modules.ALL",
                          "--soid", c.crm_soid, env=cred_env), secrets)
    (token_id,) = proc.stdout.split()
    assert open_store(f"sqlite:{store_path}").find_token_by_id(token_id).scopes == ["ZohoCRM.modules.ALL"]
    tokens = tmp_path / "authtokens.txt"
    unknown = "0123456789abcdef0123456789abcdef"
    tokens.write_text(f"# exported from the old config\n{c.authtoken}\n\n{unknown}  # leftover\n")
    proc = check(auth_cli("convert", "--authtoken", str(tokens), "--scope", "ZohoCRM.modules.ALL",
                          "--soid", c.crm_soid, env=cred_env), secrets + [unknown], 2)
    assert f"{tokens}:2: authtoken a8b6…231a not converted" in proc.stderr and "already converted" in proc.stderr
    assert f"{tokens}:4:" in proc.stderr and "invalid or already deleted" in proc.stderr
    assert "converted 0 of 2" in proc.stderr and proc.stdout == ""
    from_env = check(auth_cli("convert", "--scope", "ZohoCRM.modules.ALL", "--soid", "",
                              env=dict(cred_env, ZOHO_AUTHTOKEN=c.authtoken)), secrets, 2)
    assert "soid is missing" in from_env.stderr


def test_revoke_removes_token_everywhere(emulator, auth_cli, cred_env, store_path, home):
    auth_cli("token", env=cred_env)
    (stored,) = open_store(f"sqlite:{store_path}").get_tokens()
    proc = check(auth_cli("revoke", "--id", stored.id[:8], env=clean_env(home)), emulator_secrets(emulator))
    assert "revoked refresh token 1000…bbbb" in proc.stderr
    assert emulator.log.find(path="/oauth/v2/token/revoke")[0].query == {"token": emulator.credentials.refresh_token}
    assert open_store(f"sqlite:{store_path}").get_tokens() == []
    dead = auth_cli("token", env=cred_env)
    assert dead.returncode == 2 and "invalid_code" in dead.stderr


def test_file_store_and_bad_store_specs_via_cli(emulator, auth_cli, cred_env, tmp_path):
    path = tmp_path / "tokens.json"
    proc = auth_cli("token", env=cred_env, store=f"file:{path}")
    assert proc.returncode == 0 and oct(path.stat().st_mode & 0o777) == "0o600"
    assert json.loads(path.read_text())["tokens"][0]["access_token"] == proc.stdout.strip()
    bad = auth_cli("list", env=cred_env, store="tokens.db")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "expected sqlite:PATH" in bad.stderr


@pytest.mark.parametrize("name, content", [("tokens.db", b"garbage, not sqlite\n" * 20),
                                           ("tokens.json", b'{"version": 1, "tokens": [\n')])
def test_corrupt_store_via_cli(emulator, auth_cli, cred_env, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    spec = ("sqlite:" if name.endswith(".db") else "file:") + str(path)
    for sub in ("token", "list"):
        proc = auth_cli(sub, env=cred_env, store=spec)
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr.startswith(f"zoho-migrate: error: {path}") and proc.stderr.count("\n") == 1
        assert "left untouched" in proc.stderr
    assert path.read_bytes() == content
    assert not emulator.log.refreshes()


def test_store_env_variable_and_default_location(emulator, cred_env, home):
    from tests.conftest import run_cli

    proc = run_cli("auth", "token", "--accounts-url", emulator.base_url, env=cred_env)
    assert proc.returncode == 0, proc.stderr
    default = home / "data" / "zoho-migrate" / "tokens.db"
    assert default.is_file() and oct(default.stat().st_mode & 0o777) == "0o600"
    other = home / "other.json"
    proc = run_cli("auth", "list", env=dict(cred_env, ZOHO_MIGRATE_STORE=f"file:{other}"))
    assert proc.returncode == 0 and "0 tokens" in proc.stderr


def test_help_lists_every_subcommand():
    from click.testing import CliRunner

    from migrate.cli import cli

    runner = CliRunner()
    listing = runner.invoke(cli, ["auth", "--help"]).output
    for sub in ("login", "exchange", "convert", "token", "orgs", "list", "revoke"):
        assert sub in listing
        text = runner.invoke(cli, ["auth", sub, "--help"]).output
        assert "--accounts-url" in text and "--dc" in text and "--store" in text


@pytest.fixture(autouse=True)
def _repo_cwd(monkeypatch):
    monkeypatch.chdir(Path(REPO))


def test_stored_accounts_server_kept_when_env_alone(emulator, auth_cli, cred_env):
    """A grant first used with --accounts-url keeps refreshing there when later runs give only the environment
    (the default accounts.zoho.com is not reachable from the tests: a wrong pick would fail)."""
    first = auth_cli("token", env=cred_env).stdout.strip()
    proc = auth_cli("token", "--min-valid", "99999", env=cred_env, accounts=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() not in ("", first) and len(emulator.log.refreshes()) == 2
    rotated = dict(cred_env, ZOHO_CLIENT_SECRET="rotated-secret-value-000000")
    bad = auth_cli("token", "--min-valid", "99999", env=rotated, accounts=False)
    # the refresh is refused; the current token (an hour left) is still handed out, the reason on stderr
    assert bad.returncode == 0 and bad.stdout.strip() == proc.stdout.strip()
    assert "invalid_client_secret" in bad.stderr and "using the current access token" in bad.stderr
    assert "rotated-secret-value-000000" not in bad.stdout + bad.stderr


USER_STORE = '''
import json, pathlib
from migrate.auth.token import Token

PATH = pathlib.Path("user-tokens.json")


class JsonStore:
    """A user's own store in the shape of Zoho's SDKs (no locking of its own)."""

    def _load(self):
        return [Token.from_dict(t) for t in json.loads(PATH.read_text())] if PATH.exists() else []

    def _dump(self, tokens):
        PATH.write_text(json.dumps([t.to_dict() for t in tokens]))

    def find_token(self, token):
        return next((t for t in self._load() if t.matches(token)), None)

    def save_token(self, token):
        tokens = [t for t in self._load() if t.id != token.id]
        token.id = token.id or f"user-{len(tokens) + 1}"
        self._dump(tokens + [token])

    def delete_token(self, id):
        self._dump([t for t in self._load() if t.id != id])

    def get_tokens(self):
        return self._load()

    def delete_tokens(self):
        self._dump([])

    def find_token_by_id(self, id):
        return next((t for t in self._load() if t.id == id), None)
'''


def test_python_store_via_cli(emulator, cred_env, tmp_path, home):
    from tests.conftest import run_cli

    (tmp_path / "my_store.py").write_text(USER_STORE)
    args = ("auth", "token", "--accounts-url", emulator.base_url, "--store", "python:my_store:JsonStore")
    first = run_cli(*args, cwd=tmp_path, env=cred_env)
    assert first.returncode == 0, first.stderr
    again = run_cli(*args, cwd=tmp_path, env=cred_env)
    assert again.stdout == first.stdout and len(emulator.log.refreshes()) == 1
    (stored,) = json.loads((tmp_path / "user-tokens.json").read_text())
    assert stored["id"] == "user-1" and stored["access_token"] == first.stdout.strip()
    assert (home / "data" / "zoho-migrate" / "refresh.lock").exists()  # refreshes serialised for it too
    listed = run_cli("auth", "list", "--store", "python:my_store:JsonStore", cwd=tmp_path, env=cred_env)
    assert listed.stdout.startswith("user-1\t") and first.stdout.strip() not in listed.stdout


def test_token_retries_429_with_retry_after_via_cli(emulator, auth_cli, cred_env):
    emulator.faults.rate_limit_storm(1, retry_after=1, path="/oauth/v2/token")
    started = time.monotonic()
    proc = auth_cli("token", env=cred_env)
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - started >= 1.0  # Retry-After: 1 was honoured
    assert [e.status for e in emulator.log.token_requests()] == [429, 200]
    assert "HTTP 429; retrying in 1.0s" in proc.stderr
    assert_no_secret(proc.stderr, emulator_secrets(emulator) + [proc.stdout.strip()])


def test_injection_in_user_name_via_cli(emulator, auth_cli, cred_env, home, store_path):
    name = "Robert'); DROP TABLE zoho_tokens;-- \" OR 1=1"
    first = auth_cli("token", "--user-name", name, env=cred_env)
    assert first.returncode == 0, first.stderr
    listed = json.loads(auth_cli("list", "--format", "json", env=clean_env(home)).stdout)
    assert [t["user_name"] for t in listed["tokens"]] == [name]
    again = auth_cli("token", "--user-name", name, env=clean_env(home))
    assert again.returncode == 0 and again.stdout == first.stdout
    import sqlite3

    with sqlite3.connect(store_path) as db:
        assert db.execute("SELECT count(*) FROM zoho_tokens WHERE user_name = ?", (name,)).fetchone() == (1,)


def test_refused_refresh_falls_back_to_a_still_valid_token(emulator, auth_cli, cred_env, store_path):
    """Inside the margin but valid for two more minutes: a refused refresh (the refresh limit) still yields the
    current token, with the reason on stderr; once it is nearly expired the failure is an error."""
    c = emulator.credentials
    store = open_store(f"sqlite:{store_path}")
    store.save_token(Token(client_id=c.client_id, client_secret=c.client_secret, refresh_token=c.refresh_token,
                           access_token=c.access_token, expiry_time=int((time.time() + 120) * 1000),
                           accounts_url=emulator.base_url))
    emulator.accounts.refresh_limit = (0, 600.0)
    proc = auth_cli("token", env=cred_env)
    assert proc.returncode == 0 and proc.stdout.strip() == c.access_token
    assert "too many requests" in proc.stderr and "using the current access token" in proc.stderr
    assert_no_secret(proc.stderr, emulator_secrets(emulator))
    (stored,) = store.get_tokens()
    stored.expiry_time = int((time.time() + 10) * 1000)
    store.save_token(stored)
    proc = auth_cli("token", env=cred_env)
    assert proc.returncode == 2 and proc.stdout == "" and "too many requests" in proc.stderr
