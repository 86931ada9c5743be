"""`zoho-migrate auth ...`: get OAuth tokens, keep them in a store, hand out valid access tokens.

Thin click layer: the work is in session, login, accounts, access and the stores. Machine output (URLs, ids,
the access token, JSON) goes to stdout; notes go to stderr with every secret masked.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import httpx

from migrate import cliopts
from migrate.auth.access import ensure_fresh
from migrate.auth.accounts import AccountsClient
from migrate.auth.config import accounts_matching_api_domain, check_url, datacenter_of_url
from migrate.auth.errors import OAuthError
from migrate.auth.http import send, timeout
from migrate.auth.login import LoopbackCatcher, Redirect, authorization_url, new_state
from migrate.auth.oauth import ZohoOAuth
from migrate.auth.protocol import TokenReply
from migrate.auth.session import Session, read_lines
from migrate.auth.token import Token
from migrate.errors import EXIT_OK, EXIT_USAGE, ConfigError
from migrate.secrets import mask_value

STORE_DEFAULT = "Default: sqlite in the user data folder."


def common(command: Callable[..., int]) -> Callable[..., int]:
    """--accounts-url, --dc and --store on every subcommand that talks to an accounts server; passes a Session
    as `session`."""

    @cliopts.accounts_url_option()
    @cliopts.dc_option()
    @cliopts.store_option(extra=STORE_DEFAULT)
    @functools.wraps(command)
    def wrapper(accounts_url: str | None, dc: str | None, store_spec: str | None, **kwargs: Any) -> int:
        return command(session=Session(accounts_url, dc, store_spec), **kwargs)

    return wrapper


def client_options(command: Callable[..., int]) -> Callable[..., int]:
    command = cliopts.env_option("--client-secret", "client_secret", "OAuth client secret (prefer the "
                                 "environment: options are visible to other local users).")(command)
    return cliopts.env_option("--client-id", "client_id", "OAuth client id.")(command)


def selection_options(command: Callable[..., int]) -> Callable[..., int]:
    command = client_options(command)
    command = cliopts.env_option("--refresh-token", "refresh_token",
                                 "Use this refresh token (stored on first use).")(command)
    command = click.option("--user-name", help="Pick the stored token of this user name.")(command)
    return click.option("--id", "token_id", help="Pick a stored token by id (or unique prefix).")(command)


def _scopes(values: tuple[str, ...]) -> list[str]:
    return [s for value in values for s in value.replace(" ", ",").split(",") if s]


def _validity(token: Token) -> str:
    left = token.seconds_left()
    if left is None:
        return "no access token"
    if left <= 0:
        return "access token expired"
    return f"access token valid {int(left // 60)} min"


def _store_reply(session: Session, reply: TokenReply, *, client_id: str, client_secret: str | None,
                 accounts_url: str, user_name: str | None, redirect_uri: str | None = None) -> Token:
    """Save a fresh grant (a new record, or the existing one for the same refresh token) and say so."""
    session.secret(reply.access_token)
    session.secret(reply.refresh_token)
    matching = accounts_matching_api_domain(session.config, accounts_url, reply.api_domain)
    if matching != accounts_url:
        session.note(f"the reply's api_domain {reply.api_domain} belongs to another data center: refreshes "
                     f"will go to {matching}")
    token = Token(user_name=user_name, client_id=client_id, client_secret=client_secret,
                  redirect_url=redirect_uri, accounts_url=matching)
    reply.apply_to(token)
    if not token.refresh_token:
        session.note("the reply has no refresh token (was access_type=offline used?); storing the access "
                     "token alone, it cannot be refreshed")
    session.store.save_token(token)
    session.note(f"stored token {token.id} ({', '.join(token.scopes) or 'no scopes listed'}; api_domain "
                 f"{token.api_domain or '?'}; {_validity(token)}) in {session.store!r}")
    click.echo(token.id)
    return token


def _accounts_from_redirect(session: Session, redirect: Redirect, default: str) -> str:
    """The redirect's `accounts-server` when no server was given explicitly and it is a known Zoho one."""
    if session.accounts_url or session.dc or not redirect.accounts_server:
        return default
    center = datacenter_of_url(session.config, redirect.accounts_server)
    host = urlsplit(check_url(redirect.accounts_server, "accounts-server")).hostname
    if center is None or host != center.accounts:
        session.note(f"ignoring the redirect's unknown accounts-server {redirect.accounts_server!r}")
        return default
    return f"https://{center.accounts}"


