"""The server itself: lifecycle, host selection, request log, control endpoints, running by hand."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from fixtures.emulator import ZohoEmulator

REPO = Path(__file__).resolve().parents[2]


def test_start_stop_frees_the_port_and_closes_keepalive_connections():
    emu = ZohoEmulator().start()
    assert emu.base_url.startswith("http://127.0.0.1:") and emu.port > 0
    client = httpx.Client(base_url=emu.base_url)
    assert client.get("/__emulator__/health").json()["status"] == "ok"  # leaves a keep-alive connection open
    emu.stop()
    assert not emu.running
    with pytest.raises(httpx.TransportError):
        client.get("/__emulator__/health")
    client.close()
    with socket.socket() as sock:  # nothing listens there any more
        assert sock.connect_ex(("127.0.0.1", emu.port)) != 0
    emu.stop()  # idempotent


def test_context_manager_and_independent_instances():
    with ZohoEmulator() as one, ZohoEmulator() as two:
        assert one.port != two.port
        one.faults.fail_next(1)
        assert httpx.get(two.base_url + "/__emulator__/health").status_code == 200
        assert httpx.get(one.base_url + "/oauth/v2/token").status_code == 500


def test_fixture_yields_a_running_reset_emulator(emulator, zoho_emulator):
    assert emulator is zoho_emulator and emulator.running
    assert len(emulator.log) == 0 and emulator.faults.active() == []
    assert emulator.credentials.authtoken == "a8b6de25b5bf481824c9c4173c56231a"
    assert emulator.credentials.as_env()["ZOHO_ORGANIZATION_ID"] == "10234695"


@pytest.mark.parametrize("how, expected_source", [("header", "x-zoho-host"), ("prefix", "path-prefix"),
                                                   ("host", "host-header"), ("none", "inferred")])
def test_meant_host_and_data_center(http, emulator, legacy, how, expected_source):
    headers, url = {}, "/api/items/"
    if how == "header":
        headers = {"X-Zoho-Host": "invoice.zoho.eu"}
    elif how == "prefix":
        url = "/__host__/invoice.zoho.eu/api/items/"
    elif how == "host":
        headers = {"Host": "invoice.zoho.eu"}
    assert http.get(url, params=legacy, headers=headers).status_code == 200
    entry = emulator.log[-1]
    assert entry.host_source == expected_source and entry.path == "/api/items/"
    if how == "none":
        assert (entry.meant_host, entry.dc) == ("invoice.zoho.com", "us")
    else:
        assert (entry.meant_host, entry.dc, entry.product) == ("invoice.zoho.eu", "eu", "invoice")


def test_url_helper_and_data_center_suffixes(http, emulator):
    assert emulator.url("/oauth/v2/token", host="accounts.zoho.com.au").endswith(
        "/__host__/accounts.zoho.com.au/oauth/v2/token")
    for host, dc in [("www.zohoapis.com.au", "au"), ("books.zoho.com.cn", "cn"), ("accounts.zohocloud.ca", "ca"),
                     ("www.zohoapis.sa", "sa"), ("crm.zoho.in", "in"), ("invoice.zoho.jp", "jp")]:
        http.post(emulator.url("/oauth/v2/token", host=host))
        assert emulator.log[-1].dc == dc


def test_used_as_an_http_proxy(emulator, legacy):
    with httpx.Client(proxy=emulator.base_url) as client:
        r = client.get("http://invoice.zoho.in/api/items/", params=legacy)
    assert r.status_code == 200 and b"<Items" in r.content
    assert (emulator.log[-1].meant_host, emulator.log[-1].dc) == ("invoice.zoho.in", "in")


def test_request_log_records_what_tests_assert_on(http, emulator, legacy, oauth):
    http.get("/api/items/", params=legacy)
    http.post("/api/items/create", data={**legacy, "XMLString": "<Item><Name>Log</Name></Item>"})
    http.post("/invoice/v3/items", headers=oauth, json={"name": "Log2"})
    http.post("/oauth/v2/token", data={"grant_type": "refresh_token", "refresh_token": "x"})
    http.get("/__emulator__/health")  # control calls are not logged
    assert len(emulator.log) == 4
    first = emulator.log[0]
    assert (first.method, first.path, first.style, first.side, first.write) == ("GET", "/api/items/",
                                                                               "invoice-xml", "legacy", False)
    assert first.query["authtoken"] == emulator.credentials.authtoken and first.status == 200
    assert first.org_id == "10234695" and first.host.startswith("127.0.0.1:")
    writes = emulator.log.writes()
    assert [(w.style, w.side) for w in writes] == [("invoice-xml", "legacy"), ("v3", "oauth")]
    assert writes[0].form["XMLString"].startswith("<Item>")
    assert writes[1].json == {"name": "Log2"} and writes[1].headers["authorization"].startswith("Zoho-oauthtoken")
    assert len(emulator.log.token_requests()) == 1 and emulator.log.refreshes()[0].params["refresh_token"] == "x"
    assert emulator.log.find(method="post", path_prefix="/invoice/") == [writes[1]]
    assert emulator.log.find(style="accounts")[0].product == "accounts"


def test_request_log_over_http(http, emulator, legacy):
    http.get("/api/items/", params=legacy)
    http.post("/api/items/delete/4000000002011", data=legacy)
    entries = http.get("/__emulator__/log").json()["entries"]
    assert [e["path"] for e in entries] == ["/api/items/", "/api/items/delete/4000000002011"]
    writes = http.get("/__emulator__/log", params={"write": "true"}).json()["entries"]
    assert len(writes) == 1 and writes[0]["write"] is True and writes[0]["style"] == "invoice-xml"
    assert http.get("/__emulator__/log", params={"path_prefix": "/crm"}).json()["entries"] == []
    assert len(http.get("/__emulator__/log", params={"status": 200}).json()["entries"]) == 2
    assert http.delete("/__emulator__/log").json() == {"status": "ok"}
    assert len(emulator.log) == 0


def test_control_endpoints(http, emulator):
    health = http.get("/__emulator__/health").json()
    assert health["status"] == "ok" and health["base_url"] == emulator.base_url
    creds = http.get("/__emulator__/credentials").json()
    assert creds["client_id"] == emulator.credentials.client_id and creds["crm_soid"] == "ZohoCRM.55512345"
    assert http.post("/__emulator__/clock", json={"advance": 3601}).json()["offset"] == 3601
    r = http.get("/invoice/v3/items", params={"organization_id": creds["organization_id"]},
                 headers={"Authorization": f"Zoho-oauthtoken {creds['access_token']}"})
    assert r.status_code == 401  # the seeded access token aged past its hour
    assert http.post("/__emulator__/clock", json={"advance": "x"}).status_code == 400
    http.post("/__emulator__/config", json={"api_domain": emulator.base_url, "refresh_limit": 1})
    token = {"grant_type": "refresh_token", "client_id": creds["client_id"],
             "client_secret": creds["client_secret"], "refresh_token": creds["refresh_token"]}
    assert http.post("/oauth/v2/token", data=token).json()["api_domain"] == emulator.base_url
    assert http.post("/oauth/v2/token", data=token).json()["error"] == "Access Denied"
    assert http.get("/__emulator__/nothing").status_code == 404


def test_unknown_paths_and_bad_bodies(http):
    r = http.get("/no/such/thing")
    assert r.status_code == 404 and r.json()["code"] == 5
    chunked = http.post("/oauth/v2/token", content=iter([b"grant_type=", b"password"]),
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert chunked.json() == {"error": "unsupported_grant_type"}  # chunked request bodies are read


def test_concurrent_requests(emulator, oauth):
    def call(i):
        with httpx.Client(base_url=emulator.base_url) as client:
            return client.get("/invoice/v3/items", headers=oauth).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(call, range(40))) == {200}
    assert len(emulator.log) == 40


def test_run_by_hand_prints_url_and_stops_on_signal():
    proc = subprocess.Popen([sys.executable, "-m", "fixtures.emulator", "--port", "0"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        creds = httpx.get(url + "/__emulator__/credentials", timeout=5).json()
        r = httpx.get(url + "/api/items/", params={"authtoken": creds["authtoken"], "apikey": creds["apikey"],
                                                   "scope": "invoiceapi"}, timeout=5)
        assert b'<Response status="1">' in r.content
        httpx.post(url + "/__emulator__/faults", json={"fault": "fail_next"}, timeout=5)
        assert httpx.get(url + "/api/items/", timeout=5).status_code == 500
        log = httpx.get(url + "/__emulator__/log", timeout=5).json()["entries"]
        assert [e["status"] for e in log] == [200, 500]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "client_id" in proc.stderr.read()


def test_custom_seed(tmp_path):
    seed = (Path(__file__).resolve().parents[2] / "fixtures" / "emulator" / "seed.yaml").read_text()
    custom = tmp_path / "seed.yaml"
    custom.write_text(seed.replace('"10234695"', '"777"').replace("10234695", "777"))
    with ZohoEmulator(seed_path=custom) as emu:
        assert emu.credentials.organization_id == "777"
        r = httpx.get(emu.base_url + "/books/v3/items", params={"organization_id": "777"},
                      headers={"Authorization": f"Zoho-oauthtoken {emu.credentials.access_token}"})
        assert len(r.json()["items"]) == 4
