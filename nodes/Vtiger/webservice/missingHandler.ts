import type { ExplainFailure } from './explain';

/** changePassword and deleteUser are registered with handler files that do not exist (operations.txt). */
export function missingHandlerHint(operation: string): ExplainFailure {
	return (failure) => (failure.kind === 'plainText' ? missingHandlerText(operation) : undefined);
}

function missingHandlerText(operation: string): string {
	return `Vtiger could not load the code of "${operation}": stock Vtiger 8.3.0 (and 7.x) registers it in vtiger_ws_operation with the handler path include/Webservices/${operation.charAt(0).toUpperCase()}${operation.slice(1)}.php, but the file lives in include/Webservices/Custom/, so every call answers "Sorry! Attempt to access restricted file.". Ask the CRM administrator to correct handler_path in vtiger_ws_operation (or copy the file). The same text comes back when a user in the request does not exist.`;
}
