#!/usr/bin/env bash
# The two-minute demo: start the Zoho emulator, scan and rewrite a legacy fixture project, verify the legacy calls
# against their OAuth equivalents on the emulator, and write the review report. Touches nothing in the repository:
# the project is copied to a temporary folder. Needs the package installed in .venv (scripts/test.sh does that).
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
work=$(mktemp -d)
trap 'kill "$emulator_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

echo "## 1. start the emulator (both API styles and the accounts server on one local port)"
$py -m fixtures.emulator --port 0 > "$work/emulator.url" 2> /dev/null &
emulator_pid=$!
for _ in $(seq 50); do [ -s "$work/emulator.url" ] && break; sleep 0.1; done
EMU=$(head -1 "$work/emulator.url")
echo "emulator at $EMU"
# the emulator's own (fake) credentials: legacy authtoken/apikey and an OAuth client with a refresh token
eval "$($py - "$EMU" <<'PY'
import shlex, sys, httpx
creds = httpx.get(sys.argv[1] + "/__emulator__/credentials").json()
env = {"ZOHO_AUTHTOKEN": "authtoken", "ZOHO_APIKEY": "apikey", "ZOHO_CLIENT_ID": "client_id",
       "ZOHO_CLIENT_SECRET": "client_secret", "ZOHO_REFRESH_TOKEN": "refresh_token",
       "ZOHO_ORGANIZATION_ID": "organization_id"}
print("\n".join(f"export {k}={shlex.quote(creds[v])}" for k, v in env.items()))
PY
)"

cp -r fixtures/projects/legacy-invoice-py "$work/project"
cd "$work"

echo; echo "## 2. scan the legacy project"
"$OLDPWD/.venv/bin/zoho-migrate" scan project --format json --output scan.json --fail-on critical || true
"$OLDPWD/.venv/bin/zoho-migrate" scopes project

echo; echo "## 3. verify: replay each legacy call found and its OAuth v3 equivalent, compare field by field"
"$OLDPWD/.venv/bin/zoho-migrate" verify --from-scan scan.json --legacy-base "$EMU" --oauth-base "$EMU" \
  --accounts-url "$EMU" --format json --output verify.json || true
"$OLDPWD/.venv/bin/zoho-migrate" verify --from-scan scan.json --legacy-base "$EMU" --oauth-base "$EMU" \
  --accounts-url "$EMU"

echo; echo "## 4. the review report: findings, proposed diff, manual steps, scopes, verification, leaked credentials"
"$OLDPWD/.venv/bin/zoho-migrate" report project -o report.html --verify-results verify.json
ls -l report.html

echo; echo "## 5. rewrite: the reviewable diff (dry run; the generated token helper is left out here), then apply it"
"$OLDPWD/.venv/bin/zoho-migrate" rewrite project 2>/dev/null | sed '/^--- \/dev\/null/,$d' || true
"$OLDPWD/.venv/bin/zoho-migrate" rewrite project --apply --annotate --allow-dirty > /dev/null

echo; echo "## 6. after --apply: the manual steps are TODO(zoho-migrate) comments in the code"
grep -rn "TODO(zoho-migrate)" project | cut -c1-160
"$OLDPWD/.venv/bin/zoho-migrate" scan project --fail-on critical || true
