#!/usr/bin/env bash
# PHP checks of the Vtiger extension (vtiger-extension/) under the PHP versions it supports (7.4-8.2): `php -l` of
# every PHP file, then the unit checks of its pure parts (test/php/run.php); under PHP 7.4 also
# scripts/php-compat.php (every function, class and type the extension names exists in PHP 7.4 or is Vtiger's).
# PHP 7.4 and 8.0 are WebAssembly builds from npm (dev dependencies; scripts/php-wasm.mjs); "native" is the php on
# PATH (php-cli: 8.2 on Debian 12; CI: apt-get install php-cli). Exits non-zero on any failure.
#   bash scripts/php-check.sh                  7.4, 8.0 and native (native is skipped, saying so, when there is none)
#   bash scripts/php-check.sh 7.4 [8.0|native] only those
#   PHP=php8.1 bash scripts/php-check.sh native another PHP binary as the native one
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PHP="${PHP:-php}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(7.4 8.0 native)
files=()
while IFS= read -r -d '' f; do files+=("$f"); done \
	< <(find vtiger-extension test/php -type f \( -name '*.php' -o -name '*.service' \) -print0 2>/dev/null | sort -z)

# check LABEL COMMAND...: the checks with one PHP (COMMAND runs it like `php`)
check() {
	local label="$1"; shift
	local rc=0 out version
	if ! version=$("$@" -r 'echo PHP_VERSION;' 2>&1); then
		echo "php-check: $label: $version" >&2
		return 2
	fi
	if [ "$label" = native ]; then
		for f in "${files[@]}"; do
			out=$("$@" -d display_errors=stderr -l "$f" 2>&1) || { echo "$out" >&2; rc=1; }
		done
	else
		# one node process lints every file, each in a fresh PHP (as many `php -l` runs)
		out=$(node scripts/php-wasm.mjs "$label" --lint "${files[@]}" 2>&1) || {
			grep -v '^No syntax errors detected in ' <<<"$out" >&2
			rc=1
		}
	fi
	echo "php-check: php -l of ${#files[@]} files with $version: $([ $rc = 0 ] && echo clean || echo FAILED)"
	"$@" -d display_errors=stderr -d error_reporting=-1 test/php/run.php || rc=1
	if [ "$label" = 7.4 ]; then
		"$@" scripts/php-compat.php vtiger-extension || rc=1
	fi
	return $rc
}

status=0
for target in "${targets[@]}"; do
	case "$target" in
		native)
			if ! command -v "$PHP" >/dev/null; then
				echo "php-check: native: $PHP not found, skipped (install php-cli)"
				continue
			fi
			check native "$PHP" || status=1
			;;
		7.4 | 8.0) check "$target" node scripts/php-wasm.mjs "$target" || status=1 ;;
		*) echo "php-check: unknown target $target (7.4, 8.0 or native)" >&2; exit 2 ;;
	esac
done
exit $status
