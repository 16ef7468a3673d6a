<?php
return array(
	'loopback, private, link-local, shared, reserved and mapped addresses are internal' => function ($check) {
		foreach (array('127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1',
			'169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1',
			'fd00::1', 'fc00::5', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'ff02::1', 'not-an-ip') as $ip) {
			$check(N8nConnector_Destination::isInternal($ip), "$ip counted as public");
		}
	},
	'public addresses are not internal' => function ($check) {
		foreach (array('8.8.8.8', '1.1.1.1', '172.15.255.255', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111',
			'::ffff:8.8.8.8', '11.0.0.1') as $ip) {
			$check(!N8nConnector_Destination::isInternal($ip), "$ip counted as internal");
		}
	},
	'only absolute http(s) URLs without credentials or fragments parse' => function ($check) {
		$ok = N8nConnector_Destination::parse('https://n8n.example.com/webhook/abc?x=1');
		$check(is_array($ok) && $ok['host'] === 'n8n.example.com' && $ok['port'] === 443, 'https URL ' . json_encode($ok));
		$ok = N8nConnector_Destination::parse('http://[::1]:5678/webhook');
		$check(is_array($ok) && $ok['host'] === '::1' && $ok['port'] === 5678, 'IPv6 URL ' . json_encode($ok));
		foreach (array('', 'ftp://example.com/x', 'file:///etc/passwd', 'gopher://example.com', '//example.com/x',
			'https://user:pw@example.com/x', 'https://example.com/x#frag', "https://example.com/\nx", 'example.com/x',
			'http://example.com:99999/') as $url) {
			$check(is_string(N8nConnector_Destination::parse($url)), "accepted " . json_encode($url));
		}
	},
	'an internal host needs the allow-list; a public one does not' => function ($check) {
		list($ok, $reason) = N8nConnector_Destination::decide('127.0.0.1', array('127.0.0.1'), array());
		$check($ok === false && strpos($reason, 'internal') !== false, 'loopback allowed without consent');
		list($ok) = N8nConnector_Destination::decide('127.0.0.1', array('127.0.0.1'), array('127.0.0.1'));
		$check($ok === true, 'allow-listed address refused');
		list($ok) = N8nConnector_Destination::decide('n8n.internal', array('10.0.3.7'), array('10.0.0.0/16'));
		$check($ok === true, 'address in an allow-listed range refused');
		list($ok) = N8nConnector_Destination::decide('n8n.internal', array('10.1.3.7'), array('10.0.0.0/16'));
		$check($ok === false, 'address outside the allow-listed range allowed');
		list($ok) = N8nConnector_Destination::decide('localhost', array('127.0.0.1', '::1'), array('localhost'));
		$check($ok === true, 'allow-listed host name refused');
		list($ok) = N8nConnector_Destination::decide('n8n.example.com', array('93.184.216.34'), array());
		$check($ok === true, 'public address refused');
		list($ok) = N8nConnector_Destination::decide('rebind.example.com', array('93.184.216.34', '127.0.0.1'), array());
		$check($ok === false, 'a name resolving to a public AND a loopback address allowed');
		list($ok) = N8nConnector_Destination::decide('nothing.invalid', array(), array('nothing.invalid'));
		$check($ok === false, 'a host that does not resolve allowed');
	},
	'CIDR matching is exact at the prefix boundary' => function ($check) {
		$check(N8nConnector_Destination::inCidr('172.16.0.0', '172.16.0.0/12'), 'first address');
		$check(N8nConnector_Destination::inCidr('172.31.255.255', '172.16.0.0/12'), 'last address');
		$check(!N8nConnector_Destination::inCidr('172.32.0.0', '172.16.0.0/12'), 'one past the end');
		$check(N8nConnector_Destination::inCidr('fe80::abcd', 'fe80::/10'), 'IPv6 range');
		$check(!N8nConnector_Destination::inCidr('127.0.0.1', '::1/128'), 'IPv4 in an IPv6 range');
		$check(N8nConnector_Destination::inCidr('10.0.0.9', '10.0.0.9'), 'single address');
	},
	'check() resolves literal addresses and says which code applies' => function ($check) {
		$r = N8nConnector_Destination::check('http://127.0.0.1:5678/webhook/x', array());
		$check($r['ok'] === false && $r['code'] === 'N8N_DESTINATION_NOT_ALLOWED', json_encode($r));
		$r = N8nConnector_Destination::check('http://127.0.0.1:5678/webhook/x', array('127.0.0.1'));
		$check($r['ok'] === true && $r['ip'] === '127.0.0.1' && $r['port'] === 5678, json_encode($r));
		$r = N8nConnector_Destination::check('ftp://127.0.0.1/', array('127.0.0.1'));
		$check($r['ok'] === false && $r['code'] === 'N8N_INVALID_URL', json_encode($r));
	},
	'allow-list entries are host names, addresses or CIDR ranges' => function ($check) {
		foreach (array('localhost', 'n8n.internal', '127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'my_host.lan') as $entry) {
			$check(N8nConnector_Settings::validHostEntry($entry), "refused $entry");
		}
		foreach (array('http://x', '10.0.0.0/33', 'a b', 'host/8', '-bad-.com', '::1/129') as $entry) {
			$check(!N8nConnector_Settings::validHostEntry($entry), "accepted $entry");
		}
	},
);
