<?php
/*
 * Starts delivery once the request that recorded events has answered its user. Registered once per request by
 * N8nConnector_Outbox::append; runs at shutdown:
 *  - PHP-FPM (and LiteSpeed): ends the response (fastcgi_finish_request), then delivers in this process;
 *  - command line (vtigercron.php, console): delivers in this process (nobody waits for it);
 *  - anything else (Apache mod_php, php -S, CGI): cannot end the response early, so it sends a request to the
 *    module's delivery endpoint (actions/Deliver.php) on the server that answered this request and closes the
 *    connection without reading the answer (about a millisecond on loopback); the endpoint delivers.
 * A run stops after 25 s; one that stopped with a backlog still due goes on in a new request to the delivery
 * endpoint (N8nConnector_Deliverer::unfinished), so a backlog drains without waiting for the next save or cron run.
 * Whatever fails here is left to the cron task and never reaches the user.
 */
require_once dirname(__FILE__) . '/Settings.php';

class N8nConnector_Trigger {
	const TOKEN_HEADER = 'X-N8nConnector-Token';
	private static $registered = false;
	/** Set while the delivery endpoint or a deliverer runs: no second delivery start from inside one. */
	public static $delivering = false;

	public static function afterResponse() {
		if (self::$registered || self::$delivering) {
			return;
		}
		self::$registered = true;
		register_shutdown_function(array(__CLASS__, 'onShutdown'));
	}

	public static function onShutdown() {
		try {
			if (PHP_SAPI === 'cli' || PHP_SAPI === 'phpdbg') {
				self::deliverHere();
			} elseif (function_exists('fastcgi_finish_request')) {
				if (session_status() === PHP_SESSION_ACTIVE) {
					session_write_close();
				}
				fastcgi_finish_request();
				self::deliverHere();
			} elseif (function_exists('litespeed_finish_request')) {
				if (session_status() === PHP_SESSION_ACTIVE) {
					session_write_close();
				}
				litespeed_finish_request();
				self::deliverHere();
			} elseif (N8nConnector_Outbox::anyDue()) {
				// (while every subscription waits out a back-off, the cron task or a later save delivers)
				self::poke();
			}
		} catch (Throwable $e) {
			error_log('N8nConnector: starting delivery failed: ' . $e->getMessage());
		}
	}

	private static function deliverHere() {
		// shutdown functions may run in another working directory (PHP-FPM: /), and Vtiger includes by relative
		// path (the Apache + PHP-FPM live test failed on require 'modules/Users/Users.php' without this)
		chdir(dirname(dirname(dirname(dirname(__FILE__)))));
		ignore_user_abort(true);
		@set_time_limit(60);
		self::$delivering = true;
		require_once dirname(__FILE__) . '/Deliverer.php';
		N8nConnector_Deliverer::run(25);
		if (PHP_SAPI !== 'cli' && PHP_SAPI !== 'phpdbg' && N8nConnector_Deliverer::unfinished()) {
			self::poke();
		}
	}

	/** After the delivery endpoint's run: a backlog it could not finish goes on in a new request (see unfinished()). */
	public static function continueIfUnfinished() {
		if (N8nConnector_Deliverer::unfinished()) {
			self::poke();
		}
	}

	/**
	 * The delivery endpoint's request line and Host header: Vtiger's index.php redirects a request whose
	 * scheme://host/path does not start with $site_URL (includes/main/WebUI.php), so both come from $site_URL.
	 * The token goes in a header (TOKEN_HEADER), never in the URL, which web servers write to their access logs.
	 */
	public static function endpoint($siteUrl) {
		$parts = parse_url($siteUrl ? $siteUrl : 'http://localhost/');
		$host = isset($parts['host']) ? $parts['host'] : 'localhost';
		if (strpos($host, ':') !== false) {
			$host = "[$host]";
		}
		$hostHeader = $host . (isset($parts['port']) ? ':' . $parts['port'] : '');
		$path = rtrim(isset($parts['path']) ? $parts['path'] : '/', '/');
		return array($hostHeader, "$path/index.php?module=N8nConnector&action=Deliver");
	}

	/** The delivery token as the endpoint receives it (PHP's name of the request header TOKEN_HEADER). */
	public static function receivedToken() {
		return isset($_SERVER['HTTP_X_N8NCONNECTOR_TOKEN']) ? (string) $_SERVER['HTTP_X_N8NCONNECTOR_TOKEN'] : '';
	}

	private static function poke() {
		global $site_URL;
		$https = !empty($_SERVER['HTTPS']) && strtolower($_SERVER['HTTPS']) !== 'off';
		$address = isset($_SERVER['SERVER_ADDR']) ? $_SERVER['SERVER_ADDR'] : '';
		if ($address === '' || $address === '0.0.0.0') {
			$address = '127.0.0.1';
		} elseif ($address === '::') {
			$address = '::1';
		}
		if (strpos($address, ':') !== false) {
			$address = "[$address]";
		}
		$port = isset($_SERVER['SERVER_PORT']) ? intval($_SERVER['SERVER_PORT']) : ($https ? 443 : 80);
		list($hostHeader, $path) = self::endpoint($site_URL);
		$token = N8nConnector_Settings::deliveryToken();
		$context = stream_context_create(array('ssl' => array('verify_peer' => false, 'verify_peer_name' => false)));
		$socket = @stream_socket_client(($https ? 'tls' : 'tcp') . "://$address:$port", $errno, $errstr, 0.5,
			STREAM_CLIENT_CONNECT, $context);
		if (!$socket) {
			error_log("N8nConnector: delivery endpoint unreachable ($address:$port: $errstr); the cron task will deliver");
			return;
		}
		stream_set_timeout($socket, 0, 500000);
		fwrite($socket, "GET $path HTTP/1.1\r\nHost: $hostHeader\r\n" . self::TOKEN_HEADER . ": $token\r\n"
			. "User-Agent: Vtiger-N8nConnector\r\nConnection: close\r\n\r\n");
		fclose($socket);
	}
}
