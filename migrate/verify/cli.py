"""`zoho-migrate verify`: replay calls in both API styles and prove the migrated calls return the same data.

A thin click layer: options and environment -> Credentials/Options, a call source -> calls, Verifier -> results,
results -> text or JSON on stdout (summary on stderr). Exit 0 when every call matched or was skipped, 1 on any
mismatch or error, 2 on bad input (one line on stderr).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from migrate import cliopts
from migrate.errors import EXIT_FINDINGS, EXIT_OK, ConfigError
from migrate.output import check_outputs, stale_outputs_removed, write_output
from migrate.ruleset import load_ruleset
from migrate.verify.config import load_verify_config
from migrate.verify.render import render_text, summary_line
from migrate.verify.results import results_document
from migrate.verify.runner import Credentials, Options, Verifier
from migrate.verify.sources import calls_from_har, calls_from_scan, load_calls_file
from migrate.verify.urls import check_base

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("verify")
@click.option("--calls", "calls_file", type=_FILE, help="Calls file (YAML): `calls: [{id, legacy, oauth?}]`.")
@click.option("--from-scan", "scan_file", type=_FILE,
              help="Verify the static legacy URLs a scan found (`zoho-migrate scan --format json` output).")
@click.option("--har", "har_file", type=_FILE, help="Verify the legacy Zoho requests of a HAR file.")
@click.option("--legacy-base", metavar="URL", callback=cliopts.url_callback,
              help="Send legacy calls here instead (replaces scheme and host).")
@click.option("--oauth-base", metavar="URL", callback=cliopts.url_callback,
              help="Send OAuth calls here instead (replaces scheme and host).")
@cliopts.accounts_url_option(extra="Token refreshes go there.")
@cliopts.dc_option(extra="Default: the data center of the calls' hosts.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text: a table for people; json: the contract shape (results and summary).")
@cliopts.output_option()
@click.option("--record", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Save both sides of every call as cassettes in DIR (secrets scrubbed).")
@click.option("--replay", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Verify offline from cassettes in DIR (no network).")
@click.option("--live-oauth", is_flag=True,
              help="With --replay: legacy replies from the cassettes, OAuth calls sent live (the legacy API is "
                   "switched off, the new code is not).")
@click.option("--concurrency", type=click.IntRange(1, 256), metavar="N", help="HTTP requests in flight at once.")
@click.option("--rate-limit", type=click.IntRange(0), metavar="N",
              help="Requests per minute per organization, both styles together (0: no limit).")
@click.option("--timeout", type=click.FloatRange(0.1), metavar="SECONDS", help="Seconds per request.")
@click.option("--retries", type=click.IntRange(0, 20), metavar="N", help="Retries on 429/5xx/connection failures.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="HOST",
              help="Also send credentials to HOST (repeatable; HTTP too). By default only Zoho hosts of the endpoint "
                   "map over HTTPS, and the --legacy-base/--oauth-base/--accounts-url given, receive them.")
@click.option("--max-call-bytes", type=click.IntRange(1), metavar="BYTES",
              help="Byte budget per call, all pages and both sides together (default 100000000); a call over it "
                   "is an error, its replies are not kept.")
@click.option("--allow-writes", is_flag=True, help="Also send non-GET calls (use a sandbox: they change data).")
@click.option("--calibrate", is_flag=True,
              help="Make each legacy call twice; fields that change between the two are not compared.")
@click.option("--ignore", multiple=True, metavar="FIELD", help="A v3 field never compared (repeatable), e.g. last_modified_time.")
@cliopts.rules_option(must_exist=True, extra="Endpoint maps, field maps and verify defaults too.")
@cliopts.env_option("--authtoken", "authtoken", "Legacy authtoken (prefer the environment: options are visible "
                    "to other local users).")
@click.option("--apikey", envvar="ZOHO_APIKEY", show_envvar=True, help="Legacy Invoice API key.")
@cliopts.env_option("--client-id", "client_id", "OAuth client id.")
@cliopts.env_option("--client-secret", "client_secret", "OAuth client secret (prefer the environment: options "
                    "are visible to other local users).")
@cliopts.env_option("--refresh-token", "refresh_token", "OAuth refresh token; access tokens are fetched and "
                    "refreshed with it.")
@cliopts.env_option("--access-token", "access_token",
                    "An access token to start with (refreshed on 401 when a refresh token is known).")
@cliopts.env_option("--organization-id", "organization_id", "Organization id for Invoice/Books v3 calls "
                    "(default: the account's default organization).")
@cliopts.store_option(extra="Default: none (credentials from the options and environment).")
@stale_outputs_removed
def verify(calls_file: Path | None, scan_file: Path | None, har_file: Path | None, legacy_base: str | None,
           oauth_base: str | None, accounts_url: str | None, dc: str | None, output_format: str,
           output: Path | None,
           record: Path | None, replay: Path | None, live_oauth: bool, concurrency: int | None,
           rate_limit: int | None, timeout: float | None, retries: int | None, allow_hosts: tuple[str, ...],
           max_call_bytes: int | None, allow_writes: bool, calibrate: bool,
           ignore: tuple[str, ...], rules_dirs: tuple[Path, ...], authtoken: str | None, apikey: str | None,
           client_id: str | None, client_secret: str | None, refresh_token: str | None,
           access_token: str | None, organization_id: str | None, store_spec: str | None) -> int:
    """Replay legacy calls and their OAuth equivalents and compare the data they return.

    Exit 0 when every call matched or was skipped, 1 on any mismatch or error, 2 on bad input (including a
    calls, scan or HAR file with no legacy Zoho call in it)."""
    check_outputs((), **{"--output": output})  # a symlink at the output: exit 2, untouched
    sources = [s for s in (calls_file, scan_file, har_file) if s is not None]
    if len(sources) != 1:
        raise ConfigError("give exactly one of --calls FILE, --from-scan FILE or --har FILE")
    if record and replay:
        raise ConfigError("--record and --replay cannot be used together")
    if live_oauth and not replay:
        raise ConfigError("--live-oauth needs --replay DIR (the recorded legacy side)")
    ruleset = load_ruleset(list(rules_dirs))
    config = load_verify_config(ruleset)
    if calls_file:
        calls = load_calls_file(calls_file, config)
    elif scan_file:
        calls = calls_from_scan(scan_file, ruleset, config)
    else:
        assert har_file is not None
        calls = calls_from_har(har_file, ruleset, config)
    if not calls:
        raise ConfigError("no calls in this file that go to a legacy Zoho endpoint: nothing to verify",
                          path=str(sources[0]))
    if dc and not accounts_url:
        accounts_url = f"https://{ruleset.endpoints.datacenters.get(dc).accounts}"
    overrides = {k: v for k, v in {"concurrency": concurrency, "rate_limit_per_minute": rate_limit,
                                    "timeout_seconds": timeout, "retries": retries,
                                    "max_call_bytes": max_call_bytes}.items() if v is not None}
    options = Options(
        legacy_base=check_base(legacy_base, "--legacy-base"),
        oauth_base=check_base(oauth_base, "--oauth-base"),
        accounts_url=check_base(accounts_url, "--accounts-url"),
        allow_writes=allow_writes, calibrate=calibrate, ignore=ignore, record=record, replay=replay,
        live_oauth=live_oauth, allow_hosts=allow_hosts,
        http=dataclasses.replace(config.http, **overrides))
    credentials = Credentials(authtoken, apikey, client_id, client_secret, refresh_token, access_token,
                              organization_id, store_spec)
    verifier = Verifier(ruleset, credentials, options, config=config,
                        note=lambda text: click.echo(f"zoho-migrate: {text}", err=True))
    report = verifier.run(calls)
    if output_format == "json":
        text = json.dumps(results_document(report.results), indent=2, ensure_ascii=False) + "\n"
    else:
        text = render_text(report.results)
    text = verifier.bag.mask(text) if output_format == "text" else text
    write_output(text, output)
    extra = f"; {len(report.cassettes)} cassette(s) written to {record}" if record else ""
    click.echo(f"zoho-migrate: verify: {len(report.results)} calls: {summary_line(report.results)}; "
               f"{report.requests} requests, {report.retries} retries, {report.refreshes} token refreshes "
               f"in {report.seconds:.2f}s{extra}", err=True)
    failed = any(r.status in ("mismatch", "error") for r in report.results)
    return EXIT_FINDINGS if failed else EXIT_OK
