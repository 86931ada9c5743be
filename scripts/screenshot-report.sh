#!/usr/bin/env bash
# Render the review report of a fixture project and photograph it with headless Chromium: docs/report.png.
# Installs Debian's `chromium` with apt-get when it is missing. Usage: scripts/screenshot-report.sh [OUT.png]
# Env: PROJECT (default fixtures/projects/legacy-invoice-py), WIDTH/HEIGHT of the window (default 1280x2300).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-docs/report.png}
project=${PROJECT:-fixtures/projects/legacy-invoice-py}
width=${WIDTH:-1280}
height=${HEIGHT:-2300}

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

"$python" -m migrate report "$project" -o "$work/report.html" --title "Zoho OAuth migration review: $(basename "$project")"

mkdir -p "$(dirname "$out")"
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
  --user-data-dir="$profile" --hide-scrollbars --window-size="$width,$height" \
  --screenshot="$(realpath -m "$out")" "file://$work/report.html" 2>"$work/chromium.log" || {
    cat "$work/chromium.log" >&2
    exit 1
  }
test -s "$out"
echo "screenshot-report: wrote $out (${width}x${height})" >&2
