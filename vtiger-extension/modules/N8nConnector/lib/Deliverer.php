<?php
/*
 * Delivery of the outbox. One deliverer at a time (a lease row in the settings table, so a deliverer that dies
 * frees it after LEASE seconds): it fans new outbox rows out into one delivery per matching subscription (the
 * body built as the subscription's owner, stored, so every retry sends the same event), then posts each
 * subscription's deliveries strictly in order, stopping at the subscription's first failure (which keeps every
 * record's events in order) until N8nConnector_Backoff says to try again. Delivered rows are removed.
 * Run after a save's response (lib/Trigger.php) and by the cron task (cron/Deliver.service).
 */
require_once dirname(dirname(__FILE__)) . '/N8nConnector.php';
require_once dirname(__FILE__) . '/Settings.php';
require_once dirname(__FILE__) . '/Subscriptions.php';
require_once dirname(__FILE__) . '/Signature.php';
require_once dirname(__FILE__) . '/Destination.php';
require_once dirname(__FILE__) . '/Backoff.php';
require_once dirname(__FILE__) . '/Http.php';
require_once dirname(__FILE__) . '/Db.php';

class N8nConnector_Deliverer {
	const LEASE = 60;
	/**
	 * Deliveries per subscription per pass: the subscriptions take turns (the run goes on while any sent), so a
	 * receiver working through a backlog holds the others up for at most this many of its requests.
	 */
	const TURN = 10;
	const DELIVERIES = 'vtiger_n8nconnector_deliveries';
	const OUTBOX = 'vtiger_n8nconnector_outbox';

	private static $leaseToken = null;
	private static $leaseUntil = 0;
	private static $users = array();
	private static $unfinished = false;

	/** Delivers what is due for at most $seconds; returns the number of deliveries made. */
	public static function run($seconds = 25) {
		$deadline = time() + $seconds;
		$delivered = 0;
		do {
			if (!self::acquire()) {
				return $delivered;
			}
			try {
				N8nConnector_Subscriptions::purgeExpired();
				do {
					$fanned = self::fanOut(50); // small batches: deliveries go out between them
					$sent = self::deliverDue($deadline);
					$delivered += $sent;
				} while (($fanned > 0 || $sent > 0) && time() < $deadline);
			} catch (Throwable $e) {
				self::log('delivery run failed: ' . $e->getMessage());
			}
			self::release();
			// an event appended while this run held the lease was left to it: look once more
		} while (time() < $deadline && self::hasDueWork());
		self::$unfinished = $delivered > 0 && time() >= $deadline && self::hasDueWork();
		return $delivered;
	}

	/**
	 * Whether the last run() made deliveries and stopped at its deadline with more due (a backlog, e.g. after n8n
	 * was down): the web server then starts another run at once rather than leave the rest to the next save or cron.
	 * A run that delivered nothing (its lease held by another, every receiver failing) never asks for one.
	 */
	public static function unfinished() {
		return self::$unfinished;
	}

	private static function log($message) {
		global $log;
		if ($log) {
			$log->fatal('N8nConnector: ' . $message);
		}
		error_log('N8nConnector: ' . $message);
	}

