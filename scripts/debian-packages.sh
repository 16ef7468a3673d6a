#!/usr/bin/env bash
# Installs Debian packages that are missing (as root; otherwise says what to install), without recommended
# packages and without upgrading installed ones. Used by CI for what the tests need beyond Node:
#   bash scripts/debian-packages.sh php-cli                     the extension's PHP checks (test/unit/extensionPackage.test.ts)
#   bash scripts/debian-packages.sh apache2 php8.2-fpm          the extension's live test under a production web server
set -euo pipefail
missing=()
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "debian-packages.sh: missing ${missing[*]}; install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$HERE/ticking.sh" "apt-get update" apt-get update -qq >&2
# Debian's maintainer scripts would start what they install (apache2 on every address's port 80): a
# policy-rc.d that forbids it for the length of the install; the tests start their own servers on loopback.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; own_policy=1; fi
rc=0
bash "$HERE/ticking.sh" "apt-get install ${missing[*]}" \
  apt-get install -y -qq --no-install-recommends --no-upgrade "${missing[@]}" >&2 || rc=$?
[ "$own_policy" = 1 ] && rm -f "$policy"
exit "$rc"
