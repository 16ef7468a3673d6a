#!/usr/bin/env bash
# Makes sure Debian's chromium is installed (the e2e screenshot test drives it with playwright-core).
# Installs chromium and fonts-liberation with what they depend on and nothing else: no recommended packages
# (those pulled in a systemd upgrade) and no upgrade of an installed package that chromium does not require.
# On Debian 12 that is 26 new packages, about 400 MB installed; the list is printed before installing.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PACKAGES=(chromium fonts-liberation)
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "chromium.sh: /usr/bin/chromium missing; install it with: sudo apt-get install --no-install-recommends ${PACKAGES[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "chromium.sh: apt-get update" >&2
bash "$HERE/ticking.sh" "apt-get update" apt-get update -qq >&2
apt=(apt-get install -y -qq --no-install-recommends --no-upgrade "${PACKAGES[@]}")
plan=$("${apt[@]}" --simulate | grep '^Inst ' || true)
echo "chromium.sh: ${apt[*]}: installs $(grep -c . <<<"$plan") packages: $(awk '{print $2}' <<<"$plan" | tr '\n' ' ')" >&2
# "Inst name [installed version] (new version …)" is an upgrade; only a dependency of chromium can ask for one
upgrades=$(awk '$3 ~ /^\[/ {print $2, $3}' <<<"$plan" | tr '\n' ' ')
if [ -n "$upgrades" ]; then echo "chromium.sh: chromium needs newer versions of these installed packages: $upgrades" >&2; fi
bash "$HERE/ticking.sh" "apt-get install chromium" "${apt[@]}" >&2
