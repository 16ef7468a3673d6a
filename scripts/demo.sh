#!/usr/bin/env bash
# `npm run demo`: installs what is missing (dev dependencies, Node 24, n8n) and runs scripts/demo.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
exec bash scripts/node24.sh node node_modules/tsx/dist/cli.mjs scripts/demo.ts "$@"
