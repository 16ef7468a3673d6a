#!/usr/bin/env bash
# Installs the project's dev dependencies with `npm ci` when node_modules does not hold what package-lock.json
# locks (first run on a clone, or a lock file that changed), so `npm test` and `npm run demo` are the only
# commands needed on a fresh clone, and the lock file is never rewritten.
# Install scripts are skipped: nothing here needs them, and some transitive ones download binaries.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# What the lock file wants and node_modules lacks (its hidden lock file lists what npm installed); optional
# packages of other platforms are not installed, so they are not asked for.
missing=$(node -e '
  const fs = require("fs");
  const locked = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages;
  let installed = {};
  try { installed = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages; } catch {}
  const wanted = Object.entries(locked).filter(([path, p]) => path && !p.optional && !p.devOptional && !p.link);
  const missing = wanted.filter(([path, p]) => installed[path]?.version !== p.version);
  process.stdout.write(missing.length ? `${missing.length} of ${wanted.length}` : "");
')
[ -z "$missing" ] && exit 0
if [ -L node_modules ]; then
  echo "ensure-deps: node_modules is a link and lacks $missing locked packages; run npm ci where it points" >&2
  exit 0
fi
echo "ensure-deps: npm ci: installing the dev dependencies locked in package-lock.json ($missing packages missing; about 1 minute)" >&2
bash scripts/ticking.sh --size . "npm ci" npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
