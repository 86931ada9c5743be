"""N processes asking for a token at once make exactly one refresh (Zoho allows ~10 per 10 minutes).

The emulator delays the token endpoint so every process is running while the refresh is in flight; without the
cross-process lock each would refresh (the request log would show N refresh grants, not 1).
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from migrate.auth.store import Token, open_store
from tests.auth.helpers import assert_no_secret, emulator_secrets
from tests.conftest import REPO

N = 8


def run_many(emulator, env, spec: str, n: int = N) -> list[subprocess.CompletedProcess]:
    cmd = [sys.executable, "-m", "migrate", "auth", "token", "--accounts-url", emulator.base_url, "--store", spec]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
             for _ in range(n)]
    results = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr))
    return results


@pytest.mark.parametrize("kind", ["sqlite", "file"])
def test_first_run_of_n_processes_makes_one_refresh(emulator, cred_env, tmp_path, kind):
    spec = f"{kind}:{tmp_path / ('t.db' if kind == 'sqlite' else 't.json')}"
    emulator.faults.latency(400, path="/oauth/v2/token")
    results = run_many(emulator, cred_env, spec)
    assert [r.returncode for r in results] == [0] * N, [r.stderr for r in results]
    tokens = {r.stdout.strip() for r in results}
    assert len(tokens) == 1 and next(iter(tokens)).startswith("1000.")
    assert len(emulator.log.refreshes()) == 1
    assert len(open_store(spec).get_tokens()) == 1  # one record, not N
    for r in results:
        assert_no_secret(r.stderr, emulator_secrets(emulator))


def test_due_token_refreshed_once_by_n_processes(emulator, cred_env, tmp_path):
    spec = f"sqlite:{tmp_path / 't.db'}"
    c = emulator.credentials
    store = open_store(spec)
    stale = Token(client_id=c.client_id, client_secret=c.client_secret, refresh_token=c.refresh_token,
                  access_token=c.access_token, expiry_time=int((time.time() + 30) * 1000),  # inside the margin
                  accounts_url=emulator.base_url)
    store.save_token(stale)
    emulator.faults.latency(400, path="/oauth/v2/token")
    results = run_many(emulator, cred_env, spec)
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    tokens = {r.stdout.strip() for r in results}
    assert len(tokens) == 1 and c.access_token not in tokens
    assert len(emulator.log.refreshes()) == 1
    (stored,) = store.get_tokens()
    assert stored.id == stale.id and stored.access_token in tokens
