#!/usr/bin/env bash
# Installs the project's dev dependencies when node_modules is missing or older than package-lock.json,
# so `npm test` and `npm run demo` are the only commands needed on a fresh clone.
# Install scripts are skipped: nothing here needs them, and some transitive ones download binaries.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -f node_modules/.package-lock.json ] && [ ! package-lock.json -nt node_modules/.package-lock.json ]; then
  exit 0
fi
echo "ensure-deps: npm install (first run on this clone)" >&2
# npm ci refuses this lock file: npm 11 records the other platforms' optional bindings of some dev
# tools without versions. npm install honours the locked versions all the same.
npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2
