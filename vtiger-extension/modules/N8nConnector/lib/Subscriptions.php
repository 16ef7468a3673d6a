<?php
/* Subscriptions (vtiger_n8nconnector_subscriptions) and their JSON shape (README.md, "Webservice operations"). */
require_once dirname(__FILE__) . '/Signature.php';
require_once dirname(__FILE__) . '/Db.php';

class N8nConnector_Subscriptions {
	const TABLE = 'vtiger_n8nconnector_subscriptions';
	const EVENTS = 'created,updated,deleted,restored';

	public static function allEvents() {
		return explode(',', self::EVENTS);
	}

	public static function create($url, $modules, $events, $ttl, $label, $ownerId) {
		global $adb;
		$id = 'sub_' . bin2hex(random_bytes(12));
		$secret = N8nConnector_Signature::newSecret();
		$now = time();
		$since = N8nConnector_Db::value('SELECT MAX(id) AS m FROM vtiger_n8nconnector_outbox');
		$adb->pquery('INSERT INTO ' . self::TABLE . ' (id, url, modules, events, label, owner_id, secret, created_at,
			expires_at, status, failures, since_outbox_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)',
			array($id, $url, json_encode(array_values($modules)), json_encode(array_values($events)), $label,
				intval($ownerId), $secret, $now, $ttl > 0 ? $now + $ttl : null, 'active', intval($since)));
		$row = self::row($id);
		$object = self::toObject($row);
		$object['secret'] = $secret;
		return $object;
	}

	/** The stored row of a live subscription (expired ones count as gone), or null. */
	public static function row($id) {
		$rows = N8nConnector_Db::rows('SELECT * FROM ' . self::TABLE . ' WHERE id = ?', array((string) $id));
		if (!$rows) {
			return null;
		}
		$row = $rows[0];
		if (self::hasValue($row['expires_at']) && intval($row['expires_at']) <= time()) {
			return null;
		}
		return $row;
	}

	/** Rows of the active, unexpired subscriptions. */
	public static function active() {
		return N8nConnector_Db::rows('SELECT * FROM ' . self::TABLE . " WHERE status = 'active'
			AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at, id", array(time()));
	}

	public static function delete($id) {
		global $adb;
		$adb->pquery('DELETE FROM vtiger_n8nconnector_deliveries WHERE subscription_id = ?', array((string) $id));
		$adb->pquery('DELETE FROM ' . self::TABLE . ' WHERE id = ?', array((string) $id));
	}

	/** Removes subscriptions whose time to live has passed (and what they still had to deliver). */
	public static function purgeExpired() {
		$rows = N8nConnector_Db::rows('SELECT id FROM ' . self::TABLE . ' WHERE expires_at IS NOT NULL AND expires_at <= ?',
			array(time()));
		foreach ($rows as $row) {
			self::delete($row['id']);
		}
	}

	/** Whether a nullable column holds a value (PearDatabase may hand NULL back as ''). */
	public static function hasValue($value) {
		return $value !== null && $value !== '';
	}

	public static function iso($unix) {
		return self::hasValue($unix) ? gmdate('Y-m-d\TH:i:s\Z', intval($unix)) : null;
	}

	/** The subscription object of the contract, without the secret. */
	public static function toObject($row) {
		require_once 'include/Webservices/Utils.php';
		return array(
			'id' => $row['id'],
			'url' => $row['url'],
			'modules' => json_decode($row['modules'], true),
			'events' => json_decode($row['events'], true),
			'label' => $row['label'],
			'ownerId' => vtws_getWebserviceEntityId('Users', $row['owner_id']),
			'createdAt' => self::iso($row['created_at']),
			'expiresAt' => self::iso($row['expires_at']),
			'status' => $row['status'],
			'disabledReason' => self::hasValue($row['disabled_reason']) ? $row['disabled_reason'] : null,
			'failures' => intval($row['failures']),
			'lastDeliveryAt' => self::iso($row['last_delivery_at']),
			'lastError' => self::hasValue($row['last_error']) ? $row['last_error'] : null,
		);
	}

	public static function update($id, $fields) {
		global $adb;
		$sets = array();
		$values = array();
		foreach ($fields as $column => $value) {
			$sets[] = "$column = ?";
			$values[] = $value;
		}
		$values[] = $id;
		$adb->pquery('UPDATE ' . self::TABLE . ' SET ' . implode(', ', $sets) . ' WHERE id = ?', $values);
	}
}
