#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what the tests need, makes sure a real
# Docker engine answers, then runs the structure checks (import graph, env reads, file size),
# lint, type check, build (service and dashboard), unit tests (two at a time: they share no
# state), then integration and end-to-end (headless Chromium) tests one file at a time (one
# engine). Screenshots: test-output/screenshots.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

echo "== dependencies"
npm ci --no-audit --no-fund --loglevel=error
npm ci --prefix clients/typescript --no-audit --no-fund --loglevel=error

echo "== engine"
bash scripts/setup-engine.sh
bash scripts/build-test-image.sh
bash scripts/build-image-test-bases.sh
bash scripts/setup-test-tools.sh
# A second and third engine in their own network namespaces (multi-engine and swarm tests).
bash scripts/setup-test-engines.sh
bash scripts/setup-test-sshd.sh
timeout 360 bash scripts/setup-test-registry.sh
bash scripts/cleanup-test-containers.sh

echo "== lint and types"
# Structure first (seconds): all three run, so one run lists every violation.
structure=0
npm run --silent check:imports || structure=1
npm run --silent check:env || structure=1
npm run --silent check:size || structure=1
bash scripts/check-test-waits.sh || structure=1
if [ "$structure" -ne 0 ]; then
  echo "x structure checks failed (import graph, env reads, file size or test waits): see above" >&2
  exit 1
fi
npm run --silent lint
npm run --silent typecheck
npm run --silent build
npx tsc -p clients/typescript/tsconfig.json --noEmit
npm run --silent --prefix clients/typescript generate:check
npm run --silent --prefix clients/typescript build

echo "== tests"
status=0
# Unit tests touch no engine and share no files, ports or globals: two files at a time.
node --import tsx --test --test-concurrency=2 --test-reporter=spec \
  test/unit/*.test.ts || status=$?
# The rest share one engine (events, names, the engine-restart test): one file at a time.
node --import tsx --test --test-concurrency=1 --test-reporter=spec \
  test/integration/*.test.ts test/e2e/*.test.ts clients/typescript/test/*.test.ts test/image/*.test.ts || status=$?

bash scripts/cleanup-test-containers.sh
bash scripts/check-host-network.sh || status=1
echo "== test command took $(( $(date +%s) - started )) s"
exit $status
