#!/usr/bin/env bash
# Makes sure a Docker engine answers, for the tests and the quick start.
#  1. An engine that already answers (DOCKER_HOST or the default socket) is reused as is.
#  2. Else Debian's dockerd is started in the background (installed first with apt-get
#     when we are root on Debian and it is missing).
# A stale /var/run/docker.pid whose process is gone is removed; an engine that is still
# shutting down is waited for, since dockerd refuses to start beside it.
# Idempotent: safe to run twice. Exits non-zero, loudly, when no engine can be had.
set -euo pipefail

LOG_DIR="${GDM_ENGINE_LOG_DIR:-/tmp/gdm-engine}"
PIDFILE=/var/run/docker.pid
SOCKET=/var/run/docker.sock
APT_PACKAGES=(docker.io docker-compose busybox-static)

say() { echo "[setup-engine] $*"; }
engine_answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v busybox >/dev/null || missing+=(busybox-static)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    say "missing ${missing[*]} and cannot install them (need root on Debian)"
    return 1
  fi
  say "installing ${APT_PACKAGES[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${APT_PACKAGES[@]}" >/dev/null
}

# Waits for a dockerd that is still exiting (or dead with a stale pid file).
clear_previous_engine() {
  if [ -f "$PIDFILE" ]; then
    local pid; pid=$(cat "$PIDFILE" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      say "a dockerd (pid $pid) exists but does not answer: waiting for it"
      for _ in $(seq 1 60); do
        engine_answers && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 1
      done
      if kill -0 "$pid" 2>/dev/null && ! engine_answers; then
        say "dockerd $pid is stuck; stopping it"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
        kill -9 "$pid" 2>/dev/null || true
      fi
    fi
    engine_answers && return 0
    say "removing stale $PIDFILE"
    rm -f "$PIDFILE"
  fi
  # A dockerd without a pid file (e.g. mid-shutdown) also blocks a new one.
  for _ in $(seq 1 30); do pgrep -x dockerd >/dev/null || break; sleep 1; done
  # containerd left by a killed dockerd keeps its own pid file; dockerd restarts it.
  rm -f /var/run/docker/containerd/containerd.pid 2>/dev/null || true
}

start_engine() {
  mkdir -p "$LOG_DIR"
  say "starting dockerd (log: $LOG_DIR/dockerd.log)"
  # setsid: the engine must outlive the shell that started it.
  setsid nohup dockerd >"$LOG_DIR/dockerd.log" 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    if [ -S "$SOCKET" ] && engine_answers; then
      say "engine ready: $(docker version --format '{{.Server.Version}}')"
      # Marks the engine as ours: tests may restart an engine the set-up started.
      cat "$PIDFILE" > "$LOG_DIR/owned-pid" 2>/dev/null || true
      return 0
    fi
    sleep 1
  done
  say "dockerd did not answer within 60 s; last log lines:"
  tail -n 20 "$LOG_DIR/dockerd.log" >&2 || true
  return 1
}

main() {
  if command -v docker >/dev/null && engine_answers; then
    say "reusing the engine that answers: $(docker version --format '{{.Server.Version}}')"
    install_packages || true
    return 0
  fi
  if [ -n "${DOCKER_HOST:-}" ] && [[ "$DOCKER_HOST" != unix://* ]]; then
    say "DOCKER_HOST=$DOCKER_HOST does not answer; not starting a local engine in its place"
    return 1
  fi
  install_packages || { say "no Docker engine can be had on this machine"; return 1; }
  clear_previous_engine
  engine_answers && { say "engine answered after waiting"; return 0; }
  start_engine
}

main "$@"
