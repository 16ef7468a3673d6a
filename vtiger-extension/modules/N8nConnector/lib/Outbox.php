<?php
/*
 * The outbox: one row per record event that some active subscription wants, appended inside the save (with no
 * subscription a save costs one small query per request). Appending never throws and never stops the save: a
 * failed insert (table gone, database error) is logged and the event is lost for n8n, not for Vtiger.
 */
class N8nConnector_Outbox {
	const TABLE = 'vtiger_n8nconnector_outbox';

	/** Module names whose records are never sent (Vtiger's own bookkeeping). */
	private static $ignored = array('ModTracker' => true, 'Users' => true, 'Webmails' => true);

	/** The active subscriptions' scopes, read once per request (again after 30 s in a long process), or null when unknown. */
	private static $scopes = false;
	private static $scopesAt = 0;

	private static function scopes() {
		global $adb;
		if (self::$scopes !== false && time() - self::$scopesAt < 30) {
			return self::$scopes;
		}
		self::$scopes = null;
		self::$scopesAt = time();
		$dieOnError = $adb->dieOnError;
		$adb->dieOnError = false;
		try {
			$result = $adb->pquery("SELECT events, modules, next_attempt_at FROM vtiger_n8nconnector_subscriptions
				WHERE status = 'active' AND (expires_at IS NULL OR expires_at > ?)", array(time()));
			if ($result) {
				self::$scopes = array();
				while (!$result->EOF) {
					$row = $adb->fetchByAssoc($result, -1, false);
					self::$scopes[] = array('events' => (array) json_decode($row['events'], true),
						'modules' => (array) json_decode($row['modules'], true),
						'due' => $row['next_attempt_at'] === null || $row['next_attempt_at'] === '' || intval($row['next_attempt_at']) <= time());
				}
			}
		} catch (Throwable $e) {
			self::$scopes = null;
		}
		$adb->dieOnError = $dieOnError;
		return self::$scopes;
	}

	/** Whether some subscription wants this event (true when that cannot be read: the outbox then decides later). */
	public static function wanted($event, $module) {
		$scopes = self::scopes();
		if ($scopes === null) {
			return true;
		}
		foreach ($scopes as $scope) {
			if (in_array($event, $scope['events'], true) && (!$scope['modules'] || in_array($module, $scope['modules'], true)
				|| (($module === 'Calendar' || $module === 'Events') && array_intersect(array('Calendar', 'Events'), $scope['modules'])))) {
				return true;
			}
		}
		return false;
	}

	/** Whether some subscription may be delivered to now (none is waiting out a back-off). */
	public static function anyDue() {
		$scopes = self::scopes();
		if ($scopes === null) {
			return true;
		}
		foreach ($scopes as $scope) {
			if ($scope['due']) {
				return true;
			}
		}
		return false;
	}

	public static function append($event, $module, $crmid) {
		global $adb;
		$crmid = intval($crmid);
		if ($crmid <= 0 || !$module || !empty(self::$ignored[$module]) || !self::wanted($event, $module)) {
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
