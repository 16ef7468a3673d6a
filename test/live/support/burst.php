<?php
/*
 * Saves Contacts from the PHP CLI inside a Vtiger tree, as an import or another integration running on the
 * server does (no webservice, no session): the trigger's burst live test (trigger.burst.live.test.ts) runs
 * several at once.
 *   php burst.php <vtiger-root> create <count> <lastname-prefix> [start-at-epoch-ms]
 *       vtws_create; one JSON line per record: id, modifiedtime, when the save began and ended (seconds)
 *   php burst.php <vtiger-root> delete <id>...
 *       vtws_delete of each id; one JSON line per id
 */
error_reporting(E_ERROR);
register_shutdown_function(function () { // config.inc.php sets error_reporting to 0: report fatals ourselves
	$e = error_get_last();
	if ($e && in_array($e['type'], array(E_ERROR, E_PARSE, E_CORE_ERROR, E_COMPILE_ERROR, E_USER_ERROR))) {
		fwrite(STDERR, "FATAL: {$e['message']} in {$e['file']}:{$e['line']}\n");
	}
});
chdir($argv[1]);
$mode = $argv[2];
// what webservice.php includes before it runs an operation
require_once 'config.php';
require_once 'vendor/autoload.php';
include_once 'include/Webservices/Relation.php';
include_once 'vtlib/Vtiger/Module.php';
include_once 'includes/main/WebUI.php';
require_once 'include/Webservices/Utils.php';
require_once 'include/Webservices/Create.php';
require_once 'include/Webservices/Delete.php';
require_once 'modules/Users/Users.php';
error_reporting(E_ERROR);
global $adb, $current_user;
$adb = PearDatabase::getInstance();
$current_user = Users::getActiveAdminUser();

if ($mode === 'create') {
	$count = (int) $argv[3];
	$prefix = $argv[4];
	$startAt = isset($argv[5]) ? ((float) $argv[5]) / 1000 : 0;
	$owner = vtws_getWebserviceEntityId('Users', $current_user->id);
	$wait = $startAt - microtime(true);
	if ($wait > 0) usleep((int) ($wait * 1e6));
	for ($i = 0; $i < $count; $i++) {
		$began = microtime(true);
		try {
			$record = vtws_create('Contacts', array('lastname' => "$prefix-$i", 'assigned_user_id' => $owner), $current_user);
		} catch (Throwable $error) {
			fwrite(STDERR, 'create failed: ' . $error->getMessage() . "\n");
			exit(1);
		}
		$ended = microtime(true);
		echo json_encode(array('id' => $record['id'], 'modifiedtime' => $record['modifiedtime'], 'began' => $began, 'ended' => $ended)), "\n";
	}
} elseif ($mode === 'delete') {
	foreach (array_slice($argv, 3) as $id) {
		try {
			vtws_delete($id, $current_user);
			echo json_encode(array('id' => $id, 'deleted' => true)), "\n";
		} catch (Throwable $error) {
			echo json_encode(array('id' => $id, 'deleted' => false, 'error' => $error->getMessage())), "\n";
		}
	}
} else {
	fwrite(STDERR, "usage: php burst.php <vtiger-root> create <count> <prefix> [start-at-ms] | delete <id>...\n");
	exit(2);
}
