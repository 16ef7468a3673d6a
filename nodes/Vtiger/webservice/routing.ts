import type {
	DeclarativeRestApiSettings,
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodePropertyRouting,
	PostReceiveAction,
} from 'n8n-workflow';

import { readRequestSettings } from './concurrency';
import { readVtigerResponse, resultToJsonItems } from './envelope';
import { failureFromThrown, failureOf, vtigerApiError } from './errors';
import { sendOnSession } from './lanes';
import type { SessionAttempt } from './lanes';
import { getOperationMethod, isRegisteredOperation } from './operations';
import type { VtigerHttpMethod } from './operations';
import { credentialsFor, VTIGER_CREDENTIAL_TYPE } from './session';
import { placeVtigerParams, secretsOf, withAccessHint } from './transport';

/** A routed request as RoutingNode hands it to the pagination hook (the send of an operation). */
export type VtigerRequestData = DeclarativeRestApiSettings.ResultOptions;

const PENDING_OPERATION = 'request';

/**
 * postReceive action that routedRequest puts first: Vtiger's envelope becomes its `result`
 * (an object is one item, an array one item per element), anything else a described error.
 * Later postReceive actions of an operation see those items; their `response` argument is
 * still the full HTTP response with the envelope as body.
 */
export async function unwrapVtigerEnvelope(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const outcome = readVtigerResponse(PENDING_OPERATION, response.statusCode, response.body);
	if (!outcome.ok) {
		// sendRoutedRequest names the operation and turns this into the final NodeApiError
		throw vtigerApiError(this.getNode(), outcome.failure);
	}
	return resultToJsonItems(outcome.result).map((json) => ({ json }));
}

function ensureEnvelopeAction(requestData: VtigerRequestData): void {
	const first = requestData.postReceive[0]?.actions[0];
	if (first === unwrapVtigerEnvelope) return;
	requestData.postReceive.unshift({
		data: { parameterValue: undefined },
		actions: [unwrapVtigerEnvelope as PostReceiveAction],
	});
}

