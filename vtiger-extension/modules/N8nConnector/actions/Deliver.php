<?php
/*
 * The delivery endpoint: index.php?module=N8nConnector&action=Deliver with the delivery token in the request header
 * X-N8nConnector-Token, requested by lib/Trigger.php after a save on servers that cannot end a response early. No login (the token is the
 * credential; the endpoint only delivers what is due anyway); keeps going after its caller hangs up.
 */
require_once 'modules/N8nConnector/lib/Settings.php';
require_once 'modules/N8nConnector/lib/Trigger.php';

class N8nConnector_Deliver_Action extends Vtiger_Action_Controller {
	public function loginRequired() {
		return false;
	}

	public function validateRequest(Vtiger_Request $request) {
		return true;
	}

	public function checkPermission(Vtiger_Request $request) {
		return true;
	}

	public function process(Vtiger_Request $request) {
		if (!hash_equals(N8nConnector_Settings::deliveryToken(), N8nConnector_Trigger::receivedToken())) {
			http_response_code(403);
			echo 'forbidden';
			return;
		}
		ignore_user_abort(true);
		@set_time_limit(60);
		if (session_status() === PHP_SESSION_ACTIVE) {
			session_write_close();
		}
		N8nConnector_Trigger::$delivering = true;
		require_once 'modules/N8nConnector/lib/Deliverer.php';
		$delivered = N8nConnector_Deliverer::run(25);
		echo "delivered $delivered";
		N8nConnector_Trigger::continueIfUnfinished();
	}
}
