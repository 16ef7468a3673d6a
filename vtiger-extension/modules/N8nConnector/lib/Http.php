<?php
/*
 * One POST with short timeouts to an address checked beforehand (N8nConnector_Destination::check): the
 * connection goes to that address whatever the host name resolves to by then. No redirects are followed.
 * n8n answers every URL with HTTP 200 "n8n is starting up. Please wait" (text/html) while it starts, before its
 * webhooks listen (test/php/http.test.php; bench/instant.ts saw it): that answer is a failure, not a delivery,
 * which would be lost.
 */
class N8nConnector_Http {
	const CONNECT_TIMEOUT_MS = 2000;
	const TOTAL_TIMEOUT_MS = 5000;

	/** array(HTTP status or 0, error text or null); n8n's answer while it starts comes with an error text. */
	public static function post($url, $target, $headers, $body) {
		if (function_exists('curl_init')) {
			return self::postCurl($url, $target, $headers, $body);
		}
		return self::postStream($url, $target, $headers, $body);
	}

	private static function answer($status, $body) {
		if ($status >= 200 && $status < 300 && strpos(ltrim((string) $body), 'n8n is starting up') === 0) {
			return array($status, "receiver answered HTTP $status \"n8n is starting up\": its webhooks do not listen yet");
		}
		return array($status, null);
	}

	private static function postCurl($url, $target, $headers, $body) {
		$lines = array();
		foreach ($headers as $name => $value) {
			$lines[] = "$name: $value";
		}
		$lines[] = 'Expect:';
		$ip = strpos($target['ip'], ':') !== false ? '[' . $target['ip'] . ']' : $target['ip'];
		$curl = curl_init($url);
		curl_setopt_array($curl, array(
			CURLOPT_POST => true,
			CURLOPT_POSTFIELDS => $body,
			CURLOPT_HTTPHEADER => $lines,
			CURLOPT_RETURNTRANSFER => true,
			CURLOPT_FOLLOWLOCATION => false,
			CURLOPT_CONNECTTIMEOUT_MS => self::CONNECT_TIMEOUT_MS,
			CURLOPT_TIMEOUT_MS => self::TOTAL_TIMEOUT_MS,
			CURLOPT_NOSIGNAL => true,
			CURLOPT_RESOLVE => array($target['host'] . ':' . $target['port'] . ':' . $ip),
			CURLOPT_PROXY => '',
		));
		if (defined('CURLOPT_PROTOCOLS')) {
			curl_setopt($curl, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
		}
		$response = curl_exec($curl);
		$status = intval(curl_getinfo($curl, CURLINFO_RESPONSE_CODE));
		$error = $response === false ? curl_error($curl) : null;
		curl_close($curl);
		return $error !== null ? array($status, $error) : self::answer($status, $response);
	}

	private static function postStream($url, $target, $headers, $body) {
		$parts = parse_url($url);
		$path = (isset($parts['path']) ? $parts['path'] : '/') . (isset($parts['query']) ? '?' . $parts['query'] : '');
		$ip = strpos($target['ip'], ':') !== false ? '[' . $target['ip'] . ']' : $target['ip'];
		$transport = $target['scheme'] === 'https' ? 'ssl' : 'tcp';
		$context = stream_context_create(array('ssl' => array('peer_name' => $target['host'], 'SNI_enabled' => true)));
		$socket = @stream_socket_client("$transport://$ip:" . $target['port'], $errno, $errstr,
			self::CONNECT_TIMEOUT_MS / 1000, STREAM_CLIENT_CONNECT, $context);
		if (!$socket) {
			return array(0, "connect failed: $errstr");
		}
		stream_set_timeout($socket, intval(self::TOTAL_TIMEOUT_MS / 1000));
		$hostHeader = $target['host'] . (in_array($target['port'], array(80, 443)) ? '' : ':' . $target['port']);
		$request = "POST $path HTTP/1.1\r\nHost: $hostHeader\r\nConnection: close\r\nContent-Length: " . strlen($body) . "\r\n";
		foreach ($headers as $name => $value) {
			$request .= "$name: $value\r\n";
		}
		fwrite($socket, $request . "\r\n" . $body);
		$statusLine = fgets($socket, 1024);
		$meta = stream_get_meta_data($socket);
		$body = '';
		while ($statusLine !== false && ($line = fgets($socket, 8192)) !== false && trim($line) !== '') {
			// headers: only the body's start matters
		}
		if ($statusLine !== false && !feof($socket)) {
			$body = (string) fread($socket, 64);
		}
		fclose($socket);
		if ($statusLine === false) {
			return array(0, $meta['timed_out'] ? 'timed out' : 'no response');
		}
		return preg_match('#^HTTP/\d(?:\.\d)?\s+(\d{3})#', $statusLine, $m) ? self::answer(intval($m[1]), $body)
			: array(0, 'not an HTTP response');
	}
}
