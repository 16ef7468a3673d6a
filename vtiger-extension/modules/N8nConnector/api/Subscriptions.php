<?php
/*
 * n8n_subscribe, n8n_unsubscribe, n8n_subscription, n8n_resume and n8n_settings (README.md, "Webservice operations").
 * Parameter names equal the registered names (operations.php): stock Vtiger 8 on PHP 8 passes them by name.
 */
require_once dirname(dirname(__FILE__)) . '/lib/Settings.php';
require_once dirname(dirname(__FILE__)) . '/lib/Subscriptions.php';
require_once dirname(dirname(__FILE__)) . '/lib/Destination.php';

/** Where an administrator allows internal destinations and other users (said in every refusal). */
function n8n_connector_settings_place() {
	return 'an administrator allows it in Settings > Integration > n8n Connector (or with the operation n8n_settings)';
}

/** An "encoded" parameter arrives decoded; a client that sent a plain string still gets a clear answer. */
function n8n_connector_list($value, $code, $what) {
	if (is_string($value)) {
		$trimmed = trim($value);
		if ($trimmed === '') {
			return array();
		}
		$decoded = json_decode($trimmed, true);
		$value = is_array($decoded) ? $decoded : explode(',', $trimmed);
	}
	if ($value === null) {
		return array();
	}
	if (!is_array($value)) {
		throw new WebServiceException($code, "$what must be a JSON array of names");
	}
	$list = array();
	foreach ($value as $item) {
		if (!is_string($item) || trim($item) === '') {
			throw new WebServiceException($code, "$what must be a JSON array of names");
		}
		$list[] = trim($item);
	}
	return array_values(array_unique($list));
}

/** The entity modules (webservice names) this user may read. */
function n8n_connector_readable_modules($user) {
	require_once 'include/Webservices/ModuleTypes.php';
	$types = vtws_listtypes(null, $user);
	$names = array();
	foreach ($types['information'] as $name => $info) {
		if (!empty($info['isEntity'])) {
			$names[] = $name;
		}
	}
	return $names;
}

function vtws_n8n_subscribe($url, $modules, $events, $ttl, $label, $user) {
	if (!N8nConnector_Settings::canSubscribe($user)) {
		throw new WebServiceException('N8N_NOT_PERMITTED',
			'Only administrators may subscribe to record changes; ' . n8n_connector_settings_place() . ' for other users');
	}
	$url = trim((string) $url);
	$check = N8nConnector_Destination::check($url, N8nConnector_Settings::allowedHosts());
	if (!$check['ok']) {
		$message = "The URL $url cannot be used: " . $check['reason'];
		if ($check['code'] === 'N8N_DESTINATION_NOT_ALLOWED') {
			$message .= '. Vtiger sends to internal addresses only when ' . n8n_connector_settings_place()
				. ' by naming the host in the allowed internal destinations';
		}
		throw new WebServiceException($check['code'], $message);
	}
	$events = n8n_connector_list($events, 'N8N_INVALID_EVENTS', 'events');
	if (!$events) {
		$events = N8nConnector_Subscriptions::allEvents();
	}
	$unknown = array_diff($events, N8nConnector_Subscriptions::allEvents());
	if ($unknown) {
		throw new WebServiceException('N8N_INVALID_EVENTS', 'Unknown event(s) ' . implode(', ', $unknown)
			. ': use ' . N8nConnector_Subscriptions::EVENTS);
	}
	$modules = n8n_connector_list($modules, 'N8N_INVALID_MODULE', 'modules');
	if ($modules) {
		$readable = n8n_connector_readable_modules($user);
		$unknown = array_diff($modules, $readable);
		if ($unknown) {
			throw new WebServiceException('N8N_INVALID_MODULE', 'Module(s) ' . implode(', ', $unknown)
				. ' do not exist or this user may not read them');
		}
	}
	$ttl = trim((string) $ttl);
	if ($ttl === '') {
		$ttl = '0';
	}
	if (!preg_match('/^\d{1,10}$/', $ttl)) {
		throw new WebServiceException('N8N_INVALID_TTL', "ttl must be a whole number of seconds (0 = no expiry), not $ttl");
	}
	$label = mb_substr(trim((string) $label), 0, 255, 'UTF-8');
	return N8nConnector_Subscriptions::create($url, $modules, $events, intval($ttl), $label, $user->id);
}

