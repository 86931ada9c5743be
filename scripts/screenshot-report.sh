#!/usr/bin/env bash
# Render the review report of a fixture project (with verify results from the Zoho emulator on 127.0.0.1)
# and photograph it with headless Chromium: docs/report.png.
# Installs Debian's `chromium` with apt-get when it is missing. Usage: scripts/screenshot-report.sh [OUT.png]
# Env: PROJECT (default fixtures/projects/legacy-invoice-py), WIDTH/HEIGHT of the window (default 1280x2700).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-docs/report.png}
project=${PROJECT:-fixtures/projects/legacy-invoice-py}
width=${WIDTH:-1280}
height=${HEIGHT:-2700}

if ! command -v chromium >/dev/null 2>&1; then
  echo "screenshot-report: installing Debian's chromium" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi

python=.venv/bin/python
[ -x "$python" ] || python=python3
work=$(mktemp -d)
profile=$(mktemp -d)
trap 'rm -rf "$work" "$profile"' EXIT

# verification results: replay the project's legacy calls against the Zoho emulator (127.0.0.1), best effort
verify_args=()
"$python" -m fixtures.emulator --port 0 >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true; rm -rf "$work" "$profile"' EXIT
for _ in $(seq 50); do [ -s "$work/emulator.out" ] && break; sleep 0.1; done
base=$(head -n 1 "$work/emulator.out" || true)
if [ -n "$base" ]; then
  "$python" - "$base" >"$work/env.sh" <<'PY'
import json, shlex, sys, urllib.request
creds = json.load(urllib.request.urlopen(sys.argv[1] + "/__emulator__/credentials", timeout=10))
names = {"ZOHO_AUTHTOKEN": "authtoken", "ZOHO_APIKEY": "apikey", "ZOHO_CLIENT_ID": "client_id",
         "ZOHO_CLIENT_SECRET": "client_secret", "ZOHO_REFRESH_TOKEN": "refresh_token",
         "ZOHO_ORGANIZATION_ID": "organization_id"}
for env, key in names.items():
    print(f"export {env}={shlex.quote(creds[key])}")
PY
  # shellcheck disable=SC1091
  source "$work/env.sh"
  "$python" -m migrate scan "$project" --format json -o "$work/scan.json" || true
  if "$python" -m migrate verify --from-scan "$work/scan.json" --legacy-base "$base" --oauth-base "$base" \
      --accounts-url "$base" --store "sqlite:$work/tokens.db" --format json --output "$work/verify.json"; then
    verify_args=(--verify-results "$work/verify.json")
  fi
fi

"$python" -m migrate report "$project" -o "$work/report.html" "${verify_args[@]}" \
  --title "Zoho OAuth migration review: $(basename "$project")"

mkdir -p "$(dirname "$out")"
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
  --user-data-dir="$profile" --hide-scrollbars --window-size="$width,$height" \
  --screenshot="$(realpath -m "$out")" "file://$work/report.html" 2>"$work/chromium.log" || {
    cat "$work/chromium.log" >&2
    exit 1
  }
test -s "$out"
echo "screenshot-report: wrote $out (${width}x${height})" >&2
