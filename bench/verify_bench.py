"""Replay throughput of `zoho-migrate verify` against the Zoho emulator with injected latency.

    .venv/bin/python bench/verify_bench.py [--latency-ms 50] [--calls 48] [--levels 1,2,4,8,16,32]

Compares a plain sequential loop (one httpx.Client, the same requests one after another, no comparison work)
with the verifier at several concurrency levels (which also parses, normalizes and compares every reply).
Each request to the emulator sleeps `--latency-ms` first, like a far-away API. The client-side rate limit is
switched off and the emulator's is raised, so the numbers measure replay, not throttling. The emulator runs in
its own process (as Zoho would), so its threads do not compete with the verifier for one interpreter lock.
Not run by the test suite.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from migrate.ruleset import load_ruleset  # noqa: E402
from migrate.verify.config import load_verify_config  # noqa: E402
from migrate.verify.model import Call, Endpoint  # noqa: E402
from migrate.verify.runner import Credentials, Options, Verifier  # noqa: E402

INVOICE = "https://invoice.zoho.com"
TEMPLATES = ["/api/items/", "/api/items/4000000002011", "/api/customers/", "/api/customers/4000000001001",
             "/api/invoices/", "/api/invoices/4000000003001", "/api/estimates/", "/api/payments/"]


@dataclass
class Emulator:
    """A running emulator process: base URL, seeded credentials, fault switches over its control API."""

    base_url: str
    credentials: dict[str, str]

    def fault(self, **spec: object) -> None:
        httpx.post(self.base_url + "/__emulator__/faults", json=spec).raise_for_status()


@contextmanager
def emulator_process():
    # the emulator listens with a backlog of 128, so bursts of keep-alive connections are not stalled
    code = "from fixtures.emulator.__main__ import main; main(['--port', '0'])"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, cwd=Path(__file__).resolve().parent.parent)
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()
        creds = httpx.get(base + "/__emulator__/credentials").json()
        yield Emulator(base, creds)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def make_calls(count: int) -> list[Call]:
    return [Call(f"call-{n}", Endpoint("GET", INVOICE + TEMPLATES[n % len(TEMPLATES)])) for n in range(count)]


def sequential(emu: Emulator, calls: list[Call], ruleset) -> tuple[float, int]:
    """The naive way: for each call, the legacy request then the OAuth request, one at a time."""
    c = emu.credentials
    token = httpx.post(emu.base_url + "/oauth/v2/token", data={
        "grant_type": "refresh_token", "client_id": c["client_id"], "client_secret": c["client_secret"],
        "refresh_token": c["refresh_token"]}).json()["access_token"]
    requests = 0
    started = time.perf_counter()
    with httpx.Client(timeout=30) as client:
        for call in calls:
            match = ruleset.endpoints.match(call.legacy.url)
            path = call.legacy.url.removeprefix(INVOICE)
            client.get(emu.base_url + path, params={"authtoken": c["authtoken"], "apikey": c["apikey"],
                                                    "scope": "invoiceapi"}).raise_for_status()
            oauth_path = match.oauth_url().removeprefix("https://www.zohoapis.com")
            client.get(emu.base_url + oauth_path, params={"organization_id": c["organization_id"]},
                       headers={"Authorization": f"Zoho-oauthtoken {token}"}).raise_for_status()
            requests += 2
    return time.perf_counter() - started, requests


def verifier(emu: Emulator, calls: list[Call], ruleset, concurrency: int) -> tuple[float, int, int]:
    config = load_verify_config(ruleset)
    http = dataclasses.replace(config.http, concurrency=concurrency, rate_limit_per_minute=0)
    c = emu.credentials
    creds = Credentials(c["authtoken"], c["apikey"], c["client_id"], c["client_secret"], c["refresh_token"], None,
                        c["organization_id"])
    options = Options(legacy_base=emu.base_url, oauth_base=emu.base_url, accounts_url=emu.base_url, http=http)
    report = Verifier(ruleset, creds, options, config=config).run(calls)
    matched = sum(1 for r in report.results if r.status == "match")
    return report.seconds, report.requests, matched


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--calls", type=int, default=48)
    parser.add_argument("--levels", default="1,2,4,8,16,32")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",") if x]
    ruleset = load_ruleset()
    calls = make_calls(args.calls)
    rows = []
    with emulator_process() as emu:
        emu.fault(fault="set_rate_limit", limit=1_000_000, window_seconds=60.0)
        emu.fault(fault="latency", ms=args.latency_ms, path="/api/")
        emu.fault(fault="latency", ms=args.latency_ms, path="/invoice/")
        base_seconds, base_requests = sequential(emu, calls, ruleset)
        rows.append(("sequential loop", "1", args.calls, base_requests, base_seconds, "-"))
        for level in levels:
            seconds, requests, matched = verifier(emu, calls, ruleset, level)
            rows.append((f"verify ({matched}/{args.calls} match)", str(level), args.calls, requests, seconds,
                         f"{base_seconds / seconds:.1f}x"))
    print(f"verify replay throughput: {args.calls} calls, {args.latency_ms:.0f} ms injected latency per request")
    header = f"{'mode':<26} {'conc':>4} {'calls':>5} {'reqs':>5} {'seconds':>8} {'calls/s':>8} {'speedup':>8}"
    print(header)
    print("-" * len(header))
    for mode, level, count, requests, seconds, speedup in rows:
        print(f"{mode:<26} {level:>4} {count:>5} {requests:>5} {seconds:>8.2f} {count / seconds:>8.1f} {speedup:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
