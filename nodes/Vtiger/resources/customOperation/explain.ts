import type { DeclarativeRestApiSettings, IExecutePaginationFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { VtigerFailureKind } from '../../shared/envelope';
import { failureOf } from '../../shared/errors';
import { sendRoutedRequest } from '../../shared/routing';

/** What an install that lacks or breaks an operation answers, and what to tell the user about it. */
export type FailureHints = Partial<Record<VtigerFailureKind, string>>;

/**
 * A pagination function that sends the request once and, when it fails in one of the given ways,
 * replaces the error's description with the likely cause for this operation. The message keeps
 * naming the operation and what Vtiger answered.
 */
export function explainingRequest(hints: FailureHints) {
	return async function (
		this: IExecutePaginationFunctions,
		requestData: DeclarativeRestApiSettings.ResultOptions,
	): Promise<INodeExecutionData[]> {
		try {
			return await sendRoutedRequest(this, requestData);
		} catch (error) {
			if (!(error instanceof NodeApiError)) throw new NodeOperationError(this.getNode(), error as Error);
			const apiError: NodeApiError = error;
			const failure = failureOf(apiError);
			const hint = failure ? hints[failure.kind] : undefined;
			if (hint) apiError.description = hint;
			throw apiError;
		}
	};
}

/** changePassword and deleteUser are registered with handler files that do not exist (operations.txt). */
export function missingHandlerHint(operation: string): string {
	return `Vtiger could not load the code of "${operation}": stock Vtiger 8.3.0 (and 7.x) registers it in vtiger_ws_operation with the handler path include/Webservices/${operation.charAt(0).toUpperCase()}${operation.slice(1)}.php, but the file lives in include/Webservices/Custom/, so every call answers "Sorry! Attempt to access restricted file.". Ask the CRM administrator to correct handler_path in vtiger_ws_operation (or copy the file). The same text comes back when a user in the request does not exist.`;
}
