#!/usr/bin/env bash
# Install what the tests need (dev requirements, Debian's chromium and nginx if missing), lint, then run every test.
# Usage: bash tests/run.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# Debian packages the tests drive: chromium (browser tests; never 'playwright install') and nginx (the proxy
# tests: deploy/nginx.conf, deploy/serve.sh). Only what is missing is installed.
missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
if [[ ${#missing[@]} -gt 0 ]]; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "Installing Debian's ${missing[*]} for the tests..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python -m ruff check .
python -m ruff format --check .
python -m pytest --durations=25 "$@"
