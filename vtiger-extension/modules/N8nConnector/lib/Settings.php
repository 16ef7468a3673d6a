<?php
/*
 * Administrator settings of N8nConnector (table vtiger_n8nconnector_settings), set on the module's Settings
 * screen (Settings > Integration > n8n Connector) or with the operation n8n_settings (administrators only):
 *   allowNonAdmins   '1' lets users who are not administrators subscribe (their subscriptions only ever see
 *                    what they may see); default '0'
 *   allowedHosts     host names / IP addresses / CIDR ranges, one per line, that subscriptions may target even
 *                    though they are loopback, private or link-local; default empty
 *   deliveryToken    random secret of the delivery endpoint (created on first use)
 */
class N8nConnector_Settings {
	private static $cache = null;

	private static function all() {
		if (self::$cache === null) {
			global $adb;
			self::$cache = array();
			$result = $adb->pquery('SELECT name, value FROM vtiger_n8nconnector_settings', array());
			while ($result && ($row = $adb->fetch_array($result))) {
				self::$cache[$row['name']] = html_entity_decode($row['value'], ENT_QUOTES, 'UTF-8');
			}
		}
		return self::$cache;
	}

	public static function get($name, $default = '') {
		$all = self::all();
		return isset($all[$name]) ? $all[$name] : $default;
	}

	public static function set($name, $value) {
		global $adb;
		$adb->pquery('INSERT INTO vtiger_n8nconnector_settings (name, value) VALUES (?, ?)
			ON DUPLICATE KEY UPDATE value = VALUES(value)', array($name, (string) $value));
		self::$cache = null;
	}

	public static function isAdmin($user) {
		return $user && isset($user->is_admin) && $user->is_admin === 'on';
	}

	public static function allowNonAdmins() {
		return self::get('allowNonAdmins', '0') === '1';
	}

	public static function canSubscribe($user) {
		return self::isAdmin($user) || self::allowNonAdmins();
	}

	/** The administrator's allow-list, one entry per array element. */
	public static function allowedHosts() {
		$list = array();
		foreach (preg_split('/[\s,]+/', self::get('allowedHosts', '')) as $entry) {
			$entry = trim($entry);
			if ($entry !== '') {
				$list[] = strtolower($entry);
			}
		}
		return $list;
	}

	/** Whether an administrator has named any internal destination (the public internet is always allowed). */
	public static function destinationsAllowed() {
		return count(self::allowedHosts()) > 0;
	}

	public static function deliveryToken() {
		$token = self::get('deliveryToken', '');
		if ($token === '') {
			$token = bin2hex(random_bytes(24));
			self::set('deliveryToken', $token);
		}
		return $token;
	}
}
