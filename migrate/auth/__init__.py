"""`zoho-migrate auth`: OAuth 2.0 tokens for migrated code, and a token store users can trust.

Modules, one job each:
- `token`: the Token record and the six-method TokenStore protocol of Zoho's SDKs;
- `sqlite_store`, `file_store`, `store`: the stores and `open_store(spec)`;
- `config`: the OAuth protocol as data (rules/oauth.yaml) and data-center resolution;
- `http`: retries with backoff on 429/5xx (Retry-After honoured);
- `accounts`: the accounts-server client (code exchange, refresh, revoke, authtooauth);
- `oauth`: `ZohoOAuth`, an `httpx.Auth` that adds the header and refreshes when due or on a 401;
- `access`: `get_access_token`, one refresh at a time across processes;
- `login`: authorization URL, state, loopback redirect catcher;
- `cli`: the click commands.
"""
