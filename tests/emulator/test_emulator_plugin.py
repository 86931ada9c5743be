"""The pytest plugin on its own, in a separate pytest run: fixtures work, the server stops with the session."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

INNER = '''
import os

import httpx

def test_one(emulator):
    emulator.faults.fail_next(None)
    assert httpx.get(emulator.base_url + "/api/items/").status_code == 500
    with open(os.environ["EMU_PORT_FILE"], "w") as fh:
        fh.write(str(emulator.port))

def test_two_starts_clean(emulator, zoho_emulator):
    assert emulator is zoho_emulator and emulator.faults.active() == [] and len(emulator.log) == 0
    c = emulator.credentials
    r = httpx.get(emulator.base_url + "/api/items/",
                  params={"authtoken": c.authtoken, "apikey": c.apikey, "scope": "invoiceapi"})
    assert r.status_code == 200
'''


def test_plugin_in_its_own_session(tmp_path):
    (tmp_path / "test_inner.py").write_text(INNER)
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "EMU_PORT_FILE": str(tmp_path / "port.txt")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "fixtures.emulator.pytest_plugin", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), "-c", os.devnull,
         str(tmp_path / "test_inner.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed" in proc.stdout
    port = int((tmp_path / "port.txt").read_text())
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0  # stopped with the session
