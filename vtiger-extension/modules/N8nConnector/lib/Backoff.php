<?php
/*
 * When a failing subscription is tried again, and when it is given up. Deliveries to one subscription go
 * strictly in outbox order (which keeps every record's events in order), so a failure pauses the whole
 * subscription: the next attempt waits delay(failures) seconds. A subscription that has failed at least
 * MAX_FAILURES times in a row over at least GIVE_UP_AFTER seconds is disabled.
 */
class N8nConnector_Backoff {
	const MAX_FAILURES = 20;
	const GIVE_UP_AFTER = 86400;

	/**
	 * At most a minute: one CRM and one n8n, a failed attempt costs one connection; n8n 2.x re-registers nothing
	 * after a restart (no hook tells Vtiger it is back), so this cap is what its catch-up waits for at worst.
	 */
	private static $schedule = array(10, 30, 60);

	/** Seconds to wait after the n-th failure in a row (n >= 1). */
	public static function delay($failures) {
		$failures = max(1, intval($failures));
		$index = min($failures, count(self::$schedule)) - 1;
		return self::$schedule[$index];
	}

	/** Whether a subscription failing since $failingSince (unix seconds) with $failures failures is given up at $now. */
	public static function giveUp($failures, $failingSince, $now) {
		return $failingSince !== null && intval($failures) >= self::MAX_FAILURES
			&& ($now - intval($failingSince)) >= self::GIVE_UP_AFTER;
	}
}
