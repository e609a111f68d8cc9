#!/usr/bin/env bash
# Install what the tests need (dev requirements, Debian's chromium if missing), lint, then run every test.
# Usage: bash tests/run.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

if [[ ! -x /usr/bin/chromium ]]; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "Installing Debian's chromium for the browser tests (never 'playwright install')..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

python -m ruff check .
python -m ruff format --check .
python -m pytest "$@"
