export type VtigerHttpMethod = 'GET' | 'POST';

/**
 * HTTP method each operation is registered with in vtiger_ws_operation (operations.txt).
 * Vtiger reads an operation's parameters only from $_GET for GET operations and only from
 * $_POST for POST operations (02_auth_session.jsonl, 08_transport_params.jsonl).
 */
export const VTIGER_GET_OPERATIONS: readonly string[] = [
	'getchallenge',
	'retrieve',
	'sync',
	'query',
	'listtypes',
	'describe',
	'retrieve_inventory',
	'relatedtypes',
	'retrieve_related',
	'query_related',
	'files_retrieve',
];

/** Operations that die with HTTP 500 on stock Vtiger 8.3.0 with PHP 8 (07_other_ops_stock.jsonl). */
export const STOCK_PHP8_CRASHING_OPERATIONS: readonly string[] = [
	'sync',
	'logout',
	'convertlead',
	'files_retrieve',
	'retrieve_inventory',
];

/**
 * The GET operations of this package's Vtiger extension (vtiger-extension/modules/N8nConnector/operations.php);
 * its other operations are POST.
 */
export const N8N_CONNECTOR_GET_OPERATIONS: readonly string[] = ['n8n_info', 'n8n_subscription'];

export function getOperationMethod(operation: string): VtigerHttpMethod {
	const name = operation.toLowerCase();
	return VTIGER_GET_OPERATIONS.includes(name) || N8N_CONNECTOR_GET_OPERATIONS.includes(name) ? 'GET' : 'POST';
}

export function isKnownStockCrash(operation: string): boolean {
	return STOCK_PHP8_CRASHING_OPERATIONS.includes(operation.toLowerCase());
}

/** Every operation registered in vtiger_ws_operation on 8.3.0 (operations.txt). */
export const VTIGER_REGISTERED_OPERATIONS: readonly string[] = [
	...VTIGER_GET_OPERATIONS,
	'login',
	'create',
	'update',
	'delete',
	'logout',
	'extendsession',
	'convertlead',
	'revise',
	'changepassword',
	'deleteuser',
	'mobile.fetchallalerts',
	'mobile.alertdetailswithmessage',
	'mobile.fetchmodulefilters',
	'mobile.fetchrecord',
	'mobile.fetchrecordwithgrouping',
	'mobile.filterdetailswithcount',
	'mobile.listmodulerecords',
	'mobile.saverecord',
	'mobile.syncmodulerecords',
	'mobile.query',
	'mobile.querywithgrouping',
	'wsapp_register',
	'wsapp_deregister',
	'wsapp_get',
	'wsapp_put',
	'wsapp_map',
	'add_related',
];

export function isRegisteredOperation(operation: string): boolean {
	return VTIGER_REGISTERED_OPERATIONS.includes(operation.toLowerCase());
}
