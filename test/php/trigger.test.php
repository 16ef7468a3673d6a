<?php
return array(
	'the delivery endpoint follows $site_URL (index.php redirects any other host or path)' => function ($check) {
		list($host, $path) = N8nConnector_Trigger::endpoint('http://127.0.0.1:8080/');
		$check($host === '127.0.0.1:8080', "host $host");
		$check($path === '/index.php?module=N8nConnector&action=Deliver', "path $path");
		list($host, $path) = N8nConnector_Trigger::endpoint('https://crm.example.com/vtiger');
		$check($host === 'crm.example.com' && $path === '/vtiger/index.php?module=N8nConnector&action=Deliver',
			"$host $path");
	},
	'the delivery token travels in a header, not in the URL an access log keeps' => function ($check) {
		$_SERVER['HTTP_X_N8NCONNECTOR_TOKEN'] = 'tok+/=';
		$check(N8nConnector_Trigger::receivedToken() === 'tok+/=', 'token from X-N8nConnector-Token');
		unset($_SERVER['HTTP_X_N8NCONNECTOR_TOKEN']);
		$check(N8nConnector_Trigger::receivedToken() === '', 'no header, no token');
		list(, $path) = N8nConnector_Trigger::endpoint('http://127.0.0.1:8080/');
		$check(strpos($path, 'token') === false, "path $path");
	},
);
