#!/usr/bin/env bash
# Install the Debian runtimes the rewriter's helper tests run (php-cli, ruby, golang-go, and Node.js and a JDK when
# the CI image lacks them). Idempotent: skips what is present and runs apt-get update at most once. Under CI=true
# a test marked requires_tool fails when its runtime is missing (tests/runtimes.py), so this must succeed.
set -euo pipefail

missing=()
command -v php >/dev/null 2>&1 || missing+=(php-cli)
command -v ruby >/dev/null 2>&1 || missing+=(ruby)
command -v go >/dev/null 2>&1 || missing+=(golang-go)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "ci-runtimes: php, ruby, go, node and javac are present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "ci-runtimes: not root and no sudo; cannot install ${missing[*]} (their tests fail under CI=true)" >&2
    exit 1
  fi
fi

echo "ci-runtimes: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
install_runtimes() {
  "${sudo_cmd[@]}" apt-get update -qq && "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
# one retry: a mirror hiccup should not fail the whole CI run
install_runtimes || { echo "ci-runtimes: apt failed, retrying in 10 s" >&2; sleep 10; install_runtimes; }
