#!/usr/bin/env bash
# Runs a long command and says on stderr, every TICK_SECONDS (15) until it ends, what it is doing and for how long,
# so a first run is never silent for long:  ticking.sh [--size DIR] WHAT CMD [ARG…]
# --size DIR adds how many MB DIR/node_modules holds so far. Exits with CMD's status.
set -uo pipefail
sizedir=""
if [ "${1:-}" = "--size" ]; then sizedir="$2"; shift 2; fi
what="$1"; shift
start=$(date +%s)
size() {
  [ -n "$sizedir" ] && [ -d "$sizedir/node_modules" ] || return 0
  echo ", $(du -sm "$sizedir/node_modules" 2>/dev/null | cut -f1) MB in node_modules so far"
}
(
  while sleep "${TICK_SECONDS:-15}"; do echo "  … $what: $(( $(date +%s) - start )) s$(size)" >&2; done
) &
ticker=$!
trap 'kill "$ticker" 2>/dev/null' EXIT
"$@"
rc=$?
kill "$ticker" 2>/dev/null
wait "$ticker" 2>/dev/null
exit "$rc"
