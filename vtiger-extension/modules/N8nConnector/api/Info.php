<?php
/* n8n_info: what this installation offers the calling user (README.md, "Webservice operations"). */
require_once dirname(dirname(__FILE__)) . '/N8nConnector.php';
require_once dirname(dirname(__FILE__)) . '/lib/Settings.php';

function vtws_n8n_info($user) {
	$operations = array_keys(N8nConnector_Install::operations());
	sort($operations);
	return array(
		'module' => 'N8nConnector',
		'version' => N8nConnector::VERSION,
		'operations' => $operations,
		'canSubscribe' => N8nConnector_Settings::canSubscribe($user),
		'destinationsAllowed' => N8nConnector_Settings::destinationsAllowed(),
	);
}
