#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what the tests need, makes sure a real
# Docker engine answers, then runs lint, type check, build (service and dashboard), unit,
# integration and end-to-end (headless Chromium) tests. Screenshots: test-output/screenshots.
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
bash scripts/cleanup-test-containers.sh

echo "== lint and types"
bash scripts/check-test-waits.sh
npm run --silent lint
npm run --silent typecheck
npm run --silent build
npx tsc -p clients/typescript/tsconfig.json --noEmit
npm run --silent --prefix clients/typescript generate:check
npm run --silent --prefix clients/typescript build

echo "== tests"
status=0
node --import tsx --test --test-concurrency=1 --test-reporter=spec \
  test/unit/*.test.ts test/integration/*.test.ts test/e2e/*.test.ts clients/typescript/test/*.test.ts test/image/*.test.ts || status=$?

bash scripts/cleanup-test-containers.sh
echo "== test command took $(( $(date +%s) - started )) s"
exit $status