/** The parameters of a routed request as the operation gave them (the body's, then the query string's). */
export function routedParams(requestData: VtigerRequestData): IDataObject {
	const { qs, body } = requestData.options;
	return {
		...((typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as IDataObject),
		...((qs ?? {}) as IDataObject),
	};
}

/** The routed request with exactly these parameters, `operation` among them: a send that writes its own requests. */
export function withVtigerParams(requestData: VtigerRequestData, params: IDataObject): VtigerRequestData {
	return { ...requestData, options: { ...requestData.options, qs: params, body: undefined } };
}

/** The Vtiger operation a routed request is for. */
export function routedOperation(requestData: VtigerRequestData): string {
	return String(routedParams(requestData).operation ?? '');
}

/**
 * A copy of the routed request shaped the way webservice.php reads it: GET operations with every
 * parameter in the query string, POST operations with a form-encoded body, JSON parameters as
 * JSON strings. The node's routing may put parameters in `qs` or `body`; the copy moves them.
 */
function prepareRequest(requestData: VtigerRequestData, operation: string): VtigerRequestData {
	const { method, url } = requestData.options;
	const params = routedParams(requestData);
	delete params.operation;
	delete params.sessionName;
	const chosen: VtigerHttpMethod = isRegisteredOperation(operation)
		? getOperationMethod(operation)
		: String(method ?? 'POST').toUpperCase() === 'GET'
			? 'GET'
			: 'POST';
	const placed = placeVtigerParams(operation, chosen, params);
	return {
		...requestData,
		options: {
			...requestData.options,
			...placed,
			headers: { ...(requestData.options.headers ?? {}), ...placed.headers },
			url: url || '/webservice.php',
			ignoreHttpStatusErrors: true,
		},
	};
}

/**
 * RoutingNode's makeRoutingRequest always sends with the stored credential. A request on a pool
 * session, or the retry that carries the renewal, goes out through httpRequestWithAuthentication
 * with other credential data and runs the operation's postReceive actions here, which is possible
 * when they are all functions (declarative ones need RoutingNode's expression evaluation).
 */
function functionActions(requestData: VtigerRequestData): PostReceiveAction[] | undefined {
	const actions = requestData.postReceive.flatMap((step) => step.actions);
	return actions.every((action) => typeof action === 'function') ? actions : undefined;
}

async function sendCarrying(
	ctx: IExecutePaginationFunctions,
	prepared: VtigerRequestData,
	actions: PostReceiveAction[],
	data: ICredentialDataDecryptedObject,
): Promise<INodeExecutionData[]> {
	const response = (await ctx.helpers.httpRequestWithAuthentication.call(
		ctx,
		VTIGER_CREDENTIAL_TYPE,
		{ ...prepared.options, returnFullResponse: true } as IHttpRequestOptions,
		credentialsFor(ctx, data),
	)) as IN8nHttpFullResponse;
	let items: INodeExecutionData[] = [{ json: response.body as IDataObject }];
	for (const action of actions) {
		items = await (action as VtigerPostReceive).call(ctx, items, response);
	}
	return items;
}

/**
 * One routed Vtiger request (with the node's preSend/postReceive applied by RoutingNode):
 * envelope unwrapped, the session renewed once on INVALID_SESSIONID/AUTHENTICATION_REQUIRED,
 * at most Max Concurrent Requests per CRM in flight (parallel ones on the session pool),
 * failures as NodeApiError naming the operation. Pagers loop over this with changed
 * `requestData.options`.
 */
export async function sendRoutedRequest(
	ctx: IExecutePaginationFunctions,
	requestData: VtigerRequestData,
): Promise<INodeExecutionData[]> {
	ensureEnvelopeAction(requestData);
	const operation = routedOperation(requestData) || PENDING_OPERATION;
	const actions = functionActions(requestData);
	const crm = String(prepareRequest(requestData, operation).options.baseURL ?? '');

	const send = async (data: ICredentialDataDecryptedObject | undefined): Promise<SessionAttempt<INodeExecutionData[]>> => {
		const prepared = prepareRequest(requestData, operation);
		try {
			return {
				value:
					data !== undefined && actions
						? await sendCarrying(ctx, prepared, actions, data)
						: await ctx.makeRoutingRequest(prepared),
			};
		} catch (error) {
			const failure = failureOf(error) ?? failureFromThrown(operation, error);
			return {
				failure: { ...failure, operation: failure.operation === PENDING_OPERATION ? operation : failure.operation },
				// n8n's generic authenticate wrote the session it used into the request's query string
				used: (prepared.options.qs as IDataObject | undefined)?.sessionName,
			};
		}
	};

	const result = await sendOnSession(
		ctx,
		{ ...readRequestSettings(ctx), crm, carriesCredentials: actions !== undefined },
		send,
	);
	if (result.failure) {
		let credentials;
		try {
			credentials = await ctx.getCredentials(VTIGER_CREDENTIAL_TYPE);
		} catch {
			credentials = undefined;
		}
		throw vtigerApiError(ctx.getNode(), await withAccessHint(ctx, result.failure, ctx.getItemIndex()), {
			itemIndex: ctx.getItemIndex(),
			secrets: secretsOf(credentials, result.used),
		});
	}
	return result.value ?? [];
}

/**
 * The Vtiger node's `requestOperations.pagination`: every operation's routing sets
 * `send: { paginate: true }` so RoutingNode hands its requests to this function.
 */
export async function routedRequest(
	this: IExecutePaginationFunctions,
	requestData: VtigerRequestData,
): Promise<INodeExecutionData[]> {
	return await sendRoutedRequest(this, requestData);
}

/** An operation's step on the items made of Vtiger's `result` (the envelope is already unwrapped). */
export type VtigerPostReceive = (
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
) => Promise<INodeExecutionData[]>;

/** How an operation's requests go out: one request (routedRequest), or a pager or wrapper ending in sendRoutedRequest. */
export type VtigerSend = (this: IExecutePaginationFunctions, requestData: VtigerRequestData) => Promise<INodeExecutionData[]>;

/** What one operation of the node asks of Vtiger. */
export interface VtigerRequest {
	/** Vtiger's operation; its HTTP method comes from operations.ts. Only Custom Operation, whose send names the
	 * operation, leaves it out. */
	operation?: string;
	/** Vtiger's parameters for one item, as values (objects are JSON-encoded): sendRoutedRequest places them where
	 * webservice.php reads them for the operation's method. An `operation` among them replaces the routing's for this
	 * item (Create's line items go to the extension's n8n_inventory_create where it is installed). */
	params?: (this: IExecuteSingleFunctions) => Promise<IDataObject>;
	postReceive?: VtigerPostReceive[];
	send?: VtigerSend;
}

/**
 * n8n's routing of one operation. Every request goes through the node's pagination hook (`paginate: true`), where
 * sendRoutedRequest handles the envelope, the session and the concurrency; an operation cannot leave it out.
 */
export function vtigerRouting({ operation, params, postReceive, send }: VtigerRequest): INodePropertyRouting {
	const routing: INodePropertyRouting = {
		request: operation ? { method: getOperationMethod(operation), qs: { operation } } : { method: 'POST' },
		send: { paginate: true },
		operations: { pagination: send ?? routedRequest },
	};
	if (params) {
		routing.send = {
			paginate: true,
			preSend: [
				async function (this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
					return { ...requestOptions, qs: { ...(requestOptions.qs ?? {}), ...(await params.call(this)) } };
				},
			],
		};
	}
	if (postReceive?.length) routing.output = { postReceive };
	return routing;
}
