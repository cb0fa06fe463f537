#!/usr/bin/env bash
# Removes every container (and, on the swarm test engine, every service) the tests or
# benchmarks made (they carry the gdm.test label), whatever state a failed run left them
# in, on the first engine and on the extra test engines (scripts/setup-test-engines.sh).
set -euo pipefail

clean() { # $1: label for messages; the rest: docker CLI connection options
  local what=$1; shift
  local ids
  ids=$(timeout 30 docker "$@" service ls -q --filter label=gdm.test 2>/dev/null || true)
  if [ -n "$ids" ]; then
    # shellcheck disable=SC2086
    timeout 60 docker "$@" service rm $ids >/dev/null || true
    echo "removed $(echo "$ids" | wc -l) leftover test services on $what"
  fi
  ids=$(timeout 30 docker "$@" ps -aq --filter label=gdm.test 2>/dev/null || true)
  if [ -n "$ids" ]; then
    # shellcheck disable=SC2086
    timeout 120 docker "$@" rm -f $ids >/dev/null || true
    echo "removed $(echo "$ids" | wc -l) leftover test containers on $what"
  fi
}

clean "the first engine"
ENV_FILE=/run/gdm-test-engines/engines.env
if [ -f "$ENV_FILE" ]; then
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  clean e2 -H "$GDM_E2_HOST"
  clean e3 -H "$GDM_E3_SOCKET"
fi
