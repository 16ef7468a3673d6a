<?php
/*
 * Used by test/live/extension.live.test.ts: saves a Contact the way Vtiger's import does (bulk-save mode, so no
 * per-record event) and then fires the one batch event modules/Import/actions/Data.php fires for the records a
 * batch created. Prints the new record's crmid. env: VT_TREE (the Vtiger tree), LASTNAME.
 */
chdir(getenv('VT_TREE'));
require_once 'vendor/autoload.php';
require_once 'config.php';
require_once 'include/utils/utils.php';
vimport('includes.runtime.EntryPoint');
global $current_user, $VTIGER_BULK_SAVE_MODE, $adb;
$current_user = Users::getActiveAdminUser();
$VTIGER_BULK_SAVE_MODE = true; // what Import's views set: no per-record events
$record = Vtiger_Record_Model::getCleanInstance('Contacts');
$record->set('lastname', getenv('LASTNAME'));
$record->set('assigned_user_id', $current_user->id);
$record->save();
$VTIGER_BULK_SAVE_MODE = false;
require_once 'include/events/include.inc';
$em = new VTEventsManager($adb);
// what modules/Import/actions/Data.php fires at the end of a batch for the records it created
$em->triggerEvent('vtiger.batchevent.save', array(VTEntityData::fromCRMEntity($record->getEntity())));
echo $record->getId();
