#!/usr/bin/env bash
# PHP checks of the Vtiger extension (vtiger-extension/): `php -l` of every PHP file, then the unit checks of
# its pure parts (test/php/run.php). Needs php-cli (CI: apt-get install php-cli). Exits non-zero on any failure.
#   bash scripts/php-check.sh            lint + units with the php on PATH
#   PHP=php7.4 bash scripts/php-check.sh the same with another PHP binary
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PHP="${PHP:-php}"
command -v "$PHP" >/dev/null || { echo "php-check: $PHP not found (install php-cli)" >&2; exit 2; }
rc=0
n=0
while IFS= read -r -d '' f; do
	n=$((n + 1))
	out=$("$PHP" -d display_errors=stderr -l "$f" 2>&1) || { echo "$out" >&2; rc=1; }
done < <(find vtiger-extension test/php -type f \( -name '*.php' -o -name '*.service' \) -print0 2>/dev/null)
echo "php-check: php -l of $n files with $("$PHP" -r 'echo PHP_VERSION;'): $([ $rc = 0 ] && echo clean || echo FAILED)"
if [ -f test/php/run.php ]; then
	"$PHP" -d display_errors=stderr -d error_reporting=-1 test/php/run.php || rc=1
fi
exit $rc
