#!/usr/bin/env bash
# After the tests: the first engine's containers must still have their network (a stray
# dockerd or swarm in the host's namespace would have deleted docker0 or taken its subnet).
set -euo pipefail
IMAGE="${GDM_TEST_IMAGE:-gdm-test-busybox:latest}"
ip link show docker0 >/dev/null 2>&1 || { echo "x docker0 is gone from the host: the first engine's containers lost their network" >&2; exit 1; }
addr=$(timeout 60 docker run --rm --label gdm.test=host-network "$IMAGE" sh -c "ip -4 -o addr show eth0" 2>&1 || true)
case "$addr" in
  *"inet "*) echo "host network ok: a container on the first engine got ${addr#*inet }" ;;
  *) echo "x a container on the first engine got no network: $addr" >&2; exit 1 ;;
esac
