<?php
/*
 * Unit checks of the pure parts of the Vtiger extension (no Vtiger, no database): signatures, the destination
 * policy, back-off and the delivery endpoint address. Runs every *.test.php beside it; each file returns
 * name => function($check) where $check($condition, $what) records one expectation.
 * Usage: php test/php/run.php   (bash scripts/php-check.sh runs it after php -l)
 */
error_reporting(-1);
ini_set('display_errors', 'stderr');
set_error_handler(function ($severity, $message, $file, $line) {
	throw new ErrorException($message, 0, $severity, $file, $line);
});
if (!class_exists('WebServiceException')) {
	// Vtiger's class (include/Webservices/WebServiceError.php), for the settings validation that throws it
	class WebServiceException extends Exception {
		public $code;
		public function __construct($code, $message) {
			parent::__construct($message);
			$this->code = $code;
		}
	}
}
/** Thrown by a check this PHP cannot run (WebAssembly PHP starts no processes): counted as skipped, with why. */
class N8nConnectorTestSkipped extends Exception {
}
$module = dirname(dirname(dirname(__FILE__))) . '/vtiger-extension/modules/N8nConnector';
foreach (array('Signature', 'Destination', 'Backoff', 'Settings', 'Trigger', 'Http') as $lib) {
	require_once "$module/lib/$lib.php";
}

$failed = 0;
$passed = 0;
$skipped = 0;
$files = glob(dirname(__FILE__) . '/*.test.php');
sort($files);
foreach ($files as $file) {
	$tests = include $file;
	foreach ($tests as $name => $test) {
		$problems = array();
		$check = function ($condition, $what) use (&$problems) {
			if ($condition !== true) {
				$problems[] = $what;
			}
		};
		$label = basename($file, '.test.php') . ' > ' . $name;
		try {
			$test($check);
		} catch (N8nConnectorTestSkipped $e) {
			$skipped++;
			echo "skip $label: {$e->getMessage()}\n";
			continue;
		} catch (Throwable $e) {
			$problems[] = get_class($e) . ': ' . $e->getMessage() . ' at ' . basename($e->getFile()) . ':' . $e->getLine();
		}
		if ($problems) {
			$failed++;
			echo "FAIL $label\n";
			foreach ($problems as $problem) {
				echo "     $problem\n";
			}
		} else {
			$passed++;
			echo "ok   $label\n";
		}
	}
}
echo "php units: $passed passed, $failed failed" . ($skipped ? ", $skipped skipped" : '') . " (PHP " . PHP_VERSION . ")\n";
exit($failed ? 1 : 0);
