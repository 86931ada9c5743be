#!/usr/bin/env bash
# Install the project with its test extras into .venv (created if missing) and run lint + the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
.venv/bin/ruff check .
.venv/bin/python -m pytest -q "$@"
