<?php
/*
 * One delivery run of the n8n Connector extension that sees a record change hands, from the PHP CLI inside a
 * Vtiger tree (owner.live.test.ts): a deliverer picks up every event appended while it runs (lib/Deliverer.php
 * run()), so one PHP process builds the bodies of a record's events before and after a save. Holding the
 * delivery lease, as an administrator:
 *   create a record of <module> with <name-field> = <name> owned by user <first-owner-id>, build and send its
 *   created event, revise it to owner <second-owner-id> and <field> = <value>, build and send that event too.
 *   php one-run.php <vtiger-root> <module> <name-field> <name> <first-owner-id> <second-owner-id> <field> <value>
 * Prints one JSON line: the record's id. The lease is held for about a second (other deliveries wait for it).
 */
error_reporting(E_ERROR);
register_shutdown_function(function () { // config.inc.php sets error_reporting to 0: report fatals ourselves
	$e = error_get_last();
	if ($e && in_array($e['type'], array(E_ERROR, E_PARSE, E_CORE_ERROR, E_COMPILE_ERROR, E_USER_ERROR))) {
		fwrite(STDERR, "FATAL: {$e['message']} in {$e['file']}:{$e['line']}\n");
	}
});
chdir($argv[1]);
list(, , $module, $nameField, $name, $firstOwner, $secondOwner, $field, $value) = $argv;
// what webservice.php includes before it runs an operation
require_once 'config.php';
require_once 'vendor/autoload.php';
include_once 'include/Webservices/Relation.php';
include_once 'vtlib/Vtiger/Module.php';
include_once 'includes/main/WebUI.php';
require_once 'include/Webservices/Utils.php';
require_once 'include/Webservices/Create.php';
require_once 'include/Webservices/Revise.php';
require_once 'modules/Users/Users.php';
require_once 'modules/N8nConnector/lib/Deliverer.php';
error_reporting(E_ERROR);
global $adb, $current_user;
$adb = PearDatabase::getInstance();
$current_user = Users::getActiveAdminUser();

$lease = new ReflectionClass('N8nConnector_Deliverer');
$acquire = $lease->getMethod('acquire');
$acquire->setAccessible(true);
$release = $lease->getMethod('release');
$release->setAccessible(true);
$until = microtime(true) + 20;
while (!$acquire->invoke(null)) { // another deliverer holds it: they are short
	if (microtime(true) > $until) {
		fwrite(STDERR, "the delivery lease stayed taken for 20 s\n");
		exit(1);
	}
	usleep(100000);
}
try {
	$record = vtws_create($module, array($nameField => $name,
		'assigned_user_id' => vtws_getWebserviceEntityId('Users', $firstOwner)), $current_user);
	N8nConnector_Deliverer::fanOut(50);
	N8nConnector_Deliverer::deliverDue(time() + 10);
	vtws_revise(array('id' => $record['id'], 'assigned_user_id' => vtws_getWebserviceEntityId('Users', $secondOwner),
		$field => $value), $current_user);
	N8nConnector_Deliverer::fanOut(50);
	N8nConnector_Deliverer::deliverDue(time() + 10);
} catch (Throwable $error) {
	fwrite(STDERR, get_class($error) . ': ' . $error->getMessage() . "\n");
	$release->invoke(null);
	exit(1);
}
$release->invoke(null);
echo json_encode(array('id' => $record['id'])), "\n";
