#!/usr/bin/env bash
# A production-style web server for the Vtiger lab's stock tree: Apache (mpm_event, mod_proxy_fcgi) in front of
# PHP-FPM, both from Debian's packages (apache2, php8.2-fpm; as root: apt-get install apache2 php8.2-fpm),
# on loopback only. This is how Vtiger is deployed, unlike the lab's `php -S`: PHP-FPM has
# fastcgi_finish_request, which the extension uses to answer the user before it delivers.
#   bash scripts/prod-server.sh start    start (or restart) on 127.0.0.1:$PROD_PORT (default 8090); prints the URL
#   bash scripts/prod-server.sh stop     stop what `start` started (through its pid files only)
#   bash scripts/prod-server.sh status
# Settings: LAB_DIR (the lab, default ~/.cache/vtiger-lab), PROD_PORT (8090), PROD_FPM_PORT (PROD_PORT+1).
# Files (configs, pids, logs, PHP sessions) live in $LAB_DIR/prod-$PROD_PORT/. Vtiger's $site_URL stays the
# stock server's: webservice.php works through this server; index.php pages redirect to $site_URL.
# PHP-FPM runs as the tree's owner (-R when that is root) so that it may write Vtiger's cache and logs.
set -euo pipefail
LAB_DIR="${LAB_DIR:-$HOME/.cache/vtiger-lab}"
PORT="${PROD_PORT:-8090}"
FPM_PORT="${PROD_FPM_PORT:-$((PORT + 1))}"
TREE="$LAB_DIR/vtiger"
DIR="$LAB_DIR/prod-$PORT"
FPM=$(command -v php-fpm8.2 || command -v php-fpm || ls /usr/sbin/php-fpm* 2>/dev/null | head -1 || true)
APACHE=$(command -v apache2 || ls /usr/sbin/apache2 2>/dev/null || true)

say() { printf '[prod %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }

stop_one() { # name: kills the process group of its pid file
	local pidfile="$DIR/$1.pid"
	[ -f "$pidfile" ] || return 0
	local pid; pid=$(cat "$pidfile")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
		say "stopped $1 (pid $pid)"
	fi
	rm -f "$pidfile"
}

port_up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case "${1:-}" in
start)
	[ -n "$FPM" ] && [ -x "$FPM" ] || die "php-fpm not found (apt-get install php8.2-fpm)"
	[ -n "$APACHE" ] && [ -x "$APACHE" ] || die "apache2 not found (apt-get install apache2)"
	[ -f "$TREE/config.inc.php" ] || die "no Vtiger tree in $TREE"
	mkdir -p "$DIR/sessions"
	stop_one apache; stop_one fpm
	for p in "$PORT" "$FPM_PORT"; do ! port_up "$p" || die "port $p is taken"; done
	owner=$(stat -c %U "$TREE/config.inc.php")
	cat > "$DIR/fpm.conf" <<CONF
[global]
error_log = $DIR/fpm-error.log
daemonize = no
[vtiger]
user = $owner
group = $(stat -c %G "$TREE/config.inc.php")
listen = 127.0.0.1:$FPM_PORT
pm = static
pm.max_children = 4
catch_workers_output = yes
clear_env = no
php_admin_value[error_log] = $DIR/php-error.log
php_admin_value[log_errors] = On
php_admin_value[display_errors] = Off
php_admin_value[session.save_path] = $DIR/sessions
php_admin_value[upload_max_filesize] = 64M
php_admin_value[post_max_size] = 64M
php_admin_value[max_execution_time] = 600
CONF
	cat > "$DIR/apache.conf" <<CONF
ServerRoot /etc/apache2
ServerName 127.0.0.1
PidFile $DIR/apache-internal.pid
Listen 127.0.0.1:$PORT
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_fcgi_module /usr/lib/apache2/modules/mod_proxy_fcgi.so
User www-data
Group www-data
ErrorLog $DIR/apache-error.log
LogFormat "%h %t \"%r\" %>s %b %D" timed
CustomLog $DIR/apache-access.log timed
KeepAlive On
DocumentRoot "$TREE"
<Location "/">
	Require all granted
</Location>
# PHP goes to PHP-FPM by path (Apache itself never reads the tree)
ProxyPassMatch "^/([A-Za-z0-9_]+\\.php)\$" "fcgi://127.0.0.1:$FPM_PORT$TREE/\$1"
CONF
	"$APACHE" -t -f "$DIR/apache.conf" >/dev/null 2>&1 || { "$APACHE" -t -f "$DIR/apache.conf"; die "apache config invalid"; }
	root_flag=(); [ "$owner" = root ] && root_flag=(-R)
	setsid "$FPM" -F "${root_flag[@]}" -y "$DIR/fpm.conf" >>"$DIR/fpm-error.log" 2>&1 < /dev/null &
	echo $! > "$DIR/fpm.pid"
	setsid "$APACHE" -f "$DIR/apache.conf" -DFOREGROUND >>"$DIR/apache-error.log" 2>&1 < /dev/null &
	echo $! > "$DIR/apache.pid"
	for _ in $(seq 1 50); do port_up "$PORT" && port_up "$FPM_PORT" && break; sleep 0.2; done
	port_up "$PORT" && port_up "$FPM_PORT" || die "did not come up (logs in $DIR)"
	say "Apache + PHP-FPM ($("$FPM" -v | head -1 | cut -d' ' -f1-2)) up: http://127.0.0.1:$PORT/webservice.php (tree $TREE, files in $DIR)"
	;;
stop) stop_one apache; stop_one fpm ;;
status)
	for n in apache fpm; do
		if [ -f "$DIR/$n.pid" ] && kill -0 "$(cat "$DIR/$n.pid")" 2>/dev/null; then say "$n running (pid $(cat "$DIR/$n.pid"))"; else say "$n not running"; fi
	done ;;
*) echo "usage: scripts/prod-server.sh start|stop|status" >&2; exit 2 ;;
esac
