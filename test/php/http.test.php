<?php
/*
 * N8nConnector_Http::post against a local server answering as n8n does: its webhook's JSON acknowledgment, and the
 * page every URL gets while n8n starts (HTTP 200, text/html, "n8n is starting up. Please wait": n8n 2.41.1, seen
 * by bench/instant.ts --stop clean and a probe of a starting n8n), which must not count as delivered.
 */
function n8n_connector_http_fixture() {
	static $server = null;
	if ($server === null) {
		$router = sys_get_temp_dir() . '/n8nconnector-http-fixture-' . getmypid() . '.php';
		file_put_contents($router, '<?php
if ($_SERVER["REQUEST_URI"] === "/starting") { header("Content-Type: text/html; charset=utf-8"); echo "n8n is starting up. Please wait"; return; }
if ($_SERVER["REQUEST_URI"] === "/webhook") { header("Content-Type: application/json; charset=utf-8"); echo "{\"message\":\"Workflow was started\"}"; return; }
if ($_SERVER["REQUEST_URI"] === "/empty") { http_response_code(204); return; }
http_response_code(404);');
		try {
			$socket = stream_socket_server('tcp://127.0.0.1:0');
			$port = intval(substr(strrchr(stream_socket_get_name($socket, false), ':'), 1));
			fclose($socket);
			$process = proc_open(array(PHP_BINARY, '-S', "127.0.0.1:$port", $router), array(array('pipe', 'r'),
				array('file', '/dev/null', 'w'), array('file', '/dev/null', 'w')), $pipes);
		} catch (ErrorException $e) {
			@unlink($router);
			throw new N8nConnectorTestSkipped('this PHP cannot start a local server (' . $e->getMessage() . ')');
		}
		register_shutdown_function(function () use ($process, $router) {
			proc_terminate($process);
			@unlink($router);
		});
		for ($i = 0; $i < 100; $i++) {
			try {
				fclose(fsockopen('127.0.0.1', $port));
				break;
			} catch (ErrorException $e) {
				usleep(50000); // not listening yet
			}
		}
		$server = $port;
	}
	return $server;
}

function n8n_connector_http_post($transport, $path) {
	$port = n8n_connector_http_fixture();
	$target = array('ok' => true, 'scheme' => 'http', 'host' => '127.0.0.1', 'ip' => '127.0.0.1', 'port' => $port);
	$method = new ReflectionMethod('N8nConnector_Http', $transport);
	$method->setAccessible(true);
	return $method->invoke(null, "http://127.0.0.1:$port$path", $target, array('Content-Type' => 'application/json'), '{}');
}

return array(
	'n8n\'s 200 "starting up" page is not a delivery; the webhook\'s JSON and a 204 are' => function ($check) {
		foreach (array('postCurl', 'postStream') as $transport) {
			if ($transport === 'postCurl' && !function_exists('curl_init')) {
				continue;
			}
			list($status, $error) = n8n_connector_http_post($transport, '/starting');
			$check($status === 200 && is_string($error) && strpos($error, 'starting up') !== false,
				"$transport, n8n starting: " . json_encode(array($status, $error)));
			list($status, $error) = n8n_connector_http_post($transport, '/webhook');
			$check($status === 200 && $error === null, "$transport, webhook: " . json_encode(array($status, $error)));
			list($status, $error) = n8n_connector_http_post($transport, '/empty');
			$check($status === 204 && $error === null, "$transport, 204: " . json_encode(array($status, $error)));
			list($status, $error) = n8n_connector_http_post($transport, '/other');
			$check($status === 404, "$transport, unknown URL: " . json_encode(array($status, $error)));
		}
	},
);