/** The subscription when this user may see it (its owner, or an administrator). */
function n8n_connector_visible_row($id, $user) {
	$row = N8nConnector_Subscriptions::row($id);
	if (!$row) {
		return null;
	}
	if (intval($row['owner_id']) !== intval($user->id) && !N8nConnector_Settings::isAdmin($user)) {
		return null;
	}
	return $row;
}

function vtws_n8n_unsubscribe($id, $user) {
	$id = trim((string) $id);
	$row = n8n_connector_visible_row($id, $user);
	if (!$row) {
		return array('id' => $id, 'deleted' => false);
	}
	N8nConnector_Subscriptions::delete($id);
	return array('id' => $id, 'deleted' => true);
}

function vtws_n8n_subscription($id, $user) {
	$id = trim((string) $id);
	$row = n8n_connector_visible_row($id, $user);
	if (!$row) {
		throw new WebServiceException('N8N_SUBSCRIPTION_NOT_FOUND', "No subscription $id (deleted, expired or not yours)");
	}
	return N8nConnector_Subscriptions::toObject($row);
}

/**
 * The receiver says it is back: the Instant Trigger calls this when n8n starts (or the workflow is activated again)
 * and finds its subscription failing. The back-off is over at once (failures counted from 0 again) and delivery
 * starts after this response, so a backlog left while n8n was down goes out in seconds instead of after the back-off
 * and the next cron run. Answers the subscription as n8n_subscription does.
 */
function vtws_n8n_resume($id, $user) {
	$id = trim((string) $id);
	$row = n8n_connector_visible_row($id, $user);
	if (!$row) {
		throw new WebServiceException('N8N_SUBSCRIPTION_NOT_FOUND', "No subscription $id (deleted, expired or not yours)");
	}
	if ($row['status'] === 'active' && (intval($row['failures']) > 0 || N8nConnector_Subscriptions::hasValue($row['next_attempt_at']))) {
		N8nConnector_Subscriptions::update($id, array('failures' => 0, 'next_attempt_at' => null));
		require_once dirname(dirname(__FILE__)) . '/lib/Trigger.php';
		N8nConnector_Trigger::afterResponse();
		$row = N8nConnector_Subscriptions::row($id);
	}
	return N8nConnector_Subscriptions::toObject($row);
}

/**
 * Administrators only: reads and changes the settings. settings (encoded object) may hold allowNonAdmins
 * (boolean) and allowedHosts (array of host names, addresses or CIDR ranges); absent keys stay as they are.
 */
function vtws_n8n_settings($settings, $user) {
	if (!N8nConnector_Settings::isAdmin($user)) {
		throw new WebServiceException('N8N_NOT_PERMITTED', 'Only administrators may read or change the n8n Connector settings');
	}
	if (is_string($settings)) {
		$settings = trim($settings) === '' ? array() : json_decode($settings, true);
	}
	if ($settings === null) {
		$settings = array();
	}
	if (!is_array($settings)) {
		throw new WebServiceException('N8N_INVALID_SETTINGS', 'settings must be a JSON object');
	}
	if (array_key_exists('allowNonAdmins', $settings)) {
		N8nConnector_Settings::set('allowNonAdmins', $settings['allowNonAdmins'] ? '1' : '0');
	}
	if (array_key_exists('allowedHosts', $settings)) {
		$hosts = $settings['allowedHosts'];
		if (is_string($hosts)) {
			$hosts = preg_split('/[\s,]+/', $hosts);
		}
		if (!is_array($hosts)) {
			throw new WebServiceException('N8N_INVALID_SETTINGS', 'allowedHosts must be an array of host names, addresses or CIDR ranges');
		}
		N8nConnector_Settings::setAllowedHosts($hosts);
	}
	return N8nConnector_Settings::publicView();
}
