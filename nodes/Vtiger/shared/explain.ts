import type { DeclarativeRestApiSettings, IExecutePaginationFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { VtigerFailure } from './envelope';
import { failureOf } from './errors';
import { sendRoutedRequest } from './routing';

type ResultOptions = DeclarativeRestApiSettings.ResultOptions;

/** The likely cause of a failure of this operation, to tell the user; undefined keeps the generic description. */
export type ExplainFailure = (failure: VtigerFailure, requestData: ResultOptions) => string | undefined;

/**
 * A pagination function that sends the request once and, when it fails, puts the likely cause for
 * this operation into the error's description. The message keeps naming the operation and what
 * Vtiger answered.
 */
export function explainingRequest(explain: ExplainFailure) {
	return async function (
		this: IExecutePaginationFunctions,
		requestData: ResultOptions,
	): Promise<INodeExecutionData[]> {
		try {
			return await sendRoutedRequest(this, requestData);
		} catch (error) {
			if (!(error instanceof NodeApiError)) throw new NodeOperationError(this.getNode(), error as Error);
			const apiError: NodeApiError = error;
			const failure = failureOf(apiError);
			const cause = failure ? explain(failure, requestData) : undefined;
			if (cause) apiError.description = cause;
			throw apiError;
		}
	};
}
