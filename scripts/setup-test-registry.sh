#!/usr/bin/env bash
# A local image registry for the image-update tests (issue 17): Debian's docker-registry
# (distribution 2.8) on 127.0.0.1:<free port>, with its own config and storage folder under
# $GDM_TEST_REGISTRY_DIR (default /tmp/gdm-test-registry). Writes the address (host:port)
# to $GDM_TEST_REGISTRY_DIR/address. The engine pushes and pulls to a loopback registry over
# plain http without any daemon setting (127.0.0.0/8 is always an insecure registry).
# Idempotent: a registry that answers at the recorded address is left running.
set -euo pipefail
DIR="${GDM_TEST_REGISTRY_DIR:-/tmp/gdm-test-registry}"
WAIT_SECONDS="${GDM_TEST_REGISTRY_WAIT:-20}"
mkdir -p "$DIR/storage"

answers() { curl -fsS -o /dev/null --max-time 2 "http://$1/v2/"; }

if [ -f "$DIR/address" ] && answers "$(cat "$DIR/address")"; then
  echo "[setup-test-registry] registry already answers at $(cat "$DIR/address")"
  exit 0
fi

if ! command -v docker-registry >/dev/null; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "[setup-test-registry] docker-registry is missing and cannot be installed (need root on Debian)" >&2
    exit 1
  fi
  echo "[setup-test-registry] installing docker-registry with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get install -y -qq docker-registry >/dev/null || { apt-get update -qq && timeout 300 apt-get install -y -qq docker-registry >/dev/null; }
fi

# A port the kernel hands out now; the registry binds it a moment later.
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
address="127.0.0.1:$port"
cat > "$DIR/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $DIR/storage
  delete:
    enabled: true
http:
  addr: $address
YAML

# Stop an earlier instance of ours (its pid file), never anything else.
if [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; then kill "$(cat "$DIR/pid")" || true; fi
setsid nohup docker-registry serve "$DIR/config.yml" >"$DIR/registry.log" 2>&1 < /dev/null &
echo $! > "$DIR/pid"

deadline=$(( $(date +%s) + WAIT_SECONDS ))
until answers "$address"; do
  if ! kill -0 "$(cat "$DIR/pid")" 2>/dev/null; then
    echo "[setup-test-registry] docker-registry exited before answering on http://$address/v2/:" >&2
    tail -20 "$DIR/registry.log" >&2
    exit 1
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "[setup-test-registry] waited ${WAIT_SECONDS} s for http://$address/v2/ to answer 200; it did not (log: $DIR/registry.log)" >&2
    exit 1
  fi
  sleep 0.2
done
echo "$address" > "$DIR/address"
echo "[setup-test-registry] registry answers at $address (storage $DIR/storage)"