@click.group()
def auth() -> None:
    """Get and keep OAuth tokens for the migrated code (login, exchange, convert, token, orgs, list, revoke)."""


@auth.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--scope", "scope_values", multiple=True,
              help="Scopes to ask for (repeatable or comma-separated); default: what a scan of PATHS needs.")
@click.option("--redirect-uri", metavar="URL", callback=cliopts.url_callback,
              help="Registered redirect URI; without --listen, print the URL and finish with `auth exchange`.")
@click.option("--listen/--no-listen", default=None,
              help="Catch the redirect on a loopback port (default: on unless --redirect-uri is not loopback).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Loopback port (0: any free port; must match the registered redirect URI).")
@click.option("--open/--no-open", "open_browser", default=False, help="Open the URL in a browser.")
@click.option("--timeout", "wait_seconds", type=click.FloatRange(min=1), default=None,
              help="Seconds to wait for the redirect.")
@click.option("--user-name", help="Label the stored token with this user name.")
@client_options
@common
def login(session: Session, paths: tuple[Path, ...], scope_values: tuple[str, ...], redirect_uri: str | None,
          listen: bool | None, port: int | None, open_browser: bool, wait_seconds: float | None,
          user_name: str | None, client_id: str | None, client_secret: str | None) -> int:
    """Print the authorization URL for the least-privilege scopes PATHS need, and (with --listen) catch the
    redirect on 127.0.0.1, exchange the code and store the tokens."""
    loopback = session.config.loopback
    if redirect_uri is not None:
        redirect_uri = check_url(redirect_uri, "--redirect-uri")
    is_loopback = redirect_uri is None or (urlsplit(redirect_uri).hostname in ("127.0.0.1", "localhost")
                                           and urlsplit(redirect_uri).scheme == "http")
    listen = is_loopback if listen is None else listen
    if listen and not is_loopback:
        raise ConfigError(f"--redirect-uri {redirect_uri}: --listen needs an http://127.0.0.1:PORT/... URI")
    if not listen and redirect_uri is None:
        raise ConfigError("--no-listen needs --redirect-uri (the one registered for the client)")
    client_id, client_secret = session.client_credentials(client_id, client_secret, need_secret=listen)
    hosts: list[str] = []
    scopes = _scopes(scope_values)
    if not scopes:
        from migrate.auth.infer import infer_needs
        from migrate.ruleset import load_ruleset

        targets = list(paths) or [Path(".")]
        needs = infer_needs(targets, load_ruleset())
        scopes, hosts = needs.scopes, needs.hosts
        if not scopes:
            raise ConfigError(f"no Zoho API call needing a scope found in {', '.join(map(str, targets))}; "
                              "pass --scope")
        session.note(f"scopes from the scan ({needs.findings} findings): {', '.join(scopes)}")
    servers = session.servers(hosts=hosts)
    session.note(f"accounts server {servers.accounts_url} ({servers.reason})")
    state = new_state()
    if not listen:
        assert redirect_uri is not None
        click.echo(authorization_url(session.config, servers.accounts_url, client_id, scopes, redirect_uri, state))
        session.note("open the URL, consent, then run: zoho-migrate auth exchange --code '<the URL you were "
                     f"redirected to>' --state {state} --redirect-uri {redirect_uri}")
        return EXIT_OK
    if redirect_uri is not None:
        parts = urlsplit(redirect_uri)
        host, path = parts.hostname or loopback["host"], parts.path or loopback["path"]
        port = parts.port if parts.port is not None else (port or 80)
    else:
        host, path = str(loopback["host"]), str(loopback["path"])
        port = int(loopback.get("port", 0)) if port is None else port
    catcher = LoopbackCatcher(state, host=host, port=port, path=path).start()
    url = authorization_url(session.config, servers.accounts_url, client_id, scopes, catcher.redirect_uri, state)
    click.echo(url)
    sys.stdout.flush()
    if open_browser:
        import webbrowser  # only when asked: it pulls in subprocess and friends

        webbrowser.open(url)
    session.note(f"waiting for the redirect on {catcher.redirect_uri} (open the URL above and consent)")
    redirect = catcher.wait(wait_seconds or float(loopback["timeout_seconds"]))
    if catcher.refused:
        session.note(f"refused {catcher.refused} redirect(s) carrying another state")
    if redirect.error:
        raise OAuthError(f"authorization refused by the accounts server: {redirect.error}")
    if not redirect.code:
        raise OAuthError("the redirect carries no code")
    session.secret(redirect.code)
    accounts_url = _accounts_from_redirect(session, redirect, servers.accounts_url)
    with AccountsClient(session.config, accounts_url, note=session.note) as accounts:
        reply = accounts.exchange_code(client_id, client_secret or "", redirect.code, catcher.redirect_uri)
    _store_reply(session, reply, client_id=client_id, client_secret=client_secret, accounts_url=accounts_url,
                 user_name=user_name, redirect_uri=catcher.redirect_uri)
    return EXIT_OK


