"""A valid access token from the store, with exactly one refresh across processes when it is due.

Zoho allows about 10 access tokens per refresh token per 10 minutes; N scripts starting together must not each
refresh. The pattern: read without a lock (fast path: still fresh -> done); otherwise take a cross-process file
lock, read again (someone else may have refreshed meanwhile), and only then refresh and save.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from filelock import FileLock, Timeout

from migrate.auth.accounts import AccountsClient
from migrate.auth.config import OAuthConfig, load_config
from migrate.auth.errors import OAuthError
from migrate.auth.perms import FILE_MODE, ensure_private_dir
from migrate.auth.store import lock_path_for
from migrate.auth.token import Token, TokenStore

LOCK_TIMEOUT_SECONDS = 180.0
# when a due refresh fails, an access token with at least this long left is still handed out (with a note)
MIN_USABLE_SECONDS = 30.0


def _stored(store: TokenStore, token: Token) -> Token | None:
    if token.id:
        return store.find_token_by_id(token.id)
    return store.find_token(token)


def _needs_refresh(current: Token, margin: float, stale_access: str | None) -> bool:
    if stale_access is not None:
        # after a 401: refresh unless another process already replaced the token that failed
        return current.access_token in (None, stale_access) or not current.is_fresh(margin)
    return not current.is_fresh(margin)


def ensure_fresh(
    store: TokenStore,
    token: Token,
    config: OAuthConfig | None = None,
    *,
    accounts_url: str | None = None,
    margin_seconds: float | None = None,
    stale_access: str | None = None,
    create: bool = False,
    note: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Token:
    """The stored record for `token` with an access token valid beyond the margin, refreshed if needed.

    `token` names the record (its id, or client id + refresh token ...). With `create`, `token` is saved when
    the store has no such record (under the lock, so concurrent first runs make one record, not N).
    `stale_access`: an access token the API just rejected (401), to be replaced even if not yet expired.
    """
    config = config or load_config()
    margin = config.refresh_margin_seconds if margin_seconds is None else margin_seconds
    current = _stored(store, token)
    if current is not None and not _needs_refresh(current, margin, stale_access):
        return current
    if current is None and not create:
        raise OAuthError("no such token in the store (see `zoho-migrate auth list`)")
    lock_path = lock_path_for(store)
    ensure_private_dir(lock_path.parent)
    try:
        with FileLock(str(lock_path), timeout=LOCK_TIMEOUT_SECONDS, mode=FILE_MODE):
            current = _stored(store, token)
            if current is None:
                if not create:
                    raise OAuthError("the token was deleted from the store meanwhile")
                current = Token.from_dict(token.to_dict())
                current.id = None
                store.save_token(current)
            elif create and token.client_secret and current.client_secret != token.client_secret:
                current.client_secret = token.client_secret  # the environment holds the newer secret
            if accounts_url:
                current.accounts_url = accounts_url
            if not _needs_refresh(current, margin, stale_access):
                store.save_token(current)
                return current
            url = accounts_url or current.accounts_url
            if not url:
                raise OAuthError("the token has no accounts server; pass --accounts-url or --dc")
            if not (current.client_id and current.client_secret and current.refresh_token):
                raise OAuthError("cannot refresh: the stored token lacks a client id, client secret or "
                                 "refresh token")
            with AccountsClient(config, url, note=note, sleep=sleep) as accounts:
                try:
                    reply = accounts.refresh(current.client_id, current.client_secret, current.refresh_token)
                except OAuthError as error:
                    left = current.seconds_left()
                    if stale_access is None and left is not None and left >= MIN_USABLE_SECONDS:
                        # inside the margin but still valid: better a token for a few minutes than none
                        if note:
                            note(f"{error}; using the current access token, valid {int(left)}s more")
                        return current
                    raise
            reply.apply_to(current)
            current.accounts_url = url
            store.save_token(current)
            return current
    except Timeout:
        raise OAuthError(f"another process has held the refresh lock {lock_path} for "
                         f"{LOCK_TIMEOUT_SECONDS:.0f}s; try again") from None


def get_access_token(store: TokenStore, token: Token, config: OAuthConfig | None = None, **options: object) -> str:
    """A valid access token for the stored record `token` (see ensure_fresh for the options)."""
    fresh = ensure_fresh(store, token, config, **options)  # type: ignore[arg-type]
    assert fresh.access_token  # ensure_fresh either returns a fresh token or raises
    return fresh.access_token
