<?php
/*
 * Install, upgrade and uninstall of N8nConnector. Every step is idempotent: install() brings an existing
 * installation to the wanted state (run on postinstall, postupdate and enable), uninstall() removes everything
 * the module added (Vtiger's own --remove only deletes the vtiger_tab row, profiles, links and menus).
 * Tables, event handlers and the cron task are registered here rather than in manifest.xml: PackageUpdate's
 * update_Events does nothing and update_CronTasks assigns to an undefined $cronTask when the module has no
 * task yet, so the manifest cannot bring an upgrade to the wanted state.
 */
class N8nConnector_Install {
	const MODULE = 'N8nConnector';
	const HANDLER_CLASS = 'N8nConnectorHandler';
	const HANDLER_PATH = 'modules/N8nConnector/N8nConnectorHandler.php';
	const CRON_NAME = 'N8nConnector delivery';
	const CRON_HANDLER = 'modules/N8nConnector/cron/Deliver.service';
	const CRON_FREQUENCY = 60;
	const SETTINGS_LINK = 'index.php?module=N8nConnector&parent=Settings&view=Index';

	/** Events the handler listens to (vtiger.batchevent.save: imports, which fire no per-record events). */
	public static function events() {
		return array('vtiger.entity.aftersave.final', 'vtiger.entity.afterdelete', 'vtiger.entity.afterrestore',
			'vtiger.batchevent.save');
	}

