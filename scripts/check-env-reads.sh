#!/usr/bin/env bash
# Only src/config.ts reads the environment (one TypeBox schema, README "Configuration").
# ESLint's no-restricted-properties catches `process.env`; this also catches the forms it
# misses: process['env'], `const { env } = process`, `import { env } from 'node:process'`,
# globalThis.process. Comment lines are ignored. Exits 1 listing each offending line.
set -euo pipefail
cd "$(dirname "$0")/.."
allowed='^src/config\.ts:'
pattern='process[[:space:]]*(\?\.|\.)[[:space:]]*env\b|process[[:space:]]*(\?\.)?\[|\}[[:space:]]*=[[:space:]]*(globalThis\.)?process\b|\benv\b[^;]*from[[:space:]]*['\''"](node:)?process['\''"]|globalThis[[:space:]]*(\?\.|\.|\[)[[:space:]]*['\''"]?process'
found=$(grep -rnE --include='*.ts' --include='*.tsx' --include='*.js' "$pattern" src \
  | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|//|/\*)' | grep -vE "$allowed" || true)
if [ -n "$found" ]; then
  echo "x environment read outside src/config.ts (add the variable to the schema in src/config.ts and pass the value down):"
  echo "$found" | sed 's/^/  /'
  exit 1
fi
echo "✔ env reads: only src/config.ts reads process.env"
