<?php
/*
 * Standard Webhooks signatures (https://www.standardwebhooks.com): secret "whsec_<base64 key>",
 * header webhook-signature "v1,<base64(HMAC-SHA256(key, '<webhook-id>.<webhook-timestamp>.<raw body>'))>".
 */
class N8nConnector_Signature {
	const PREFIX = 'whsec_';

	/** A new subscription secret: whsec_ + base64 of 32 random bytes. */
	public static function newSecret() {
		return self::PREFIX . base64_encode(random_bytes(32));
	}

	/** The raw HMAC key of a secret (the base64-decoded part after whsec_), or false when it is malformed. */
	public static function key($secret) {
		if (!is_string($secret) || strpos($secret, self::PREFIX) !== 0) {
			return false;
		}
		$key = base64_decode(substr($secret, strlen(self::PREFIX)), true);
		return ($key === false || $key === '') ? false : $key;
	}

	/** The webhook-signature header value for one attempt. */
	public static function sign($secret, $messageId, $timestamp, $body) {
		$key = self::key($secret);
		if ($key === false) {
			throw new InvalidArgumentException('malformed webhook secret');
		}
		return 'v1,' . base64_encode(hash_hmac('sha256', $messageId . '.' . $timestamp . '.' . $body, $key, true));
	}

	/** Whether a webhook-signature header (space-separated "v1,<sig>" entries) holds a valid signature. */
	public static function verify($secret, $messageId, $timestamp, $body, $header) {
		$expected = self::sign($secret, $messageId, $timestamp, $body);
		foreach (preg_split('/\s+/', trim((string) $header)) as $candidate) {
			if ($candidate !== '' && hash_equals($expected, $candidate)) {
				return true;
			}
		}
		return false;
	}
}
