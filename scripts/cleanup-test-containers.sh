#!/usr/bin/env bash
# Removes every container the tests or benchmarks made (they carry the gdm.test label),
# whatever state a failed run left them in.
set -euo pipefail
ids=$(docker ps -aq --filter label=gdm.test 2>/dev/null || true)
if [ -n "$ids" ]; then
  # shellcheck disable=SC2086
  docker rm -f $ids >/dev/null
  echo "removed $(echo "$ids" | wc -l) leftover test containers"
fi
