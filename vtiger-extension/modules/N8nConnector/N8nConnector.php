<?php
/*
 * n8n Connector: pushes record changes to n8n (webhook subscriptions, an outbox, signed deliveries).
 * Vtiger calls vtlib_handler on install, upgrade and uninstall (vtlib/Vtiger/Module.php fireEvent); everything
 * the module adds to Vtiger (tables, webservice operations, event handlers, cron task) is (re)registered there,
 * idempotently, by N8nConnector_Install.
 */
require_once dirname(__FILE__) . '/lib/Install.php';

class N8nConnector {
	const VERSION = '0.1.0';

	public function vtlib_handler($moduleName, $eventType) {
		switch ($eventType) {
			case 'module.postinstall':
			case 'module.postupdate':
			case 'module.enabled':
				N8nConnector_Install::install();
				break;
			case 'module.preuninstall':
				N8nConnector_Install::uninstall();
				break;
			case 'module.disabled':
				N8nConnector_Install::disable();
				break;
		}
	}
}
