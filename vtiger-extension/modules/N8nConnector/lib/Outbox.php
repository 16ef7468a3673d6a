<?php
/*
 * The outbox: one row per record event, appended inside the save. Appending never throws and never stops the
 * save: a failed insert (table gone, database error) is logged and the event is lost for n8n, not for Vtiger.
 */
class N8nConnector_Outbox {
	const TABLE = 'vtiger_n8nconnector_outbox';

	/** Module names whose records are never sent (Vtiger's own bookkeeping). */
	private static $ignored = array('ModTracker' => true, 'Users' => true, 'Webmails' => true);

	public static function append($event, $module, $crmid) {
		global $adb;
		$crmid = intval($crmid);
		if ($crmid <= 0 || !$module || !empty(self::$ignored[$module])) {
			return false;
		}
		$dieOnError = $adb->dieOnError;
		$adb->dieOnError = false;
		try {
			$result = $adb->pquery('INSERT INTO ' . self::TABLE . ' (event_id, event, module, crmid, created_at) VALUES (?, ?, ?, ?, ?)',
				array(bin2hex(random_bytes(12)), $event, $module, $crmid, time()));
		} catch (Throwable $e) {
			$result = false;
		}
		$adb->dieOnError = $dieOnError;
		if (!$result) {
			self::logFailure($event, new Exception('outbox insert failed: ' . $adb->database->ErrorMsg()));
			return false;
		}
		require_once dirname(__FILE__) . '/Trigger.php';
		N8nConnector_Trigger::afterResponse();
		return true;
	}

	public static function logFailure($what, $e) {
		try {
			global $log;
			if ($log) {
				$log->fatal('N8nConnector: ' . $what . ': ' . $e->getMessage());
			}
			error_log('N8nConnector: ' . $what . ': ' . $e->getMessage());
		} catch (Throwable $ignored) {
		}
	}
}
