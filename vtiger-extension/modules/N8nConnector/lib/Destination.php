<?php
/*
 * Where a subscription may send. http(s) URLs only; a host that is (or resolves to) a loopback, private,
 * link-local, shared, multicast or reserved address is refused unless the administrator's allow-list
 * (N8nConnector_Settings::allowedHosts: host names, IP addresses, CIDR ranges) names it. Checked when
 * subscribing and again before every delivery, which then connects to the checked address only (a name that
 * resolves elsewhere later cannot redirect the delivery inside the network).
 */
class N8nConnector_Destination {
	/** IPv4 ranges that are not the public internet. */
	private static $internal4 = array('0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16',
		'172.16.0.0/12', '192.0.0.0/24', '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24',
		'203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4');
	/** IPv6 ranges that are not the public internet (IPv4-mapped addresses are checked as IPv4). */
	private static $internal6 = array('::/128', '::1/128', 'fc00::/7', 'fe80::/10', 'ff00::/8', '2001:db8::/32',
		'64:ff9b:1::/48', '100::/64');

	/**
	 * Parses a subscription URL: array('scheme', 'host', 'port') or a string saying what is wrong.
	 * The host is lower-case, IPv6 without brackets.
	 */
	public static function parse($url) {
		if (!is_string($url) || trim($url) === '') {
			return 'the URL is empty';
		}
		$url = trim($url);
		if (strlen($url) > 2000) {
			return 'the URL is longer than 2000 characters';
		}
		if (preg_match('/[\s\x00-\x1f\x7f]/', $url)) {
			return 'the URL contains spaces or control characters';
		}
		$parts = parse_url($url);
		if ($parts === false || empty($parts['scheme']) || empty($parts['host'])) {
			return 'not an absolute URL';
		}
		$scheme = strtolower($parts['scheme']);
		if ($scheme !== 'http' && $scheme !== 'https') {
			return "the scheme is $scheme (only http and https)";
		}
		if (isset($parts['user']) || isset($parts['pass'])) {
			return 'the URL holds a user name or password (not supported: they would be shown to administrators)';
		}
		if (isset($parts['fragment'])) {
			return 'the URL has a #fragment';
		}
		$host = strtolower(trim($parts['host'], '[]'));
		$port = isset($parts['port']) ? intval($parts['port']) : ($scheme === 'https' ? 443 : 80);
		if ($port < 1 || $port > 65535) {
			return 'the port is out of range';
		}
		return array('scheme' => $scheme, 'host' => $host, 'port' => $port);
	}

	/** Whether an IP address (v4 or v6 text) is outside the public internet. Non-addresses count as internal. */
	public static function isInternal($ip) {
		$packed = @inet_pton($ip);
		if ($packed === false) {
			return true;
		}
		if (strlen($packed) === 16 && substr($packed, 0, 12) === str_repeat("\0", 10) . "\xff\xff") {
			return self::isInternal(inet_ntop(substr($packed, 12)));
		}
		$ranges = strlen($packed) === 4 ? self::$internal4 : self::$internal6;
		foreach ($ranges as $cidr) {
			if (self::inCidr($ip, $cidr)) {
				return true;
			}
		}
		return false;
	}

	/** Whether $ip lies in $cidr ("a.b.c.d/n", "x::/n" or a single address). */
	public static function inCidr($ip, $cidr) {
		$parts = explode('/', $cidr, 2);
		$net = @inet_pton($parts[0]);
		$addr = @inet_pton($ip);
		if ($net === false || $addr === false || strlen($net) !== strlen($addr)) {
			return false;
		}
		$bits = isset($parts[1]) ? intval($parts[1]) : strlen($net) * 8;
		if ($bits < 0 || $bits > strlen($net) * 8) {
			return false;
		}
		$bytes = intdiv($bits, 8);
		if (substr($net, 0, $bytes) !== substr($addr, 0, $bytes)) {
			return false;
		}
		$rest = $bits % 8;
		if ($rest === 0) {
			return true;
		}
		$mask = (0xff << (8 - $rest)) & 0xff;
		return (ord($net[$bytes]) & $mask) === (ord($addr[$bytes]) & $mask);
	}

	/** Whether the allow-list names this host or this address (exact host name, address or CIDR range). */
	public static function allowListed($host, $ip, $allowList) {
		foreach ($allowList as $entry) {
			$entry = strtolower(trim($entry, " \t[]"));
			if ($entry === '') {
				continue;
			}
			if ($entry === $host || ($ip !== null && self::inCidr($ip, $entry))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The decision for a host and the addresses it resolves to: array(true, null) or array(false, reason).
	 * Every address must be public or allow-listed (by host name, address or range).
	 */
	public static function decide($host, $ips, $allowList) {
		if (!$ips) {
			return array(false, "the host $host does not resolve");
		}
		foreach ($ips as $ip) {
			if (self::isInternal($ip) && !self::allowListed($host, $ip, $allowList)) {
				return array(false, "$host is an internal address ($ip: loopback, private, link-local or reserved)");
			}
		}
		return array(true, null);
	}

	/** The addresses of a host: itself when it is an address, else its A and AAAA records. */
	public static function resolve($host) {
		if (@inet_pton($host) !== false) {
			return array($host);
		}
		$ips = array();
		$v4 = @gethostbynamel($host);
		if ($v4) {
			$ips = $v4;
		}
		if (function_exists('dns_get_record')) {
			$v6 = @dns_get_record($host, DNS_AAAA);
			if ($v6) {
				foreach ($v6 as $record) {
					if (!empty($record['ipv6'])) {
						$ips[] = $record['ipv6'];
					}
				}
			}
		}
		return array_values(array_unique($ips));
	}

	/**
	 * Checks a URL against the policy with the current allow-list: array('ok' => true, 'host', 'port', 'ip')
	 * with the address to connect to, or array('ok' => false, 'code' => N8N_INVALID_URL|N8N_DESTINATION_NOT_ALLOWED,
	 * 'reason').
	 */
	public static function check($url, $allowList) {
		$parsed = self::parse($url);
		if (!is_array($parsed)) {
			return array('ok' => false, 'code' => 'N8N_INVALID_URL', 'reason' => $parsed);
		}
		$ips = self::resolve($parsed['host']);
		list($ok, $reason) = self::decide($parsed['host'], $ips, $allowList);
		if (!$ok) {
			return array('ok' => false, 'code' => 'N8N_DESTINATION_NOT_ALLOWED', 'reason' => $reason);
		}
		return array('ok' => true, 'scheme' => $parsed['scheme'], 'host' => $parsed['host'], 'port' => $parsed['port'],
			'ip' => $ips[0]);
	}
}
