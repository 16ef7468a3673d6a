#!/usr/bin/env bash
# npm run lint: n8n's `n8n-node lint` (@n8n/node-cli). Strict mode ("strict": true in package.json) requires
# eslint.config.mjs to be n8n's default config, unchanged; it lints nodes/, credentials/ and package.json.
# ESLINT_FLAGS=unstable_config_lookup_from_file makes ESLint use the eslint.config.mjs nearest to each file (ESLint
# 10's default), so test/, bench/ and scripts/ are linted by their own config (test/eslint.config.mjs): n8n's
# community-node rules forbid process, timers and the file system, which tests need.
# n8n-node lint passes with warnings; here a warning fails as an error does.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export ESLINT_FLAGS=unstable_config_lookup_from_file
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
node node_modules/@n8n/node-cli/bin/n8n-node.mjs lint 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || exit "$rc"
if sed 's/\x1b\[[0-9;]*m//g' "$out" | grep -qE '[0-9]+ problems? \('; then
  echo "lint: warnings fail the lint too (fix them; no inline ESLint directives)" >&2
  exit 1
fi
