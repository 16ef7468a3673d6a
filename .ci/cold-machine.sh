#!/usr/bin/env bash
# CI step: the README's set-up on a cold machine. A fresh clone of this commit in an empty folder (no ../shared
# beside it), an empty HOME (no npm cache, no Node 24, no n8n in any cache, no user npm settings), a plain PATH
# (the machine's own Node, 20 on this kind of machine), and then exactly the README's commands, in its order:
#   npm ci, npm run demo, npm test
# Fails when any of them fails or when the clone is not clean afterwards (a command that writes a tracked or an
# unignored file). Prints each command's time: CONTRIBUTING's "first run" figures come from here.
# Cost on 2 cores: about 10 minutes on a quiet machine, 25 on a busy one, most of it n8n's install (npm install
# n8n, then its SQLite driver built from source).
# With COLD_CACHE_FILE set, writes the path of the cache it filled (Node 24, n8n) into that file, so later CI
# steps reuse what this step proved installable instead of installing it a second time.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(mktemp -d /tmp/cold-machine.XXXXXX)"
mkdir -p "$root/home"
git clone --quiet --no-hardlinks "$repo" "$root/n8n-nodes-vtigercrm" || exit 1
cd "$root/n8n-nodes-vtigercrm" || exit 1
echo "cold machine: clone of $(git rev-parse --short HEAD) in $PWD, HOME=$root/home, node $(PATH=/usr/local/bin:/usr/bin:/bin node --version)"

# The README names these commands; the step fails if the README stops naming them (it would prove nothing).
for command in 'npm ci' 'npm run demo' 'npm test'; do
  grep -qF "$command" README.md || { echo "cold machine: README.md no longer names '$command'" >&2; exit 1; }
done

# The machine's own environment (its CA settings, which Node 24's npm needs behind this kind of machine's TLS
# proxy, come from there), with a new HOME and nothing that points at a cache or at npm settings of this run.
unset_vars=()
for name in $(compgen -e); do
  case "$name" in
    npm_* | XDG_* | VTIGER_* | NODE24_* | NODE_OPTIONS | NODE_PATH | COLD_CACHE_FILE) unset_vars+=(-u "$name") ;;
  esac
done
clean_env=(env "${unset_vars[@]}" HOME="$root/home" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
failed=0
times=()
for command in 'npm ci' 'npm run demo' 'npm test'; do
  echo
  echo "--- cold machine: $command"
  t0=$(date +%s)
  if "${clean_env[@]}" bash -c "$command" </dev/null; then result=ok; else result=FAILED; failed=1; fi
  times+=("$result  $command  $(( $(date +%s) - t0 )) s")
  [ "$result" = ok ] || break
done
echo
echo "--- cold machine: the clone after the commands"
dirty=$(git status --porcelain --untracked-files=all)
if [ -n "$dirty" ]; then
  echo "cold machine: the commands left the clone dirty:" >&2
  echo "$dirty" | head -20 >&2
  failed=1
else
  echo "clean (git status shows nothing)"
fi
echo
echo "--- cold machine: times"
printf '%s\n' "${times[@]}"
if [ -n "${COLD_CACHE_FILE:-}" ] && [ "$failed" = 0 ]; then echo "$root/home/.cache/n8n-nodes-vtigercrm" > "$COLD_CACHE_FILE"; fi
# The clone is removed; the home (its cache) stays for the steps after this one when they were told where it is.
rm -rf "$root/n8n-nodes-vtigercrm"
[ -n "${COLD_CACHE_FILE:-}" ] && [ "$failed" = 0 ] || rm -rf "$root"
exit "$failed"
