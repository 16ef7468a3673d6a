#!/usr/bin/env bash
# Runs a long command and says on stderr, every TICK_SECONDS (15) until it ends, what it is doing and for how long,
# so a first run is never silent for long:  ticking.sh [--count DIR] WHAT CMD [ARG…]
# --count DIR adds how many packages DIR/node_modules holds so far. Exits with CMD's status.
set -uo pipefail
count=""
if [ "${1:-}" = "--count" ]; then count="$2"; shift 2; fi
what="$1"; shift
start=$(date +%s)
packages() {
  [ -n "$count" ] && [ -d "$count/node_modules" ] || return 0
  echo ", $(cd "$count/node_modules" && ls -d [!@.]* @*/* 2>/dev/null | wc -l) packages in node_modules so far"
}
(
  while sleep "${TICK_SECONDS:-15}"; do echo "  … $what: $(( $(date +%s) - start )) s$(packages)" >&2; done
) &
ticker=$!
trap 'kill "$ticker" 2>/dev/null' EXIT
"$@"
rc=$?
kill "$ticker" 2>/dev/null
wait "$ticker" 2>/dev/null
exit "$rc"
