import type {
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	INodeExecutionData,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { VtigerFailure } from './envelope';
import { failureOf, scrubSecrets } from './errors';
import { sendRoutedRequest } from './routing';
import { VTIGER_CREDENTIAL_TYPE } from './session';
import type { VtigerRequestData } from './routing';

/**
 * The likely cause of a failure of this operation, to tell the user: a description, or a message that says it
 * first and a description; undefined keeps the generic ones.
 */
export type ExplainFailure = (
	failure: VtigerFailure,
	requestData: VtigerRequestData,
	ctx: IExecutePaginationFunctions,
) => Explanation | undefined | Promise<Explanation | undefined>;

export type Explanation = string | { message: string; description: string };

/**
 * A pagination function that sends the request once and, when it fails, puts the likely cause for
 * this operation into the error's description. The message keeps naming the operation and what
 * Vtiger answered.
 */
export function explainingRequest(explain: ExplainFailure) {
	return async function (
		this: IExecutePaginationFunctions,
		requestData: VtigerRequestData,
	): Promise<INodeExecutionData[]> {
		try {
			return await sendRoutedRequest(this, requestData);
		} catch (error) {
			if (!(error instanceof NodeApiError)) throw new NodeOperationError(this.getNode(), error as Error);
			const apiError: NodeApiError = error;
			const failure = failureOf(apiError);
			const cause = failure ? await explain(failure, requestData, this) : undefined;
			if (typeof cause === 'string') apiError.description = cause;
			else if (cause) {
				apiError.message = scrubSecrets(cause.message);
				apiError.description = scrubSecrets(cause.description);
			}
			throw apiError;
		}
	};
}

/** The first explanation any of `explainers` gives. */
export function explainEither(...explainers: ExplainFailure[]): ExplainFailure {
	return async (failure, requestData, ctx) => {
		for (const explain of explainers) {
			const cause = await explain(failure, requestData, ctx);
			if (cause) return cause;
		}
		return undefined;
	};
}

/** The record id a routed record request names: `id` (retrieve, delete) or the element's `id` (revise, update). */
export function requestedId(requestData: VtigerRequestData): string | undefined {
	const { qs, body } = requestData.options;
	const params = { ...((typeof body === 'object' && body !== null ? body : {}) as IDataObject), ...((qs ?? {}) as IDataObject) };
	if (typeof params.id === 'string') return params.id;
	if (typeof params.element !== 'string') return undefined;
	try {
		const element = JSON.parse(params.element) as IDataObject;
		return typeof element.id === 'string' ? element.id : undefined;
	} catch {
		return undefined;
	}
}

/** What Vtiger answers for a record that does not exist, was deleted or is not the user's to see (Retrieve.php). */
const NO_SUCH_RECORD = ['Permission to perform the operation is denied', 'Permission to read given object is denied'];

/**
 * Get, Update, Replace and Delete of one record: Vtiger answers ACCESS_DENIED "Permission to perform
 * the operation is denied" alike for a record id that does not exist, a deleted record and one the user may not
 * see (test/live/defects-errors.live.test.ts, "Get of an id that does not exist names the record first"). The module itself
 * was described just before, so it is the record: say that first, with the id.
 */
export const explainRecordAccess: ExplainFailure = async (failure, requestData, ctx) => {
	const id = requestedId(requestData);
	return id ? await missingRecordExplanation(ctx, failure, id) : undefined;
};

async function missingRecordExplanation(
	ctx: IExecuteSingleFunctions,
	failure: VtigerFailure,
	id: string,
): Promise<Explanation | undefined> {
	if (failure.kind !== 'vtiger' || failure.code !== 'ACCESS_DENIED' || failure.accessHint) return undefined;
	if (!NO_SUCH_RECORD.includes(failure.detail ?? '')) return undefined;
	const module = String(ctx.getNodeParameter('module', '') ?? '');
	let username = 'the user';
	try {
		username = `"${String((await ctx.getCredentials(VTIGER_CREDENTIAL_TYPE)).username ?? '')}"`;
	} catch {
		// the credential's name only makes the text friendlier
	}
	return {
		message: `Vtiger "${failure.operation}" failed: no ${module ? `${module} ` : ''}record ${id} – it does not exist, was deleted, or ${username} may not see it`,
		description: `Vtiger answered ACCESS_DENIED – ${failure.detail}, which it gives alike for a record that does not exist, one that was deleted and one the user may not see. Check the ID (Get Many or the record picker finds the existing records); if the record exists, the CRM administrator can share it with ${username}.`,
	};
}

/** A failed request for record `id` made outside the routed request (Replace's read of the current values). */
export async function explainedRecordError(ctx: IExecuteSingleFunctions, error: unknown, id: string): Promise<unknown> {
	const failure = failureOf(error);
	const cause = failure && error instanceof NodeApiError ? await missingRecordExplanation(ctx, failure, id) : undefined;
	if (cause && typeof cause !== 'string' && error instanceof NodeApiError) {
		error.message = scrubSecrets(cause.message);
		error.description = scrubSecrets(cause.description);
	}
	return error;
}
