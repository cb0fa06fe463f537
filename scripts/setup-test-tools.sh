#!/usr/bin/env bash
# Installs the programs the tests run besides the engine (Debian packages, never a
# download): redis-server for the shared rate-limit tests, chromium for the dashboard's
# end-to-end tests (driven by playwright-core; no browser is ever downloaded). Idempotent.
set -euo pipefail
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "[setup-test-tools] missing ${missing[*]} and cannot install them (need root on Debian)" >&2
    exit 1
  fi
  echo "[setup-test-tools] installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "[setup-test-tools] redis-server: $(redis-server --version | cut -d' ' -f3); $(/usr/bin/chromium --version 2>/dev/null)"