	private static function acquire() {
		global $adb;
		$now = time();
		$adb->pquery("INSERT IGNORE INTO vtiger_n8nconnector_settings (name, value) VALUES ('lease', '-|0')", array());
		$token = bin2hex(random_bytes(8));
		$result = $adb->pquery("UPDATE vtiger_n8nconnector_settings SET value = ? WHERE name = 'lease'
			AND CAST(SUBSTRING_INDEX(value, '|', -1) AS UNSIGNED) < ?", array($token . '|' . ($now + self::LEASE), $now));
		if (!$result || $adb->getAffectedRowCount($result) < 1) {
			return false;
		}
		self::$leaseToken = $token;
		self::$leaseUntil = $now + self::LEASE;
		return true;
	}

	/** Extends the lease while a long run goes on; false when it was lost (then this run stops). */
	private static function renew() {
		global $adb;
		$now = time();
		if (self::$leaseUntil - $now > self::LEASE / 2) {
			return true;
		}
		$result = $adb->pquery("UPDATE vtiger_n8nconnector_settings SET value = ? WHERE name = 'lease' AND value LIKE ?",
			array(self::$leaseToken . '|' . ($now + self::LEASE), self::$leaseToken . '|%'));
		if (!$result || $adb->getAffectedRowCount($result) < 1) {
			return false;
		}
		self::$leaseUntil = $now + self::LEASE;
		return true;
	}

	private static function release() {
		global $adb;
		if (self::$leaseToken !== null) {
			$adb->pquery("UPDATE vtiger_n8nconnector_settings SET value = '-|0' WHERE name = 'lease' AND value LIKE ?",
				array(self::$leaseToken . '|%'));
			self::$leaseToken = null;
		}
	}

	private static function hasDueWork() {
		global $adb;
		if (N8nConnector_Db::rows('SELECT id FROM ' . self::OUTBOX . ' LIMIT 1')) {
			return true;
		}
		return (bool) N8nConnector_Db::rows('SELECT d.id FROM ' . self::DELIVERIES . ' d JOIN ' . N8nConnector_Subscriptions::TABLE
			. " s ON s.id = d.subscription_id WHERE d.status = 'pending' AND s.status = 'active'
			AND (s.next_attempt_at IS NULL OR s.next_attempt_at <= ?) LIMIT 1", array(time()));
	}

	/** Turns up to $limit outbox rows into deliveries; returns how many rows it took. */
	public static function fanOut($limit) {
		global $adb;
		$rows = N8nConnector_Db::rows('SELECT * FROM ' . self::OUTBOX . ' ORDER BY id LIMIT ' . intval($limit));
		if (!$rows) {
			return 0;
		}
		$subscriptions = N8nConnector_Subscriptions::active();
		foreach ($rows as $row) {
			if (!self::renew()) {
				return 0;
			}
			$wsModule = self::webserviceModule($row['module'], $row['crmid']);
			foreach ($subscriptions as $sub) {
				if (intval($row['id']) <= intval($sub['since_outbox_id'])) {
					continue;
				}
				$events = json_decode($sub['events'], true);
				$modules = json_decode($sub['modules'], true);
				if (!in_array($row['event'], $events, true) || ($modules && !in_array($wsModule, $modules, true))) {
					continue;
				}
				$body = self::body($sub, $row, $wsModule);
				if ($body === null) {
					continue;
				}
				$adb->pquery('INSERT INTO ' . self::DELIVERIES . ' (subscription_id, outbox_id, event_id, crmid, body, status,
					attempts, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)', array($sub['id'], $row['id'],
					'evt_' . $row['event_id'], $row['crmid'], $body, 'pending', time()));
			}
			$adb->pquery('DELETE FROM ' . self::OUTBOX . ' WHERE id = ?', array($row['id']));
		}
		return count($rows);
	}

	/** The webservice name of a record's module: Calendar records that are not tasks are Events. */
	public static function webserviceModule($module, $crmid) {
		global $adb;
		if ($module !== 'Calendar' && $module !== 'Events') {
			return $module;
		}
		$type = N8nConnector_Db::value('SELECT activitytype FROM vtiger_activity WHERE activityid = ?', array($crmid));
		if ($type === null) {
			return $module;
		}
		return $type === 'Task' ? 'Calendar' : 'Events';
	}

	/** The owner of a subscription as a Vtiger user, or null when that user is gone or inactive. */
	private static function owner($ownerId) {
		global $adb;
		$ownerId = intval($ownerId);
		if (!array_key_exists($ownerId, self::$users)) {
			$user = null;
			if (N8nConnector_Db::rows("SELECT id FROM vtiger_users WHERE id = ? AND status = 'Active' AND deleted = 0",
				array($ownerId))) {
				require_once 'modules/Users/Users.php';
				$user = new Users();
				$user->retrieveCurrentUserInfoFromFile($ownerId);
			}
			// cached only once known: a failure above must not pass for "no such user" (that disables)
			self::$users[$ownerId] = $user;
		}
		return self::$users[$ownerId];
	}