@auth.command()
@click.option("--code", required=True, help="The grant code (a self client's, or the URL you were redirected "
              "to, which also lets --state be checked).")
@click.option("--redirect-uri", metavar="URL", callback=cliopts.url_callback,
              help="The redirect URI the code was issued for (not needed for self clients).")
@click.option("--state", help="The state `auth login` printed; checked against the redirect URL.")
@click.option("--user-name", help="Label the stored token with this user name.")
@client_options
@common
def exchange(session: Session, code: str, redirect_uri: str | None, state: str | None, user_name: str | None,
             client_id: str | None, client_secret: str | None) -> int:
    """Exchange a grant code for tokens and store them (prints the stored token's id)."""
    redirect = Redirect.parse(code)
    session.secret(redirect.code)
    if redirect.error:
        raise OAuthError(f"--code: the redirect says the authorization failed: {redirect.error}")
    if not redirect.code:
        raise ConfigError("--code: no grant code in the value given")
    if state is not None and redirect.state is None:
        raise ConfigError("--state needs the full redirect URL in --code (a bare code carries no state)")
    redirect.check_state(state)
    client_id, client_secret = session.client_credentials(client_id, client_secret)
    accounts_url = _accounts_from_redirect(session, redirect, session.servers().accounts_url)
    with AccountsClient(session.config, accounts_url, note=session.note) as accounts:
        reply = accounts.exchange_code(client_id, client_secret or "", redirect.code, redirect_uri)
    _store_reply(session, reply, client_id=client_id, client_secret=client_secret, accounts_url=accounts_url,
                 user_name=user_name, redirect_uri=redirect_uri)
    return EXIT_OK


def _authtokens(session: Session, values: tuple[str, ...]) -> list[tuple[str, str]]:
    """(label, authtoken) from --authtoken values: a token, @FILE or an existing file (one per line)."""
    if not values:
        env = session.env("authtoken")
        if not env:
            raise ConfigError(f"--authtoken is required (a token, a file of them, or set "
                              f"{session.config.env('authtoken')})")
        values = (env,)
    out: list[tuple[str, str]] = []
    for value in values:
        if value.startswith("@") or _names_a_file(value):
            # an empty, unreadable or missing file is an error (read_lines says which): never sent as a token
            out += read_lines(Path(value.removeprefix("@")), "--authtoken")
        else:
            out.append(("--authtoken", value))
    for _, token in out:
        session.secret(token)
    return out


def _names_a_file(value: str) -> bool:
    """Is an --authtoken value a file name? Authtokens are hex strings: a value with a path separator, or one
    naming anything on disk (a file, /dev/null, a folder), is a path."""
    return len(value) < 4096 and ("/" in value or os.sep in value or Path(value).exists())


@auth.command()
@cliopts.env_option("--authtoken", "authtoken", "Authtoken to convert, or a file of them (one per line; @FILE "
                    "also works; an empty or unreadable file is an error).", "authtoken_values", multiple=True)
@click.option("--scope", "scope_values", multiple=True, required=True,
              help="OAuth scopes for the new token (repeatable or comma-separated).")
