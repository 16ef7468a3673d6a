<?php
/*
 * The webservice operations of N8nConnector: the ONE list that install, upgrade and uninstall read
 * (N8nConnector_Install::registerOperations). name => array(handler file, handler function, HTTP method,
 * parameters in order as name => type). The handler's PHP parameter names must equal these names, followed by
 * $user: stock Vtiger 8 on PHP 8 passes them by name, PHP 7 installs by position (OperationManager::runOperation).
 * Handler files live in this module so that an upgrade replaces them; no core file is touched.
 */
return array(
	'n8n_info' => array('modules/N8nConnector/api/Info.php', 'vtws_n8n_info', 'GET', array()),
	'n8n_inventory_create' => array('modules/N8nConnector/api/Inventory.php', 'vtws_n8n_inventory_create', 'POST', array('element' => 'encoded', 'elementType' => 'string')),
	'n8n_inventory_revise' => array('modules/N8nConnector/api/Inventory.php', 'vtws_n8n_inventory_revise', 'POST', array('element' => 'encoded')),
	'n8n_inventory_delete' => array('modules/N8nConnector/api/Inventory.php', 'vtws_n8n_inventory_delete', 'POST', array('id' => 'string')),
	'n8n_subscribe' => array('modules/N8nConnector/api/Subscriptions.php', 'vtws_n8n_subscribe', 'POST',
		array('url' => 'string', 'modules' => 'encoded', 'events' => 'encoded', 'ttl' => 'string', 'label' => 'string')),
	'n8n_unsubscribe' => array('modules/N8nConnector/api/Subscriptions.php', 'vtws_n8n_unsubscribe', 'POST',
		array('id' => 'string')),
	'n8n_subscription' => array('modules/N8nConnector/api/Subscriptions.php', 'vtws_n8n_subscription', 'GET',
		array('id' => 'string')),
	'n8n_resume' => array('modules/N8nConnector/api/Subscriptions.php', 'vtws_n8n_resume', 'POST',
		array('id' => 'string')),
	'n8n_settings' => array('modules/N8nConnector/api/Subscriptions.php', 'vtws_n8n_settings', 'POST',
		array('settings' => 'encoded')),
);
