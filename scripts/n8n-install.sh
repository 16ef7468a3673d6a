#!/usr/bin/env bash
# Installs n8n (the real product, used by the end-to-end tests) into a cache outside the repository,
# once: ~/.cache/n8n-nodes-vtigercrm/n8n-<version>. Prints the install directory on stdout.
# A plain `npm install n8n` fails on this kind of machine (a prebuilt download of a kafka binding), so
# scripts are skipped and the one native module n8n needs here (sqlite3) is built from source.
set -euo pipefail
N8N_VERSION="${N8N_VERSION:-2.41.1}"
CACHE_DIR="${VTIGER_NODES_CACHE:-$HOME/.cache/n8n-nodes-vtigercrm}"
DIR="$CACHE_DIR/n8n-$N8N_VERSION"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

complete() { [ -f "$DIR/.complete" ] && [ -f "$DIR/node_modules/n8n/bin/n8n" ]; }

# `npm run demo` (or any npm script) exports npm's resolved settings to every child process, among them the
# project's `ignore-scripts=true` as npm_config_ignore_scripts: `npm rebuild sqlite3` then builds nothing and
# still says "rebuilt dependencies successfully". n8n's folder is not this project: its npm reads its own
# settings. npm_config_nodedir is node24.sh's (Node 24's headers for the build), kept.
for name in $(compgen -e); do
  case "$name" in
    npm_config_nodedir) ;;
    npm_config_* | npm_package_* | npm_lifecycle_* | npm_command | npm_execpath | npm_node_execpath) unset "$name" ;;
  esac
done
if complete; then echo "$DIR"; exit 0; fi

# npm and node-gyp must run under Node 24 (n8n's engines, sqlite3 headers).
if [ -z "${NODE24_BIN:-}" ]; then exec bash "$HERE/node24.sh" bash "$0" "$@"; fi

mkdir -p "$DIR"
exec 9>"$DIR.lock"
flock 9
if complete; then echo "$DIR"; exit 0; fi
start=$(date +%s)
echo "n8n-install: npm install n8n@$N8N_VERSION (about 2,000 packages, 2.9 GB) into $DIR, once for every clone; about 5 minutes" >&2
cd "$DIR"
rm -f .complete
# n8n 1.x's n8n-nodes-base takes xlsx from cdn.sheetjs.com, outside the npm registry (unreachable here); the same
# SheetJS build republished on the registry as @e965/xlsx (what n8n 2.x itself depends on) replaces it.
echo '{ "name": "n8n-e2e-runtime", "private": true, "overrides": { "xlsx": "npm:@e965/xlsx@0.20.3" } }' > package.json
bash "$HERE/ticking.sh" --size "$DIR" "npm install n8n@$N8N_VERSION" \
  npm install --ignore-scripts --no-audit --no-fund --loglevel=error "n8n@$N8N_VERSION" >&2
echo "n8n-install: building n8n's SQLite driver (npm package sqlite3) from source with node-gyp; about 1.5 minutes" >&2
npm_config_build_from_source=true bash "$HERE/ticking.sh" "building sqlite3" \
  npm rebuild sqlite3 --ignore-scripts=false --foreground-scripts=false --loglevel=error >&2
if ! node -e "require('$DIR/node_modules/sqlite3')" >&2; then
  echo "n8n-install: n8n's SQLite driver did not build; node-gyp needs python3, make and a C++ compiler (Debian: apt-get install python3 make g++)" >&2
  exit 1
fi
touch .complete
echo "n8n-install: done in $(( $(date +%s) - start )) s" >&2
echo "$DIR"
