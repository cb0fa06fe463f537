#!/usr/bin/env bash
# Integration tests wait for events (an SSE event, a store change, a log line) or poll the
# engine's real state with a bound, never for a fixed time. Fails on any timer in
# test/integration/*.ts (setTimeout, a sleep() call, node:timers/promises) on a line that
# does not say why it is not such a wait with a `// timer-ok: <reason>` comment (a bound on
# a wait, or a timer that is itself under test). Shell `sleep 3600` in a container command
# is not a call and is not flagged.
set -euo pipefail
cd "$(dirname "$0")/.."

pattern='setTimeout|(^|[^A-Za-z0-9_.])sleep\(|timers/promises'
found=$(grep -nE "$pattern" test/integration/*.ts | grep -vE '// timer-ok: *[^ ]' || true)
if [ -n "$found" ]; then
  echo "Timers in integration tests (wait for an event instead, or mark a bound with '// timer-ok: <reason>'):" >&2
  echo "$found" >&2
  exit 1
fi
echo "check-test-waits: no timer waits in test/integration"
