"""Record/replay: cassettes hold both sides with every secret scrubbed; a replay makes no network call."""

from __future__ import annotations

import json
import stat

import pytest

from migrate.verify.runner import Credentials
from tests.verify.conftest import CLEAN_CALLS, by_id


def _issued_tokens(emulator) -> list[str]:
    return [t.value for t in emulator.accounts.tokens.values() if t.kind in ("access", "refresh")]


def test_recording_scrubs_every_secret_from_requests_and_responses(verify_with, emulator, tmp_path):
    cassettes = tmp_path / "cassettes"
    report = verify_with(CLEAN_CALLS, record=cassettes)
    assert {r.status for r in report.results} == {"match"}
    files = sorted(cassettes.glob("*.json"))
    assert {f.stem for f in files} == {c["id"] for c in CLEAN_CALLS} | {"_accounts"}
    c = emulator.credentials
    secrets = [c.authtoken, c.apikey, c.client_secret, c.refresh_token, *_issued_tokens(emulator)]
    assert len(secrets) >= 6  # the refresh during the run issued a new access token, which must not leak either
    for path in files:
        text = path.read_text(encoding="utf-8")
        for secret in secrets:
            assert secret not in text, f"{secret[:6]}… leaked into {path.name}"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    accounts = json.loads((cassettes / "_accounts.json").read_text())
    reply = json.loads(accounts["interactions"][0]["response"]["body"])
    assert reply["access_token"] == "[scrubbed]" and reply["api_domain"]
    assert accounts["interactions"][0]["request"]["form"]["client_secret"] == "[scrubbed]"
    items = json.loads((cassettes / "items.json").read_text())
    sides = [i["side"] for i in items["interactions"]]
    assert sides.count("legacy") == 2 and sides.count("oauth") == 2  # both pages of both sides
    legacy = next(i for i in items["interactions"] if i["side"] == "legacy")
    assert "authtoken=%5Bscrubbed%5D" in legacy["request"]["url"] or "authtoken=[scrubbed]" in legacy["request"]["url"]
    assert "<Rate>34.00</Rate>" in legacy["response"]["body"]
    oauth = next(i for i in items["interactions"] if i["side"] == "oauth")
    assert oauth["request"]["headers"]["Authorization"] == "Zoho-oauthtoken [scrubbed]"


def test_replay_reproduces_results_without_any_network(verify_with, emulator, tmp_path, ruleset):
    cassettes = tmp_path / "cassettes"
    emulator.faults.set_field("items", "4000000002027", "name", "Keyboard DE", side="oauth")
    recorded = verify_with(CLEAN_CALLS, record=cassettes)
    emulator.reset()

    from migrate.verify.config import load_verify_config
    from migrate.verify.model import Call, Endpoint
    from migrate.verify.runner import Options, Verifier

    # nothing listens on port 9; any attempt to connect would turn into an error result
    options = Options(legacy_base="http://127.0.0.1:9", oauth_base="http://127.0.0.1:9", replay=cassettes)
    calls = [Call(c["id"], Endpoint(c["legacy"].get("method", "GET"), c["legacy"]["url"])) for c in CLEAN_CALLS]
    report = Verifier(ruleset, Credentials(), options, config=load_verify_config(ruleset)).run(calls)
    assert len(emulator.log) == 0
    assert report.requests == 0
    assert [r.to_json() for r in report.results] == [r.to_json() for r in recorded.results]
    assert by_id(report)["items"].differences[0].path == "items[4000000002027].name"


def test_replay_of_an_unrecorded_call_is_an_error_not_a_live_call(verify_with, emulator, tmp_path):
    cassettes = tmp_path / "cassettes"
    verify_with(CLEAN_CALLS[:1], record=cassettes)
    emulator.log.clear()
    report = verify_with(CLEAN_CALLS[:2], replay=cassettes, credentials=Credentials())
    results = by_id(report)
    assert results["items"].status == "match"
    assert results["item"].status == "error" and "no recorded reply" in results["item"].message
    assert len(emulator.log) == 0


def test_replay_folder_must_exist(verify_with, tmp_path):
    from migrate.errors import ConfigError

    with pytest.raises(ConfigError, match="no such folder"):
        verify_with(CLEAN_CALLS[:1], replay=tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="no cassettes"):
        verify_with(CLEAN_CALLS[:1], replay=tmp_path / "empty")


def test_cassette_file_names_are_safe_and_distinct():
    from migrate.verify.cassette import file_name

    assert file_name("items") == "items"
    assert file_name("a:b") != file_name("a_b") and file_name("a:b").startswith("a_b-")
    assert "/" not in file_name("../../etc/passwd") and not file_name("../x").startswith(".")


def test_token_shaped_values_this_run_never_saw_are_scrubbed_too(verify_with, emulator, tmp_path):
    stranger = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"  # e.g. a colleague's authtoken pasted into a description
    emulator.faults.set_field("items", "4000000002011", "description", f"token {stranger}", side="both")
    cassettes = tmp_path / "cassettes"
    live = verify_with(CLEAN_CALLS[1:2], record=cassettes)
    assert live.results[0].status == "match"
    assert stranger not in (cassettes / "item.json").read_text()
    emulator.reset()
    replayed = verify_with(CLEAN_CALLS[1:2], replay=cassettes, credentials=Credentials())
    assert replayed.results[0].status == "match" and len(emulator.log) == 0


def test_recorded_legacy_side_against_live_oauth(verify_with, emulator, tmp_path):
    """The legacy API is gone but its recordings are not: compare them with today's OAuth replies."""
    cassettes = tmp_path / "cassettes"
    verify_with(CLEAN_CALLS[:3], record=cassettes)
    emulator.reset()
    emulator.faults.set_field("items", "4000000002019", "rate", 125, side="oauth")
    c = emulator.credentials
    creds = Credentials(client_id=c.client_id, client_secret=c.client_secret, refresh_token=c.refresh_token,
                        organization_id=c.organization_id)  # no authtoken: the legacy API is switched off
    results = by_id(verify_with(CLEAN_CALLS[:3], replay=cassettes, live_oauth=True, credentials=creds))
    assert [(d.path, d.legacy, d.oauth) for d in results["items"].differences] == [
        ("items[4000000002019].rate", 120, 125)]
    assert results["customers"].status == "match" and results["item"].status == "match"
    assert not emulator.log.find(side="legacy")
    assert emulator.log.find(side="oauth") and len(emulator.log.refreshes()) == 1
