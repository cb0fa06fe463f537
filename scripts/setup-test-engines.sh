#!/usr/bin/env bash
# The extra Docker engines the multi-engine and swarm tests talk to, on this machine:
#   e2: its own dockerd in network namespace gdm-e2, reached through a unix socket
#       (unix:///run/gdm-e2/docker.sock); a one-node swarm manager.
#   e3: its own dockerd in network namespace gdm-e3, reached over tcp://10.213.3.2:2376 with
#       mutual TLS (a CA and certificates made here with openssl) through a veth pair
#       between the host (10.213.3.1) and that namespace; also a unix socket for the tests'
#       CLI checks.
# Why namespaces: a second dockerd in the host's namespace deletes the first engine's
# docker0, and swarm's docker_gwbridge can take docker0's subnet; the first engine's
# containers then lose their network. `nsenter --net` (not `ip netns exec`, which remounts
# /sys so that dockerd finds no cgroups) keeps the host's mounts.
# No registry is reachable: the test image is copied in with docker save | docker load.
# Writes /run/gdm-test-engines/engines.env (read by test/helpers/test-engines.ts).
#
# Usage: setup-test-engines.sh [start|stop] [e2|e3|all]   (default: start all; idempotent)
# Every wait has a time limit and says what it waited for.
set -euo pipefail

BASE=/run/gdm-test-engines
CERTS=$BASE/certs
IMAGE="${GDM_TEST_IMAGE:-gdm-test-busybox:latest}"
E3_HOST_ADDR=10.213.3.1
E3_NS_ADDR=10.213.3.2
WAIT_SECONDS="${GDM_ENGINE_WAIT_SECONDS:-60}"

say() { echo "[test-engines] $*"; }
fail() { echo "[test-engines] ERROR: $*" >&2; exit 1; }

