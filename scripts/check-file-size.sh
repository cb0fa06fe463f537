#!/usr/bin/env bash
# Small files with one concern: no file in src/ or web/src/ over 300 lines (issue 12).
# Exits 1 listing each file over the limit, longest first.
set -euo pipefail
cd "$(dirname "$0")/.."
max=300
offenders=$(find src web/src -type f -print0 | xargs -0 wc -l | grep -v ' total$' \
  | awk -v max="$max" '$1 > max { printf "  %5d  %s\n", $1, $2 }' | sort -rn || true)
if [ -n "$offenders" ]; then
  echo "x files over $max lines (split them by concern):"
  echo "$offenders"
  exit 1
fi
echo "✔ file size: no file in src/ or web/src/ over $max lines"
