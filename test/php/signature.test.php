<?php
return array(
	'reproduces the published Standard Webhooks test vector' => function ($check) {
		// the vector of the Standard Webhooks reference libraries (secret, msg id, timestamp, body, signature)
		$signature = N8nConnector_Signature::sign('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
			'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
		$check($signature === 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=', "signature $signature");
	},
	'signs id, timestamp and the raw body: changing any of them changes the signature' => function ($check) {
		$secret = N8nConnector_Signature::newSecret();
		$base = N8nConnector_Signature::sign($secret, 'evt_1', 1700000000, '{"a":1}');
		$check($base !== N8nConnector_Signature::sign($secret, 'evt_2', 1700000000, '{"a":1}'), 'id not signed');
		$check($base !== N8nConnector_Signature::sign($secret, 'evt_1', 1700000001, '{"a":1}'), 'timestamp not signed');
		$check($base !== N8nConnector_Signature::sign($secret, 'evt_1', 1700000000, '{"a": 1}'), 'raw body not signed');
		$check(N8nConnector_Signature::verify($secret, 'evt_1', 1700000000, '{"a":1}', "v1,bm9wZQ== $base"),
			'a valid signature among several is not accepted');
		$check(!N8nConnector_Signature::verify(N8nConnector_Signature::newSecret(), 'evt_1', 1700000000, '{"a":1}', $base),
			'another secret verifies');
	},
	'new secrets are whsec_ + base64 of 32 random bytes, all different' => function ($check) {
		$a = N8nConnector_Signature::newSecret();
		$b = N8nConnector_Signature::newSecret();
		$check((bool) preg_match('#^whsec_[A-Za-z0-9+/]{43}=$#', $a), "secret $a");
		$check(strlen(N8nConnector_Signature::key($a)) === 32, 'key is not 32 bytes');
		$check($a !== $b, 'two secrets are equal');
	},
	'a malformed secret is refused instead of signing with an empty key' => function ($check) {
		$check(N8nConnector_Signature::key('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') === false, 'secret without whsec_ accepted');
		$check(N8nConnector_Signature::key('whsec_') === false, 'empty key accepted');
		$check(N8nConnector_Signature::key('whsec_@@@') === false, 'non-base64 key accepted');
		$threw = false;
		try {
			N8nConnector_Signature::sign('whsec_', 'evt_1', 1, '{}');
		} catch (InvalidArgumentException $e) {
			$threw = true;
		}
		$check($threw, 'signing with a malformed secret did not throw');
	},
);
