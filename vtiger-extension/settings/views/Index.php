<?php
/*
 * Settings > Integration > n8n Connector (index.php?module=N8nConnector&parent=Settings&view=Index): who may
 * subscribe, which internal destinations Vtiger may send to, and the subscriptions with their state.
 * Administrators only (Settings_Vtiger_Index_View::checkPermission). Saved by settings/actions/Save.php.
 */
require_once 'modules/N8nConnector/lib/Settings.php';
require_once 'modules/N8nConnector/lib/Subscriptions.php';
require_once 'modules/N8nConnector/lib/Db.php';

class Settings_N8nConnector_Index_View extends Settings_Vtiger_Index_View {
	public function process(Vtiger_Request $request) {
		$qualifiedModuleName = $request->getModule(false);
		$subscriptions = array();
		foreach (N8nConnector_Db::rows('SELECT s.*, u.user_name FROM vtiger_n8nconnector_subscriptions s
			LEFT JOIN vtiger_users u ON u.id = s.owner_id ORDER BY s.created_at DESC') as $row) {
			$object = N8nConnector_Subscriptions::toObject($row);
			$object['owner'] = $row['user_name'];
			$object['scope'] = $object['modules'] ? implode(', ', $object['modules']) : '';
			$object['eventList'] = implode(', ', $object['events']);
			$object['pending'] = intval(N8nConnector_Db::value("SELECT COUNT(*) FROM vtiger_n8nconnector_deliveries
				WHERE subscription_id = ? AND status = 'pending'", array($row['id'])));
			$object['expired'] = N8nConnector_Subscriptions::hasValue($row['expires_at']) && intval($row['expires_at']) <= time();
			$subscriptions[] = $object;
		}
		$viewer = $this->getViewer($request);
		$viewer->assign('ALLOW_NON_ADMINS', N8nConnector_Settings::allowNonAdmins());
		$viewer->assign('ALLOWED_HOSTS', implode("\n", N8nConnector_Settings::allowedHosts()));
		$viewer->assign('SUBSCRIPTIONS', $subscriptions);
		$viewer->assign('SAVED', $request->get('saved') === '1');
		$viewer->assign('ERROR', (string) $request->get('error'));
		$viewer->assign('QUALIFIED_MODULE', $qualifiedModuleName);
		$viewer->view('Index.tpl', $qualifiedModuleName);
	}
}
