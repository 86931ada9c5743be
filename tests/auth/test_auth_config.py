"""rules/oauth.yaml as the single source of truth, and how servers and data centers are chosen."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from migrate.auth.config import load_config, resolve_servers
from migrate.auth.login import Redirect, authorization_url
from migrate.errors import ConfigError, RuleError
from migrate.ruleset import load_ruleset


def test_protocol_values_come_from_rules(oauth_config):
    raw = yaml.safe_load((Path(oauth_config.source)).read_text())["oauth"]
    assert oauth_config.header_value("T") == f"{raw['header_scheme']} T" == "Zoho-oauthtoken T"
    assert oauth_config.path("token") == raw["paths"]["token"] == "/oauth/v2/token"
    assert oauth_config.refresh_margin_seconds == raw["refresh_margin_seconds"]
    form = oauth_config.grant_form("refresh_token", {"client_id": "c", "client_secret": "s", "refresh_token": "r"})
    assert form == {"grant_type": "refresh_token", "client_id": "c", "client_secret": "s", "refresh_token": "r"}
    with pytest.raises(ConfigError, match="refresh_token is required"):
        oauth_config.grant_form("refresh_token", {"client_id": "c", "client_secret": "s"})
    code = oauth_config.grant_form("authorization_code", {"client_id": "c", "client_secret": "s", "code": "x"})
    assert "redirect_uri" not in code  # optional: self-client codes have none


def test_user_rules_folder_overrides_margin(tmp_path):
    (tmp_path / "mine.yaml").write_text("oauth:\n  refresh_margin_seconds: 42\n")
    config = load_config(load_ruleset([tmp_path]))
    assert config.refresh_margin_seconds == 42
    assert config.path("token") == "/oauth/v2/token"


def test_broken_oauth_rules_name_the_problem(tmp_path, monkeypatch):
    ruleset = load_ruleset()
    ruleset.data["oauth"] = {k: v for k, v in ruleset.data["oauth"].items() if k != "paths"}
    with pytest.raises(RuleError, match="missing keys: paths"):
        load_config(ruleset)


def test_error_messages_grant_specific_first(oauth_config):
    assert "already converted" in oauth_config.error_message("access_denied", "authtooauth")
    assert oauth_config.error_message("access_denied", "refresh_token") == oauth_config.raw["errors"]["access_denied"]
    assert oauth_config.error_message("something_new") is None


@pytest.mark.parametrize("kwargs, accounts, api, dc", [
    ({}, "https://accounts.zoho.com", "https://www.zohoapis.com", "us"),
    ({"dc": "EU"}, "https://accounts.zoho.eu", "https://www.zohoapis.eu", "eu"),
    ({"dc": "ca"}, "https://accounts.zohocloud.ca", "https://www.zohoapis.ca", "ca"),
    ({"hosts": ["invoice.zoho.in", "invoice.zoho.in"]}, "https://accounts.zoho.in", "https://www.zohoapis.in", "in"),
    ({"hosts": ["crm.zoho.com.au"]}, "https://accounts.zoho.com.au", "https://www.zohoapis.com.au", "au"),
    ({"api_domain": "https://www.zohoapis.jp"}, "https://accounts.zoho.jp", "https://www.zohoapis.jp", "jp"),
    ({"api_domain": "https://www.zohoapis.jp", "dc": "eu"}, "https://accounts.zoho.eu", "https://www.zohoapis.jp",
     "eu"),
    ({"accounts_url": "http://127.0.0.1:9/", "dc": "eu"}, "http://127.0.0.1:9", "https://www.zohoapis.eu", "eu"),
])
def test_resolve_servers(oauth_config, kwargs, accounts, api, dc):
    servers = resolve_servers(oauth_config, **kwargs)
    assert (servers.accounts_url, servers.api_domain, servers.datacenter) == (accounts, api, dc)


def test_resolve_servers_errors(oauth_config):
    with pytest.raises(ConfigError, match="several data centers \\(eu, us\\)"):
        resolve_servers(oauth_config, hosts=["invoice.zoho.eu", "books.zoho.com"])
    with pytest.raises(ConfigError, match="--dc: unknown data center 'mars'"):
        resolve_servers(oauth_config, dc="mars")
    with pytest.raises(ConfigError, match="--accounts-url"):
        resolve_servers(oauth_config, accounts_url="ftp://x")


def test_authorization_url_and_redirect_parsing(oauth_config):
    url = authorization_url(oauth_config, "https://accounts.zoho.eu", "1000.C", ["A.b.READ", "A.c.ALL"],
                            "http://127.0.0.1:8915/oauth/callback", "st4te")
    assert url.startswith("https://accounts.zoho.eu/oauth/v2/auth?")
    for part in ("scope=A.b.READ%2CA.c.ALL", "client_id=1000.C", "response_type=code", "access_type=offline",
                 "prompt=consent", "state=st4te", "redirect_uri=http%3A%2F%2F127.0.0.1%3A8915%2Foauth%2Fcallback"):
        assert part in url
    redirect = Redirect.parse("http://127.0.0.1/cb?state=st4te&code=1000.x.y&location=eu&"
                              "accounts-server=https%3A%2F%2Faccounts.zoho.eu")
    assert (redirect.code, redirect.state, redirect.location) == ("1000.x.y", "st4te", "eu")
    redirect.check_state("st4te")
    with pytest.raises(ConfigError, match="state does not match"):
        redirect.check_state("other")
    assert Redirect.parse("1000.bare.code").code == "1000.bare.code"
    assert Redirect.parse("?error=access_denied&state=s").error == "access_denied"


@pytest.mark.parametrize("accounts, api_domain, expected", [
    ("https://accounts.zoho.com", "https://www.zohoapis.eu", "https://accounts.zoho.eu"),
    ("https://accounts.zoho.com", "https://www.zohoapis.com", "https://accounts.zoho.com"),
    ("https://accounts.zoho.com", None, "https://accounts.zoho.com"),
    ("http://127.0.0.1:8080", "https://www.zohoapis.eu", "http://127.0.0.1:8080"),  # emulator: kept
    ("https://accounts.zoho.in", "http://127.0.0.1:9", "https://accounts.zoho.in"),
])
def test_api_domain_is_authoritative_for_the_accounts_server(oauth_config, accounts, api_domain, expected):
    from migrate.auth.config import accounts_matching_api_domain

    assert accounts_matching_api_domain(oauth_config, accounts, api_domain) == expected


@pytest.mark.parametrize("server, expected", [
    ("https://accounts.zoho.eu", "https://accounts.zoho.eu"),
    ("https%3A%2F%2Faccounts.zoho.in", "https://accounts.zoho.in"),
    ("https://evil.example", "https://accounts.zoho.com"),
    ("https://accounts.zoho.eu.evil.example", "https://accounts.zoho.com"),
    ("https://evil.zoho.eu", "https://accounts.zoho.com"),  # a Zoho domain, but not its accounts host
])
def test_redirect_accounts_server_followed_only_when_known(server, expected, capsys, monkeypatch):
    from urllib.parse import unquote

    from migrate.auth.cli import _accounts_from_redirect
    from migrate.auth.login import Redirect
    from migrate.auth.session import Session

    monkeypatch.delenv("ZOHO_ACCOUNTS_URL", raising=False)
    session = Session(None, None, None)
    redirect = Redirect.parse(f"http://127.0.0.1/cb?code=1000.x.y&state=s&accounts-server={server}")
    assert redirect.accounts_server == unquote(server)
    assert _accounts_from_redirect(session, redirect, "https://accounts.zoho.com") == expected
    if expected == "https://accounts.zoho.com":
        assert "ignoring the redirect's unknown accounts-server" in capsys.readouterr().err
    explicit = Session("http://127.0.0.1:9", None, None)
    assert _accounts_from_redirect(explicit, redirect, "http://127.0.0.1:9") == "http://127.0.0.1:9"
