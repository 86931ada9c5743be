"""`zoho-migrate auth`: OAuth 2.0 tokens for migrated code, and a token store users can trust.

Modules, one job each (docs/AUTH.md has the full story):
- `token`: the Token record and the six-method TokenStore protocol of Zoho's SDKs;
- `perms`: private (0600/0700) files and folders;
- `sqlite_store`, `file_store`, `store`: the stores and `open_store(spec)`;
- `config`: the OAuth protocol as data (rules/oauth.yaml) and data-center resolution;
- `protocol`: pure request builders and reply parsers (no I/O);
- `http`: retries with backoff on 429/5xx (Retry-After honoured), masked HTTP logs;
- `errors`: OAuthError, one masked line;
- `accounts`: the accounts-server client (code exchange, refresh, revoke, authtooauth);
- `oauth`: `ZohoOAuth`, an `httpx.Auth` that adds the header and refreshes when due or on a 401;
- `access`: `ensure_fresh` / `get_access_token`, one refresh at a time across processes;
- `login`: authorization URL, state, loopback redirect catcher;
- `infer`: scopes and data-center hosts from a scan;
- `session`, `cli`: the click commands.
"""
