<?php
return array(
	'the delivery endpoint follows $site_URL (index.php redirects any other host or path)' => function ($check) {
		list($host, $path) = N8nConnector_Trigger::endpoint('http://127.0.0.1:8080/', 'tok+/=');
		$check($host === '127.0.0.1:8080', "host $host");
		$check($path === '/index.php?module=N8nConnector&action=Deliver&token=tok%2B%2F%3D', "path $path");
		list($host, $path) = N8nConnector_Trigger::endpoint('https://crm.example.com/vtiger', 't');
		$check($host === 'crm.example.com' && $path === '/vtiger/index.php?module=N8nConnector&action=Deliver&token=t',
			"$host $path");
	},
);
