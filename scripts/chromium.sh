#!/usr/bin/env bash
# Makes sure Debian's chromium is installed (the e2e screenshot test drives it with playwright-core).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "chromium.sh: /usr/bin/chromium missing; install it with: sudo apt-get install chromium" >&2; exit 1; fi
echo "chromium.sh: apt-get install chromium" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq chromium >&2
