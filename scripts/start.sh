#!/usr/bin/env bash
# Quick start: install, make sure a Docker engine answers (starting Debian's dockerd if
# needed), build, and serve on http://127.0.0.1:${PORT:-8098}.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
bash scripts/setup-engine.sh || echo "No Docker engine could be had: the service starts anyway and /ready says so."
npm run --silent build
# The image's memory settings (Dockerfile): a 2 MiB young generation, a heap that grows less
# eagerly, two malloc arenas.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec node --max-semi-space-size=2 --optimize-for-size dist/src/cli.js serve
