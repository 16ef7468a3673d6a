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
			require_once dirname(__FILE__) . '/Db.php';
			self::$cache = array();
			foreach (N8nConnector_Db::rows('SELECT name, value FROM vtiger_n8nconnector_settings') as $row) {
				self::$cache[$row['name']] = $row['value'];
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

	/** Stores the allow-list; throws a WebServiceException naming an entry that is no host, address or range. */
	public static function setAllowedHosts($hosts) {
		$clean = array();
		foreach ($hosts as $entry) {
			$entry = strtolower(trim((string) $entry, " \t\r\n[]"));
			if ($entry === '') {
				continue;
			}
			if (!self::validHostEntry($entry)) {
				throw new WebServiceException('N8N_INVALID_SETTINGS', "Not a host name, IP address or CIDR range: $entry");
			}
			$clean[] = $entry;
		}
		self::set('allowedHosts', implode("\n", array_values(array_unique($clean))));
	}

	public static function validHostEntry($entry) {
		$parts = explode('/', $entry, 2);
		if (@inet_pton($parts[0]) !== false) {
			$max = strpos($parts[0], ':') === false ? 32 : 128;
			return !isset($parts[1]) || (ctype_digit($parts[1]) && intval($parts[1]) <= $max);
		}
		return !isset($parts[1]) && (bool) preg_match('/^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/', $entry);
	}

	/** The settings as n8n_settings and the settings screen show them. */
	public static function publicView() {
		return array('allowNonAdmins' => self::allowNonAdmins(), 'allowedHosts' => self::allowedHosts());
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