	/**
	 * The JSON body of one event for one subscription, built as the subscription's owner; null when the owner
	 * may not see the record. A created/updated/restored event whose record was deleted before its body was
	 * built carries id and module only (its deleted event follows).
	 */
	private static function body($sub, $row, $wsModule) {
		global $current_user;
		$owner = self::owner($sub['owner_id']);
		if (!$owner) {
			N8nConnector_Subscriptions::update($sub['id'], array('status' => 'disabled',
				'disabled_reason' => 'its owner (user ' . $sub['owner_id'] . ') is no longer an active Vtiger user'));
			return null;
		}
		require_once 'include/Webservices/Utils.php';
		require_once 'include/Webservices/Retrieve.php';
		require_once 'include/utils/UserInfoUtil.php';
		$previous = $current_user;
		$current_user = $owner;
		// isPermitted reads a record's owner through a cache that lasts the PHP process and that no save updates
		// (VTCacheUtils, getRecordOwnerId): a run that built an earlier event of this record would judge this one
		// by its old owner and send the update that hands the record away to the user it leaves (owner.live.test.ts)
		if (class_exists('VTCacheUtils') && property_exists('VTCacheUtils', '_record_ownerid_cache')) {
			unset(VTCacheUtils::$_record_ownerid_cache[intval($row['crmid'])]);
		}
		try {
			$wsId = vtws_getWebserviceEntityId($wsModule, $row['crmid']);
			$data = array('event' => $row['event'], 'module' => $wsModule, 'id' => $wsId);
			$deletedSince = $row['event'] !== 'deleted' && self::isDeleted($row['crmid']);
			if ($row['event'] === 'deleted' || $deletedSince) {
				// deleted since this event: it still goes out, with id and module only, like the deletion after it
				if (isPermitted($row['module'] === 'Events' ? 'Calendar' : $row['module'], 'DetailView', $row['crmid']) !== 'yes') {
					return null;
				}
			} else {
				$data['record'] = vtws_retrieve($wsId, $owner);
			}
		} catch (Exception $e) {
			return null; // the owner may not see the record (ACCESS_DENIED)
		} finally {
			$current_user = $previous;
		}
		return json_encode(array(
			'id' => 'evt_' . $row['event_id'],
			'type' => 'record.' . $row['event'],
			'createdAt' => N8nConnector_Subscriptions::iso($row['created_at']),
			'subscriptionId' => $sub['id'],
			'data' => $data,
		), JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
	}

	private static function isDeleted($crmid) {
		$deleted = N8nConnector_Db::value('SELECT deleted FROM vtiger_crmentity WHERE crmid = ?', array($crmid));
		return $deleted === null || intval($deleted) === 1;
	}

	/** Posts the due deliveries of every active subscription until $deadline; returns how many arrived. */
	public static function deliverDue($deadline) {
		global $adb;
		$delivered = 0;
		foreach (N8nConnector_Subscriptions::active() as $sub) {
			if (N8nConnector_Subscriptions::hasValue($sub['next_attempt_at']) && intval($sub['next_attempt_at']) > time()) {
				continue;
			}
			$rows = N8nConnector_Db::rows('SELECT id, event_id, body, attempts FROM ' . self::DELIVERIES . "
				WHERE subscription_id = ? AND status = 'pending' ORDER BY id LIMIT " . self::TURN, array($sub['id']));
			$sentHere = 0;
			foreach ($rows as $row) {
				if (time() >= $deadline || !self::renew()) {
					break;
				}
				list($ok, $status, $error) = self::attempt($sub, $row['event_id'], $row['body']);
				if ($ok) {
					$adb->pquery('DELETE FROM ' . self::DELIVERIES . ' WHERE id = ?', array($row['id']));
					if ($sentHere === 0 && (intval($sub['failures']) > 0 || N8nConnector_Subscriptions::hasValue($sub['last_error']))) {
						// the receiver is back: say so at once, not after the backlog
						N8nConnector_Subscriptions::update($sub['id'], array('failures' => 0, 'failing_since' => null,
							'next_attempt_at' => null, 'last_error' => null, 'last_delivery_at' => time()));
					}
					$sentHere++;
					continue;
				}
				$adb->pquery('UPDATE ' . self::DELIVERIES . ' SET attempts = attempts + 1, last_error = ? WHERE id = ?',
					array($error, $row['id']));
				self::failed($sub, $status, $error);
				break;
			}
			if ($sentHere > 0) {
				$delivered += $sentHere;
				N8nConnector_Subscriptions::update($sub['id'], array('last_delivery_at' => time()));
			}
		}
		return $delivered;
	}

	/** One POST: array(delivered?, HTTP status, error text). */
	private static function attempt($sub, $eventId, $body) {
		$target = N8nConnector_Destination::check($sub['url'], N8nConnector_Settings::allowedHosts());
		if (!$target['ok']) {
			return array(false, 0, 'destination refused: ' . $target['reason']);
		}
		$timestamp = time();
		$headers = array(
			'Content-Type' => 'application/json',
			'User-Agent' => 'Vtiger-N8nConnector/' . N8nConnector::VERSION,
			'webhook-id' => $eventId,
			'webhook-timestamp' => (string) $timestamp,
			'webhook-signature' => N8nConnector_Signature::sign($sub['secret'], $eventId, $timestamp, $body),
		);
		list($status, $error) = N8nConnector_Http::post($sub['url'], $target, $headers, $body);
		if ($status >= 200 && $status < 300 && $error === null) {
			return array(true, $status, null);
		}
		return array(false, $status, $error !== null ? $error : "receiver answered HTTP $status");
	}

	private static function failed($sub, $status, $error) {
		$now = time();
		if ($status === 410) {
			N8nConnector_Subscriptions::update($sub['id'], array('status' => 'disabled',
				'disabled_reason' => 'receiver answered 410 Gone', 'last_error' => $error));
			return;
		}
		$failures = intval($sub['failures']) + 1;
		$since = N8nConnector_Subscriptions::hasValue($sub['failing_since']) ? intval($sub['failing_since']) : $now;
		$fields = array('failures' => $failures, 'failing_since' => $since, 'last_error' => $error,
			'next_attempt_at' => $now + N8nConnector_Backoff::delay($failures));
		if (N8nConnector_Backoff::giveUp($failures, $since, $now)) {
			$fields['status'] = 'disabled';
			$fields['disabled_reason'] = "delivery failed $failures times in a row since " . gmdate('Y-m-d H:i', $since)
				. " UTC; last error: $error";
		}
		N8nConnector_Subscriptions::update($sub['id'], $fields);
	}
}
