#!/usr/bin/env bash
# `npm run package`: builds dist/patchbay, one self-contained executable (Deno runtime + our sources + node_modules).
#
# deno compile embeds the files it can find from agent/main.ts by static imports. These are loaded in other ways and
# must be named with --include:
#   - the relay worker: tinypool starts node_modules/tinypool/dist/entry/worker.js, which imports
#     src/relay/worker-entry.mjs by URL, which imports src/relay/worker.ts dynamically;
#   - src/compute/console/pty-exec.py, run by python3 for VPCS 0.5b2.
# deno compile needs the "denort" runtime of the same Deno version. It downloads it once (then it is cached); on a
# machine without internet access, point DENORT_BIN at a denort binary (deno's release zip denort-<target>.zip).
set -euo pipefail
cd "$(dirname "$0")/.."

deno="node_modules/.bin/deno"
[ -x "$deno" ] || { echo "build-binary.sh: run npm ci first (deno comes from the deno npm package)" >&2; exit 1; }
target="${PATCHBAY_TARGET:-}"
mkdir -p dist
args=(compile --allow-all --no-check
  --include src/relay/worker-entry.mjs
  --include src/relay/worker.ts
  --include src/compute/console/pty-exec.py
  --include node_modules/tinypool/dist
  --output dist/patchbay)
if [ -n "$target" ]; then args+=(--target "$target"); fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! "$deno" "${args[@]}" agent/main.ts 2>&1 | tee "$log"; then
  if grep -q 'denort' "$log" && grep -qiE 'dns|connect|download|error sending request' "$log"; then
    echo "build-binary.sh: deno compile could not download its denort runtime (no internet access?)." >&2
    echo "  Set DENORT_BIN=/path/to/denort ($("$deno" --version | head -1 | cut -d' ' -f2), same target) and retry." >&2
    exit 3
  fi
  exit 1
fi
echo "build-binary.sh: built dist/patchbay ($(du -h dist/patchbay | cut -f1))"
