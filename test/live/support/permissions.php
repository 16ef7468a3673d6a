<?php
/*
 * Narrows what one non-admin user may see, from the PHP CLI inside a Vtiger tree, the way Vtiger's settings screens
 * do it: Settings > Sharing Access (vtiger_def_org_share, then every user's sharing_privileges_<id>.php,
 * modules/Settings/SharingAccess/actions/SaveAjax.php) and Settings > Profiles (vtiger_profile2field visible = 1,
 * then user_privileges_<id>.php, Settings_Profiles_Record_Model::save/recalculate). The owner live test
 * (owner.live.test.ts) runs it. Privilege files are per tree (config.inc.php's $root_directory) while the database
 * is shared: "apply" and "restore" change the database and this tree's files, "regenerate" rewrites another
 * tree's files from the database.
 *   php permissions.php <vtiger-root> apply <state-file> <module> <field> <user-name>
 *       the module Private org-wide, the field hidden in every profile of the user's role; the values it
 *       replaced go to <state-file> first (kept when it exists already: a run that died before its restore)
 *   php permissions.php <vtiger-root> restore <state-file>
 *       puts back what <state-file> holds and removes it (nothing to do without it)
 *   php permissions.php <vtiger-root> regenerate
 * Prints one JSON line: what it did.
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
require_once 'config.php';
require_once 'vendor/autoload.php';
include_once 'vtlib/Vtiger/Module.php';
include_once 'includes/main/WebUI.php';
require_once 'include/utils/UserInfoUtil.php';
require_once 'modules/Users/CreateUserPrivilegeFile.php';
error_reporting(E_ERROR);
global $adb;
$adb = PearDatabase::getInstance();

function rows($sql, $params = array()) {
	global $adb;
	$result = $adb->pquery($sql, $params);
	if (!$result) {
		fwrite(STDERR, "query failed: $sql\n");
		exit(1);
	}
	$rows = array();
	while (!$result->EOF) {
		$row = $adb->fetchByAssoc($result, -1, false);
		if (!is_array($row)) {
			break;
		}
		$rows[] = $row;
	}
	return $rows;
}

/** Every user's privilege and sharing files of this tree, as both screens leave them. */
function regenerate() {
	$ids = array();
	foreach (rows('SELECT id FROM vtiger_users WHERE deleted = 0') as $row) {
		createUserPrivilegesfile($row['id']);
		createUserSharingPrivilegesfile($row['id']);
		$ids[] = intval($row['id']);
	}
	return $ids;
}

if ($mode === 'apply') {
	list(, , , $stateFile, $module, $field, $userName) = $argv;
	$tabid = getTabid($module);
	$fieldRows = rows('SELECT fieldid FROM vtiger_field WHERE tabid = ? AND fieldname = ?', array($tabid, $field));
	$profiles = rows('SELECT rp.profileid FROM vtiger_users u JOIN vtiger_user2role ur ON ur.userid = u.id
		JOIN vtiger_role2profile rp ON rp.roleid = ur.roleid WHERE u.user_name = ? AND u.deleted = 0', array($userName));
	if (!$tabid || !$fieldRows || !$profiles) {
		fwrite(STDERR, "no module $module, field $field or profile of user $userName\n");
		exit(1);
	}
	$fieldid = intval($fieldRows[0]['fieldid']);
	$profileIds = array_map(function ($row) { return intval($row['profileid']); }, $profiles);
	if (!file_exists($stateFile)) {
		$sharing = rows('SELECT permission FROM vtiger_def_org_share WHERE tabid = ?', array($tabid));
		$state = array('tabid' => intval($tabid), 'permission' => intval($sharing[0]['permission']), 'fieldid' => $fieldid,
			'profiles' => $profileIds, 'fields' => rows(
			'SELECT profileid, tabid, fieldid, visible, readonly FROM vtiger_profile2field WHERE fieldid = ? AND profileid IN ('
			. implode(',', $profileIds) . ')', array($fieldid)));
		file_put_contents($stateFile, json_encode($state));
	}
	$adb->pquery('UPDATE vtiger_def_org_share SET permission = 3 WHERE tabid = ?', array($tabid));
	foreach ($profileIds as $profileid) {
		$adb->pquery('DELETE FROM vtiger_profile2field WHERE profileid = ? AND fieldid = ?', array($profileid, $fieldid));
		$adb->pquery('INSERT INTO vtiger_profile2field (profileid, tabid, fieldid, visible, readonly) VALUES (?, ?, ?, 1, 0)',
			array($profileid, $tabid, $fieldid));
	}
	echo json_encode(array('applied' => array('module' => $module, 'private' => true, 'hidden' => $field,
		'profiles' => $profileIds), 'users' => regenerate())), "\n";
} elseif ($mode === 'restore') {
	$stateFile = $argv[3];
	if (!file_exists($stateFile)) {
		echo json_encode(array('restored' => false)), "\n";
		exit(0);
	}
	$state = json_decode(file_get_contents($stateFile), true);
	$adb->pquery('UPDATE vtiger_def_org_share SET permission = ? WHERE tabid = ?', array($state['permission'], $state['tabid']));
	foreach ($state['profiles'] as $profileid) {
		$adb->pquery('DELETE FROM vtiger_profile2field WHERE profileid = ? AND fieldid = ?', array($profileid, $state['fieldid']));
	}
	foreach ($state['fields'] as $row) {
		$adb->pquery('INSERT INTO vtiger_profile2field (profileid, tabid, fieldid, visible, readonly) VALUES (?, ?, ?, ?, ?)',
			array($row['profileid'], $row['tabid'], $row['fieldid'], $row['visible'], $row['readonly']));
	}
	$users = regenerate();
	unlink($stateFile);
	echo json_encode(array('restored' => $state, 'users' => $users)), "\n";
} elseif ($mode === 'regenerate') {
	echo json_encode(array('users' => regenerate())), "\n";
} else {
	fwrite(STDERR, "usage: php permissions.php <vtiger-root> apply|restore|regenerate ...\n");
	exit(2);
}
