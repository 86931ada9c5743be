"""Record/replay: `--record DIR` keeps both sides of every call as JSON cassettes; `--replay DIR` answers from them.

One file per call (`<call id>.json`) plus `_accounts.json` for token-endpoint traffic. Secrets are scrubbed from
requests (URL parameters, form fields, headers) and responses (bodies, headers, token replies) before anything is
written, and cassettes are written with mode 0600 all the same. A replay never opens a socket: the Fetcher asks
the Player instead of the network, and an interaction that was not recorded is an error, not a live call.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migrate.errors import ConfigError
from migrate.safeio import save
from migrate.verify.config import VerifyConfig
from migrate.verify.redact import SecretBag, scrub_body, scrub_pairs, scrub_url
from migrate.verify.urls import key_url

VERSION = 1
ACCOUNTS = "accounts"


def file_name(call_id: str) -> str:
    """A safe file name for a call id; ids that had to be changed get a short hash, so `a:b` and `a_b` differ
    (`invoice_sync.py:15` -> `invoice_sync.py_15-1c5d2a9e`)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", call_id).strip("._") or "call"
    if safe != call_id:
        safe += "-" + hashlib.sha256(call_id.encode("utf-8")).hexdigest()[:8]
    return safe


def interaction_key(side: str, method: str, url: str, form: dict[str, str] | None, config: VerifyConfig) -> str:
    form_key = "&".join(f"{k}={v}" for k, v in sorted((form or {}).items()) if not config.is_secret_param(k))
    return f"{side} {method.upper()} {key_url(url, config)} {form_key}".strip()


@dataclass
class Recorded:
    status: int
    headers: dict[str, str]
    body: bytes


class Recorder:
    """Collects scrubbed interactions per call and writes them on `save()`."""

    def __init__(self, directory: Path, config: VerifyConfig, bag: SecretBag) -> None:
        self.directory = directory
        self.config = config
        self.bag = bag
        self.calls: dict[str, list[dict[str, Any]]] = {}
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigError(f"--record {directory}: cannot create the folder: {error}") from None

    def add(self, call_id: str, side: str, method: str, url: str, headers: dict[str, str],
            form: dict[str, str] | None, status: int, reply_headers: dict[str, str], body: bytes) -> None:
        config, bag = self.config, self.bag
        entry = {
            "side": side,
            "request": {
                "method": method.upper(),
                "url": scrub_url(url, config, bag),
                "headers": scrub_pairs(headers, config, bag, headers=True),
                "form": scrub_pairs(form or {}, config, bag, headers=False),
            },
            "response": {
                "status": status,
                "headers": scrub_pairs({k: v for k, v in reply_headers.items()
                                        if k.lower() in ("content-type", "retry-after")
                                        or k.lower().startswith("x-ratelimit")}, config, bag, headers=True),
                "body": scrub_body(body, config, bag),
            },
        }
        key = ACCOUNTS if side == ACCOUNTS else f"call:{call_id}"
        self.calls.setdefault(key, []).append(entry)

    def save(self) -> list[Path]:
        written = []
        for key, entries in self.calls.items():
            call_id = key.removeprefix("call:")
            # call ids never map to a name starting with "_", so the accounts cassette cannot collide with one
            name = f"_{ACCOUNTS}" if key == ACCOUNTS else file_name(call_id)
            path = self.directory / f"{name}.json"
            text = json.dumps({"version": VERSION, "call": call_id, "interactions": entries}, indent=2,
                              ensure_ascii=False)
            text = self.bag.scrub(text, self.config.scrubbed)  # last line of defence
            # 0600, temp file + rename, never through a symlink planted at a cassette name (migrate.safeio)
            save(path, text + "\n", "cassette", private=True)
            written.append(path)
        return written


class Player:
    """Answers requests from recorded cassettes, in recorded order for repeated identical requests."""

    def __init__(self, directory: Path, config: VerifyConfig) -> None:
        if not directory.is_dir():
            raise ConfigError(f"--replay {directory}: no such folder")
        self.directory = directory
        self.config = config
        self.queues: dict[tuple[str, str], list[Recorded]] = {}
        self.last: dict[tuple[str, str], Recorded] = {}
        files = sorted(directory.glob("*.json"))
        if not files:
            raise ConfigError(f"--replay {directory}: no cassettes (*.json) in this folder")
        for path in files:
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            call_id = str(doc["call"])
            entries = doc["interactions"]
            for entry in entries:
                req, resp = entry["request"], entry["response"]
                key = interaction_key(entry["side"], req["method"], req["url"], req.get("form"), self.config)
                recorded = Recorded(int(resp["status"]), dict(resp.get("headers") or {}),
                                    str(resp.get("body", "")).encode("utf-8"))
                self.queues.setdefault((call_id, key), []).append(recorded)
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ConfigError(f"not a zoho-migrate cassette: {type(error).__name__}: {error}",
                              path=str(path)) from None

    def answer(self, call_id: str, side: str, method: str, url: str, form: dict[str, str] | None) -> Recorded:
        key = (call_id, interaction_key(side, method, url, form, self.config))
        queue = self.queues.get(key)
        if queue:
            self.last[key] = queue.pop(0)
            return self.last[key]
        if key in self.last:
            return self.last[key]
        raise LookupError(f"no recorded reply for {method.upper()} {key_url(url, self.config)} in "
                          f"{self.directory / (file_name(call_id) + '.json')}")