	/** name => CREATE TABLE statement (IF NOT EXISTS: re-running is harmless). */
	public static function tables() {
		return array(
			'vtiger_n8nconnector_settings' => 'CREATE TABLE IF NOT EXISTS vtiger_n8nconnector_settings (
				name VARCHAR(64) NOT NULL PRIMARY KEY,
				value TEXT
			) ENGINE=InnoDB DEFAULT CHARSET=utf8',
			'vtiger_n8nconnector_subscriptions' => 'CREATE TABLE IF NOT EXISTS vtiger_n8nconnector_subscriptions (
				id VARCHAR(40) NOT NULL PRIMARY KEY,
				url TEXT NOT NULL,
				modules TEXT NOT NULL,
				events TEXT NOT NULL,
				label VARCHAR(255) NOT NULL DEFAULT \'\',
				owner_id INT NOT NULL,
				secret VARCHAR(100) NOT NULL,
				created_at INT UNSIGNED NOT NULL,
				expires_at INT UNSIGNED NULL,
				status VARCHAR(16) NOT NULL DEFAULT \'active\',
				disabled_reason TEXT NULL,
				failures INT NOT NULL DEFAULT 0,
				failing_since INT UNSIGNED NULL,
				next_attempt_at INT UNSIGNED NULL,
				last_delivery_at INT UNSIGNED NULL,
				last_error TEXT NULL,
				since_outbox_id BIGINT NOT NULL DEFAULT 0
			) ENGINE=InnoDB DEFAULT CHARSET=utf8',
			'vtiger_n8nconnector_outbox' => 'CREATE TABLE IF NOT EXISTS vtiger_n8nconnector_outbox (
				id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
				event_id VARCHAR(40) NOT NULL,
				event VARCHAR(16) NOT NULL,
				module VARCHAR(64) NOT NULL,
				crmid INT NOT NULL,
				created_at INT UNSIGNED NOT NULL,
				fanned TINYINT NOT NULL DEFAULT 0,
				KEY fanned_id (fanned, id)
			) ENGINE=InnoDB DEFAULT CHARSET=utf8',
			'vtiger_n8nconnector_deliveries' => 'CREATE TABLE IF NOT EXISTS vtiger_n8nconnector_deliveries (
				id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
				subscription_id VARCHAR(40) NOT NULL,
				outbox_id BIGINT NOT NULL,
				event_id VARCHAR(40) NOT NULL,
				crmid INT NOT NULL,
				body MEDIUMTEXT NOT NULL,
				status VARCHAR(16) NOT NULL DEFAULT \'pending\',
				attempts INT NOT NULL DEFAULT 0,
				last_error TEXT NULL,
				created_at INT UNSIGNED NOT NULL,
				delivered_at INT UNSIGNED NULL,
				KEY sub_status (subscription_id, status, id)
			) ENGINE=InnoDB DEFAULT CHARSET=utf8',
		);
	}

	public static function install() {
		self::createTables();
		self::registerOperations();
		self::registerEvents();
		self::registerCron(true);
		self::registerSettingsLink();
	}

	/** module.disabled: stop recording and delivering; the subscriptions and the outbox stay. */
	public static function disable() {
		self::unregisterEvents();
		self::registerCron(false);
	}

	public static function uninstall() {
		self::unregisterEvents();
		self::unregisterCron();
		self::unregisterOperations();
		self::unregisterSettingsLink();
		self::dropTables();
	}

	private static function db() {
		global $adb;
		if (!$adb) {
			$adb = PearDatabase::getInstance();
		}
		return $adb;
	}

	public static function createTables() {
		$db = self::db();
		foreach (self::tables() as $sql) {
			$db->pquery($sql, array());
		}
	}

	public static function dropTables() {
		$db = self::db();
		foreach (array_keys(self::tables()) as $table) {
			$db->pquery('DROP TABLE IF EXISTS ' . $table, array());
		}
	}

	/** The operations list of operations.php (name => array(file, function, method, params)). */
	public static function operations() {
		return include dirname(dirname(__FILE__)) . '/operations.php';
	}

	public static function registerOperations() {
		require_once 'include/Webservices/Utils.php';
		$db = self::db();
		$wanted = self::operations();
		foreach ($wanted as $name => $op) {
			list($file, $function, $method, $params) = $op;
			$result = $db->pquery('SELECT operationid FROM vtiger_ws_operation WHERE name = ?', array($name));
			$ids = array();
			while ($row = $db->fetch_array($result)) {
				$ids[] = $row['operationid'];
			}
			if (!$ids) {
				$operationId = vtws_addWebserviceOperation($name, $file, $function, $method, 0);
			} else {
				$operationId = array_shift($ids);
				foreach ($ids as $duplicate) {
					vtws_deleteWebServiceOperation($duplicate);
				}
				$db->pquery('UPDATE vtiger_ws_operation SET handler_path = ?, handler_method = ?, type = ?, prelogin = 0
					WHERE operationid = ?', array($file, $function, strtoupper($method), $operationId));
				$db->pquery('DELETE FROM vtiger_ws_operation_parameters WHERE operationid = ?', array($operationId));
			}
			$sequence = 1;
			foreach ($params as $paramName => $type) {
				vtws_addWebserviceOperationParam($operationId, $paramName, $type, $sequence++);
			}
		}
		// operations an older version registered and this one no longer has
		$result = $db->pquery('SELECT operationid, name FROM vtiger_ws_operation WHERE handler_path LIKE ?',
			array('modules/' . self::MODULE . '/%'));
		$stale = array();
		while ($row = $db->fetch_array($result)) {
			if (!isset($wanted[$row['name']])) {
				$stale[] = $row['operationid'];
			}
		}
		foreach ($stale as $operationId) {
			vtws_deleteWebServiceOperation($operationId);
		}
	}

	public static function unregisterOperations() {
		require_once 'include/Webservices/Utils.php';
		$db = self::db();
		$names = array_keys(self::operations());
		$result = $db->pquery('SELECT operationid FROM vtiger_ws_operation WHERE handler_path LIKE ? OR name IN ('
			. implode(',', array_fill(0, count($names), '?')) . ')',
			array_merge(array('modules/' . self::MODULE . '/%'), $names));
		$ids = array();
		while ($row = $db->fetch_array($result)) {
			$ids[] = $row['operationid'];
		}
		foreach ($ids as $operationId) {
			vtws_deleteWebServiceOperation($operationId);
		}
	}

	public static function registerEvents() {
		require_once 'include/events/include.inc';
		$db = self::db();
		$manager = new VTEventsManager($db);
		// a handler row for an event this version no longer listens to goes
		$db->pquery('DELETE FROM vtiger_eventhandlers WHERE handler_class = ? AND event_name NOT IN ('
			. implode(',', array_fill(0, count(self::events()), '?')) . ')',
			array_merge(array(self::HANDLER_CLASS), self::events()));
		foreach (self::events() as $event) {
			$manager->registerHandler($event, self::HANDLER_PATH, self::HANDLER_CLASS, '', '[]');
		}
		$db->pquery('UPDATE vtiger_eventhandlers SET is_active = 1 WHERE handler_class = ?', array(self::HANDLER_CLASS));
		$manager->setModuleForHandler(self::MODULE, self::HANDLER_CLASS);
		$manager->clearTriggerCache();
	}

	public static function unregisterEvents() {
		require_once 'include/events/include.inc';
		$manager = new VTEventsManager(self::db());
		$manager->unregisterHandler(self::HANDLER_CLASS);
	}

	public static function registerCron($enabled) {
		require_once 'vtlib/Vtiger/Cron.php';
		$db = self::db();
		$result = $db->pquery('SELECT id FROM vtiger_cron_task WHERE name = ? ORDER BY id', array(self::CRON_NAME));
		$ids = array();
		while ($row = $db->fetch_array($result)) {
			$ids[] = $row['id'];
		}
		$status = $enabled ? Vtiger_Cron::$STATUS_ENABLED : Vtiger_Cron::$STATUS_DISABLED;
		if (!$ids) {
			if ($enabled) {
				Vtiger_Cron::register(self::CRON_NAME, self::CRON_HANDLER, self::CRON_FREQUENCY, self::MODULE, $status, 0,
					'Retries n8n deliveries that could not be made right after the save (n8n Connector)');
			}
			return;
		}
		$keep = array_shift($ids);
		foreach ($ids as $duplicate) {
			$db->pquery('DELETE FROM vtiger_cron_task WHERE id = ?', array($duplicate));
		}
		$db->pquery('UPDATE vtiger_cron_task SET handler_file = ?, module = ?, status = ? WHERE id = ?',
			array(self::CRON_HANDLER, self::MODULE, $status, $keep));
	}

	public static function unregisterCron() {
		self::db()->pquery('DELETE FROM vtiger_cron_task WHERE name = ? OR handler_file = ?',
			array(self::CRON_NAME, self::CRON_HANDLER));
	}

	/** A row in Settings > Other Settings (vtiger_settings_field) leading to the module's settings screen. */
	public static function registerSettingsLink() {
		$db = self::db();
		$result = $db->pquery('SELECT fieldid FROM vtiger_settings_field WHERE name = ?', array('LBL_N8N_CONNECTOR'));
		if ($db->num_rows($result)) {
			$db->pquery('UPDATE vtiger_settings_field SET linkto = ?, description = ?, active = 0 WHERE name = ?',
				array(self::SETTINGS_LINK, 'LBL_N8N_CONNECTOR_DESCRIPTION', 'LBL_N8N_CONNECTOR'));
			return;
		}
		$block = $db->pquery('SELECT blockid FROM vtiger_settings_blocks WHERE label IN (?, ?) ORDER BY label = ? DESC', array('LBL_INTEGRATION', 'LBL_OTHER_SETTINGS', 'LBL_INTEGRATION'));
		if (!$db->num_rows($block)) {
			return;
		}
		$blockId = $db->query_result($block, 0, 'blockid');
		$sequence = $db->query_result($db->pquery('SELECT MAX(sequence) AS s FROM vtiger_settings_field WHERE blockid = ?',
			array($blockId)), 0, 's');
		$fieldId = $db->getUniqueID('vtiger_settings_field');
		$db->pquery('INSERT INTO vtiger_settings_field (fieldid, blockid, name, iconpath, description, linkto, sequence, active, pinned)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0)', array($fieldId, $blockId, 'LBL_N8N_CONNECTOR', '',
			'LBL_N8N_CONNECTOR_DESCRIPTION', self::SETTINGS_LINK, intval($sequence) + 1));
	}

	public static function unregisterSettingsLink() {
		self::db()->pquery('DELETE FROM vtiger_settings_field WHERE name = ? OR linkto = ?',
			array('LBL_N8N_CONNECTOR', self::SETTINGS_LINK));
	}
}
