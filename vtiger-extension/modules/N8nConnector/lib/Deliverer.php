<?php
/* Delivery of the outbox to the subscriptions (skeleton: the delivery itself comes in the next commit). */
class N8nConnector_Deliverer {
	public static function run($limit = 50) {
		return 0;
	}
}