@click.option("--soid", required=True, help="ZohoCRM.<zgid> or ZohoSupport.<orgId>.")
@click.option("--user-name", help="Label the stored tokens with this user name.")
@client_options
@common
def convert(session: Session, authtoken_values: tuple[str, ...], scope_values: tuple[str, ...], soid: str,
            user_name: str | None, client_id: str | None, client_secret: str | None) -> int:
    """Convert legacy authtokens to OAuth tokens (Zoho's authtooauth; CRM, Recruit, Desk, Mail) and store them.

    Prints one stored token id per converted authtoken; failures are reported per token, the others go on.
    """
    scopes = _scopes(scope_values)
    if not scopes:
        raise ConfigError("--scope: no scope given")
    client_id, client_secret = session.client_credentials(client_id, client_secret)
    tokens = _authtokens(session, authtoken_values)
    accounts_url = session.servers().accounts_url
    failed: list[str] = []
    with AccountsClient(session.config, accounts_url, note=session.note) as accounts:
        for index, (label, authtoken) in enumerate(tokens):
            try:
                reply = accounts.authtooauth(client_id, client_secret or "", authtoken, scopes, soid)
            except OAuthError as error:
                session.note(f"{label}: authtoken {mask_value(authtoken)} not converted: {error}")
                failed.append(label)
                if error.error == "Access Denied":  # Zoho's rate limit: the rest would fail the same way
                    rest = [lbl for lbl, _ in tokens[index + 1 :]]
                    failed += rest
                    if rest:
                        session.note(f"rate limited: {len(rest)} more not tried ({', '.join(rest)}); "
                                     "run again in a minute with those")
                    break
                continue
            _store_reply(session, reply, client_id=client_id, client_secret=client_secret,
                         accounts_url=accounts_url, user_name=user_name)
    done = len(tokens) - len(failed)
    session.note(f"converted {done} of {len(tokens)} authtokens (Zoho deletes a converted authtoken about "
                 "24 hours later)")
    return EXIT_USAGE if failed else EXIT_OK


@auth.command()
@selection_options
@click.option("--min-valid", type=click.FloatRange(min=0), default=None,
              help="Refresh when the access token has less than this many seconds left (default from "
              "rules/oauth.yaml: refresh_margin_seconds).")
@common
def token(session: Session, token_id: str | None, user_name: str | None, refresh_token: str | None,
          client_id: str | None, client_secret: str | None, min_valid: float | None) -> int:
    """Print a valid access token (only that) on stdout, refreshing it first when due.

    Works from the environment alone: ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN.
    """
    ref, create = session.pick(token_id, user_name, client_id, client_secret, refresh_token)
    fresh = ensure_fresh(session.store, ref, session.config, accounts_url=session.accounts_for(ref),
                         margin_seconds=min_valid, create=create, note=session.note)
    session.remember(fresh)
    assert fresh.access_token
    click.echo(fresh.access_token)
    return EXIT_OK


def _listed(session: Session, token: Token, accounts_url: str | None, dc: str | None) -> bool:
    """Does `token` pass the `auth list` filters (its accounts server, its data center)?"""
    if accounts_url and (token.accounts_url or "").rstrip("/") != accounts_url:
        return False
    if dc:
        center = datacenter_of_url(session.config, token.accounts_url or token.api_domain or "")
        return center is not None and center.id == dc
    return True


def _api_error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict):
        return f"HTTP {response.status_code}: code {body.get('code')}: {body.get('message')}"
    return f"HTTP {response.status_code}"


@auth.command()
@selection_options
@click.option("--product", default="invoice", show_default=True,
              help="Which product's organizations (invoice, books, inventory, billing).")
@cliopts.env_option("--api-url", "api_domain", "API domain URL (default: the token's api_domain; e.g. an "
                    "emulator).", metavar="URL", callback=cliopts.url_callback)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text: id, name, default flag per line; json: the organizations as Zoho "
              "lists them.")
