<?php
/* Saves the n8n Connector settings (POST with Vtiger's CSRF token, administrators only: Settings_Vtiger_Basic_Action). */
require_once 'modules/N8nConnector/lib/Settings.php';

class Settings_N8nConnector_Save_Action extends Settings_Vtiger_Basic_Action {
	public function process(Vtiger_Request $request) {
		$location = 'index.php?module=N8nConnector&parent=Settings&view=Index';
		try {
			N8nConnector_Settings::set('allowNonAdmins', $request->get('allowNonAdmins') ? '1' : '0');
			// raw: Vtiger_Request::get HTML-escapes, and an allow-list entry never holds HTML anyway
			N8nConnector_Settings::setAllowedHosts(preg_split('/[\s,]+/', (string) $request->getRaw('allowedHosts')));
			$location .= '&saved=1';
		} catch (Exception $e) {
			$location .= '&error=' . rawurlencode($e->getMessage());
		}
		header('Location: ' . $location);
	}
}
