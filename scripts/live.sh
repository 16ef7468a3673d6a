#!/usr/bin/env bash
# The live suite (test/live) against the Vtiger lab of ../shared/lab (a real Vtiger CRM 8.3.0, two servers).
#   bash scripts/live.sh available        exit 0 when ../shared/lab exists, else print why the suite is skipped
#   bash scripts/live.sh setup            build or restart the lab (idempotent; ../shared/lab/setup.sh)
#   bash scripts/live.sh run stock|positional [jest args…]
#                                         npm run test:live against that server, with the second (non-admin)
#                                         user and the server's PHP session folder, from $LAB_DIR/lab.env
#   bash scripts/live.sh extension        build the package and install its Vtiger extension (dist/vtiger-extension/
#                                         N8nConnector-<version>.zip) into the lab, or upgrade it (module.sh)
#   bash scripts/live.sh replay           the conformance replay (test/conformance/replay.ts) against both servers
#   bash scripts/live.sh simulator [positional|stock-8.3-php8] [jest args…]
#                                         the same suite against the simulator (no session folder: the expiry
#                                         tests skip): where it fails and the lab passes, the simulator is wrong
# Against your own CRM use npm run test:live with VTIGER_URL etc. (README, "Live tests against a real Vtiger").
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
LAB="${LIVE_LAB:-../shared/lab}"
LAB_DIR="${LAB_DIR:-$HOME/.cache/vtiger-lab}"

case "${1:-}" in
available)
	if [ -f "$LAB/setup.sh" ]; then exit 0; fi
	echo "live suite skipped: ../shared/lab not found (the live suite needs a real Vtiger CRM; the lab's setup.sh" \
		"builds one beside the repository; a public clone has none. Run it against your own CRM with" \
		"VTIGER_URL, VTIGER_USERNAME, VTIGER_ACCESS_KEY and npm run test:live)"
	exit 1
	;;
setup)
	[ -f "$LAB/setup.sh" ] || { echo "no $LAB/setup.sh" >&2; exit 1; }
	LAB_DIR="$LAB_DIR" bash "$LAB/setup.sh" </dev/null
	;;
run)
	server="${2:-}"; shift 2 || true
	[ -f "$LAB_DIR/lab.env" ] || { echo "no $LAB_DIR/lab.env: run bash scripts/live.sh setup first" >&2; exit 1; }
	set -a; . "$LAB_DIR/lab.env"; set +a
	case "$server" in
	stock) url="$VT_URL_STOCK"; sessions="$VT_SESSION_DIR_STOCK" ;;
	positional | pos) url="$VT_URL_POS"; sessions="$VT_SESSION_DIR_POS" ;;
	*) echo "usage: scripts/live.sh run stock|positional [jest args]" >&2; exit 2 ;;
	esac
	echo "live suite against $url ($server)"
	VTIGER_URL="$url" VTIGER_USERNAME="$VT_USER" VTIGER_ACCESS_KEY="$VT_ACCESSKEY" \
		VTIGER_USERNAME2="$VT_USER2" VTIGER_ACCESS_KEY2="$VT_ACCESSKEY2" VTIGER_SESSION_DIR="$sessions" \
		VTIGER_PASSWORD="$VT_PASSWORD" VTIGER_EXTENSION_REQUIRED="${VTIGER_EXTENSION_REQUIRED:-1}" \
		npm run test:live -- "$@"
	;;
extension)
	# The live files of the instant trigger and of line items need the extension: `run` tells them so
	# (VTIGER_EXTENSION_REQUIRED=1), and they fail instead of checking the fallback when it is missing.
	[ -f "$LAB/module.sh" ] || { echo "no $LAB/module.sh" >&2; exit 1; }
	npm run --silent build || exit 1
	version=$(node -p 'require("./package.json").version')
	zip="$PWD/dist/vtiger-extension/N8nConnector-$version.zip"
	if LAB_DIR="$LAB_DIR" bash "$LAB/module.sh" --list 2>/dev/null | grep -qw N8nConnector; then
		LAB_DIR="$LAB_DIR" bash "$LAB/module.sh" --update "$zip"
	else
		LAB_DIR="$LAB_DIR" bash "$LAB/module.sh" --import "$zip"
	fi
	;;
replay)
	# the conformance replay of the recordings against both lab servers (about 30 s); fails on any mismatch
	[ -f "$LAB_DIR/lab.env" ] || { echo "no $LAB_DIR/lab.env: run bash scripts/live.sh setup first" >&2; exit 1; }
	set -a; . "$LAB_DIR/lab.env"; set +a
	bash scripts/node24.sh node node_modules/tsx/dist/cli.mjs test/conformance/replay.ts --url "$VT_URL_STOCK" \
		--url-positional "$VT_URL_POS" --username "$VT_USER" --access-key "$VT_ACCESSKEY" \
		--user-username "$VT_USER2" --user-access-key "$VT_ACCESSKEY2" --password "$VT_PASSWORD" --verbose
	;;
simulator)
	profile="${2:-positional}"; shift 2 || shift $#
	out="$(mktemp)"
	bash scripts/node24.sh node node_modules/tsx/dist/cli.mjs test/support/simulator/cli.ts --port 0 --extensions \
		--profile "$profile" >"$out" 2>&1 &
	sim=$!
	for _ in $(seq 1 100); do grep -q '"url"' "$out" && break; sleep 0.2; done
	line="$(grep '"url"' "$out")" || { cat "$out" >&2; kill "$sim"; exit 1; }
	field() { sed -nE "s/.*\"$1\":\"([^\"]*)\".*/\1/p" <<<"$line"; }
	echo "live suite against the simulator ($profile) at $(field url)"
	VTIGER_URL="$(field url)" VTIGER_USERNAME="$(field username)" VTIGER_ACCESS_KEY="$(field accessKey)" \
		VTIGER_USERNAME2="$(field username2)" VTIGER_ACCESS_KEY2="$(field accessKey2)" VTIGER_SESSION_DIR= \
		npm run test:live -- "$@"
	rc=$?
	# the simulator runs under node24.sh and tsx: end that process tree, by ids
	tree() { local p; for p in $(ps -o pid= --ppid "$1"); do tree "$p"; done; echo "$1"; }
	kill $(tree "$sim") 2>/dev/null
	rm -f "$out"
	exit $rc
	;;
*)
	echo "usage: bash scripts/live.sh available|setup|run stock|positional|replay|simulator [profile] [jest args]" >&2
	exit 2
	;;
esac