socket_of() { echo "/run/gdm-$1/docker.sock"; }
pidfile_of() { echo "/run/gdm-$1/docker.pid"; }
answers() { timeout 10 docker -H "unix://$(socket_of "$1")" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

make_namespace() {
  local ns="gdm-$1"
  [ -e "/var/run/netns/$ns" ] || ip netns add "$ns"
  ip -n "$ns" link set lo up
}

# e3's link to the host: a veth pair, host side 10.213.3.1, namespace side 10.213.3.2.
make_e3_link() {
  if ! ip link show gdm-e3h >/dev/null 2>&1; then
    ip link add gdm-e3h type veth peer name gdm-e3n
    ip link set gdm-e3n netns gdm-e3
  fi
  ip addr replace "$E3_HOST_ADDR/24" dev gdm-e3h
  ip link set gdm-e3h up
  ip -n gdm-e3 addr replace "$E3_NS_ADDR/24" dev gdm-e3n
  ip -n gdm-e3 link set gdm-e3n up
}

# A CA, a server certificate for 10.213.3.2 and a client certificate (cert.pem/key.pem:
# the folder works as DOCKER_CERT_PATH). Made once; kept while the files exist.
make_certs() {
  [ -f "$CERTS/cert.pem" ] && [ -f "$CERTS/server-cert.pem" ] && return 0
  mkdir -p "$CERTS"
  chmod 700 "$CERTS"
  local tmp; tmp=$(mktemp -d)
  openssl genrsa -out "$CERTS/ca-key.pem" 2048 2>/dev/null
  openssl req -new -x509 -days 30 -key "$CERTS/ca-key.pem" -subj "/CN=gdm-test-ca" -out "$CERTS/ca.pem" 2>/dev/null
  openssl genrsa -out "$CERTS/server-key.pem" 2048 2>/dev/null
  openssl req -new -key "$CERTS/server-key.pem" -subj "/CN=gdm-e3" -out "$tmp/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:%s,IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' "$E3_NS_ADDR" > "$tmp/server.ext"
  openssl x509 -req -days 30 -in "$tmp/server.csr" -CA "$CERTS/ca.pem" -CAkey "$CERTS/ca-key.pem" \
    -CAcreateserial -extfile "$tmp/server.ext" -out "$CERTS/server-cert.pem" 2>/dev/null
  openssl genrsa -out "$CERTS/key.pem" 2048 2>/dev/null
  openssl req -new -key "$CERTS/key.pem" -subj "/CN=gdm-test-client" -out "$tmp/client.csr" 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' > "$tmp/client.ext"
  openssl x509 -req -days 30 -in "$tmp/client.csr" -CA "$CERTS/ca.pem" -CAkey "$CERTS/ca-key.pem" \
    -CAcreateserial -extfile "$tmp/client.ext" -out "$CERTS/cert.pem" 2>/dev/null
  chmod 600 "$CERTS"/*key.pem
  rm -rf "$tmp"
  say "made a test CA and certificates in $CERTS"
}

start_engine() {
  local name=$1; shift
  local dir="/run/gdm-$name"
  mkdir -p "$dir"
  if answers "$name"; then say "$name answers"; return 0; fi
  # A stale pid file (the process gone) would make dockerd refuse to start.
  if [ -f "$dir/docker.pid" ]; then
    local old; old=$(cat "$dir/docker.pid" 2>/dev/null || true)
    if [ -n "$old" ] && kill -0 "$old" 2>/dev/null; then
      say "$name: dockerd $old exists but does not answer; stopping it"
      stop_engine "$name"
    fi
    rm -f "$dir/docker.pid"
  fi
  say "starting $name (log: $dir/dockerd.log)"
  # setsid: the engine outlives this script and is not in the caller's process group.
  setsid nsenter --net="/var/run/netns/gdm-$name" dockerd \
    --data-root "/var/lib/gdm-$name" --exec-root "$dir/exec" --pidfile "$dir/docker.pid" \
    -H "unix://$dir/docker.sock" "$@" >"$dir/dockerd.log" 2>&1 < /dev/null &
  local waited=0
  until answers "$name"; do
    waited=$((waited + 1))
    if [ "$waited" -ge "$WAIT_SECONDS" ]; then
      tail -20 "$dir/dockerd.log" >&2 || true
      fail "$name: no answer on $dir/docker.sock after ${WAIT_SECONDS}s (waited for dockerd in netns gdm-$name; log above)"
    fi
    sleep 1
  done
  say "$name ready: $(docker -H "unix://$dir/docker.sock" version --format '{{.Server.Version}}')"
}

stop_engine() {
  local name=$1 pidfile; pidfile=$(pidfile_of "$1")
  [ -f "$pidfile" ] || { say "$name: not running"; return 0; }
  local pid; pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    local waited=0
    while kill -0 "$pid" 2>/dev/null; do
      waited=$((waited + 1))
      [ "$waited" -ge "$WAIT_SECONDS" ] && { kill -9 "$pid" 2>/dev/null || true; say "$name: dockerd $pid killed after ${WAIT_SECONDS}s"; break; }
      sleep 1
    done
  fi
  rm -f "$pidfile"
  say "$name stopped"
}

load_image() {
  local name=$1
  if docker -H "unix://$(socket_of "$name")" image inspect "$IMAGE" >/dev/null 2>&1; then return 0; fi
  docker image inspect "$IMAGE" >/dev/null 2>&1 || fail "$IMAGE is missing on the first engine (run scripts/build-test-image.sh)"
  timeout 120 bash -c "docker save '$IMAGE' | docker -H 'unix://$(socket_of "$name")' load >/dev/null" \
    || fail "$name: loading $IMAGE timed out or failed"
  say "$name: loaded $IMAGE"
}

init_swarm() {
  local host="unix://$(socket_of e2)" state
  state=$(docker -H "$host" info --format '{{.Swarm.LocalNodeState}}')
  [ "$state" = active ] && return 0
  timeout 60 docker -H "$host" swarm init --advertise-addr 127.0.0.1 >/dev/null \
    || fail "e2: docker swarm init timed out or failed"
  say "e2: one-node swarm initialised"
}

write_env() {
  mkdir -p "$BASE"
  cat > "$BASE/engines.env" <<EOF
GDM_E2_HOST=unix://$(socket_of e2)
GDM_E3_HOST=tcp://$E3_NS_ADDR:2376
GDM_E3_SOCKET=unix://$(socket_of e3)
GDM_E3_CERT_PATH=$CERTS
EOF
}

start_e2() { make_namespace e2; start_engine e2; load_image e2; init_swarm; }
start_e3() {
  make_namespace e3; make_e3_link; make_certs
  start_engine e3 -H "tcp://$E3_NS_ADDR:2376" --tlsverify --tlscacert "$CERTS/ca.pem" \
    --tlscert "$CERTS/server-cert.pem" --tlskey "$CERTS/server-key.pem"
  load_image e3
}

# iproute2 (ip netns, veth) and openssl may be missing on a fresh machine.
install_tools() {
  local missing=()
  command -v ip >/dev/null || missing+=(iproute2)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v nsenter >/dev/null || missing+=(util-linux)
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || fail "missing ${missing[*]} and no apt-get to install them"
  say "installing ${missing[*]} with apt-get"
  DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { timeout 300 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq "${missing[@]}" >/dev/null; } \
    || fail "apt-get could not install ${missing[*]} within its time limit"
}

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces and dockerd)"
install_tools
command -v dockerd >/dev/null || fail "dockerd is not installed (run scripts/setup-engine.sh first)"
action="${1:-start}"; which="${2:-all}"
case "$action:$which" in
  start:all) start_e2; start_e3; write_env ;;
  start:e2) start_e2; write_env ;;
  start:e3) start_e3; write_env ;;
  stop:all) stop_engine e2; stop_engine e3 ;;
  stop:e2|stop:e3) stop_engine "$which" ;;
  *) fail "usage: $0 [start|stop] [e2|e3|all]" ;;
esac
