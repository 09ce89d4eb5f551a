#!/usr/bin/env bash
# `npm run package`: builds dist/patchbay, one self-contained executable (Node + the compiled daemon + its production
# node_modules) as a Node single executable application. See packaging/sea/build.ts; it needs `npm run build` first.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/agent/main.js ] || npm run --silent build
exec node --import tsx packaging/sea/build.ts
