<?php
return array(
	'waits longer after each failure, up to a minute' => function ($check) {
		$previous = 0;
		for ($n = 1; $n <= 30; $n++) {
			$delay = N8nConnector_Backoff::delay($n);
			$check($delay >= $previous, "delay($n) = $delay is shorter than delay(" . ($n - 1) . ") = $previous");
			$check($delay > 0 && $delay <= 60, "delay($n) = $delay out of (0, 60]");
			$previous = $delay;
		}
		$check(N8nConnector_Backoff::delay(1) <= 10, 'the first retry waits more than 10 s');
		$check(N8nConnector_Backoff::delay(30) === 60, 'the cap is not a minute');
	},
	'gives up only after enough failures over at least a day' => function ($check) {
		$day = 86400;
		$start = 1700000000;
		$check(!N8nConnector_Backoff::giveUp(1000, $start, $start + $day - 1), 'gave up before a day');
		$check(!N8nConnector_Backoff::giveUp(N8nConnector_Backoff::MAX_FAILURES - 1, $start, $start + 2 * $day),
			'gave up after too few failures');
		$check(N8nConnector_Backoff::giveUp(N8nConnector_Backoff::MAX_FAILURES, $start, $start + $day),
			'did not give up after enough failures over a day');
		$check(!N8nConnector_Backoff::giveUp(1000, null, $start), 'gave up without a first failure');
	},
);