@common
def orgs(session: Session, token_id: str | None, user_name: str | None, refresh_token: str | None,
         client_id: str | None, client_secret: str | None, product: str, api_url: str | None,
         output_format: str) -> int:
    """List the organizations the token can see, to pick the organization id v3 calls need."""
    path = session.config.organizations_path(product)
    ref, create = session.pick(token_id, user_name, client_id, client_secret, refresh_token)
    accounts_url = session.accounts_for(ref)
    fresh = ensure_fresh(session.store, ref, session.config, accounts_url=accounts_url, create=create,
                         note=session.note)
    session.remember(fresh)
    api = api_url or session.env("api_domain") or fresh.api_domain or session.servers().api_domain
    url = check_url(api, "--api-url") + path
    auth_ = ZohoOAuth(fresh, session.config, accounts_url=accounts_url, on_refresh=session.store.save_token)
    with httpx.Client(auth=auth_, timeout=timeout(session.config.http)) as client:
        response = send(client, client.build_request("GET", url), session.config.http,
                        what=f"GET {url}", note=session.note)
    session.remember(fresh)
    if response.status_code != 200:
        raise OAuthError(f"GET {url}: {_api_error(response)}", secrets=session.secrets)
    try:
        organizations = response.json().get("organizations") or []
    except (ValueError, AttributeError):
        raise OAuthError(f"GET {url}: the reply is not the expected JSON") from None
    if output_format == "json":
        click.echo(json.dumps({"version": 1, "product": product, "organizations": organizations}, indent=2))
    else:
        for org in organizations:
            default = "default" if org.get("is_default_org") else ""
            click.echo("\t".join([str(org.get("organization_id", "")), str(org.get("name", "")), default]).rstrip())
        session.note(f"{len(organizations)} organizations; pass the id as organization_id "
                     f"(or {session.config.env('organization_id')})")
    return EXIT_OK


@auth.command(name="list")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text: one token a line; json: every stored field, secrets masked.")
@click.option("--accounts-url", metavar="URL", callback=cliopts.url_callback,
              help="List only the tokens refreshed at this accounts server.")
@click.option("--dc", metavar="DC", callback=cliopts.dc_callback,
              help="List only the tokens of this Zoho data center (us, eu, in, au, jp, ca, sa, cn).")
@cliopts.store_option(extra=STORE_DEFAULT)
def list_(output_format: str, accounts_url: str | None, dc: str | None, store_spec: str | None) -> int:
    """List the stored tokens, secrets masked (all of them, or those of one accounts server or data center)."""
    session = Session(None, None, store_spec)
    tokens = [t for t in session.store.get_tokens() if _listed(session, t, accounts_url, dc)]
    now = time.time()
    if output_format == "json":
        rows = []
        for t in tokens:
            shown = t.masked()
            left = t.seconds_left(now)
            shown["access_valid_seconds"] = None if left is None else max(0, int(left))
            rows.append(shown)
        click.echo(json.dumps({"version": 1, "store": repr(session.store), "tokens": rows}, indent=2))
        return EXIT_OK
    for t in tokens:
        shown = t.masked()
        click.echo("\t".join([
            str(t.id), t.user_name or "-", t.client_id or "-", shown.get("refresh_token") or "-",
            _validity(t), t.api_domain or "-", ",".join(t.scopes) or "-",
        ]))
    session.note(f"{len(tokens)} tokens in {session.store!r}")
    return EXIT_OK


@auth.command()
@selection_options
@click.option("--all", "revoke_all", is_flag=True, help="Revoke and delete every stored token.")
@click.option("--keep", is_flag=True, help="Keep the local record (only revoke at the accounts server).")
@common
def revoke(session: Session, token_id: str | None, user_name: str | None, refresh_token: str | None,
           client_id: str | None, client_secret: str | None, revoke_all: bool, keep: bool) -> int:
    """Revoke refresh tokens at the accounts server and delete them from the store."""
    if revoke_all:
        targets = [session.remember(t) for t in session.store.get_tokens()]
    else:
        ref, _ = session.pick(token_id, user_name, client_id, None, refresh_token)
        stored = session.store.find_token_by_id(ref.id) if ref.id else session.store.find_token(ref)
        targets = [session.remember(stored or ref)]
    for target in targets:
        if target.refresh_token:
            with AccountsClient(session.config, session.accounts_for(target), note=session.note) as accounts:
                accounts.revoke(target.refresh_token)
            session.note(f"revoked refresh token {mask_value(target.refresh_token)}")
        if target.id and not keep:
            session.store.delete_token(target.id)
            session.note(f"deleted token {target.id} from {session.store!r}")
    if not targets:
        session.note("no tokens stored")
    return EXIT_OK
