import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IExecuteSingleFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	ILoadOptionsFunctions,
	IPollFunctions,
	ITriggerFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import { readRequestSettings } from './concurrency';
import { readVtigerResponse } from './envelope';
import type { VtigerFailure } from './envelope';
import { accessHint, failureFromThrown, vtigerApiError } from './errors';
import { sendOnSession } from './lanes';
import type { SessionAttempt } from './lanes';
import { isUploadFile, multipartBody } from './multipart';
import type { VtigerUploadFile } from './multipart';
import { getOperationMethod } from './operations';
import type { VtigerHttpMethod } from './operations';
import { credentialsFor, VTIGER_CREDENTIAL_TYPE } from './session';
import { normalizeBaseUrl, webserviceUrl } from './url';

export type VtigerContext =
	| IExecuteFunctions
	| IExecuteSingleFunctions
	| ILoadOptionsFunctions
	| IPollFunctions
	| IHookFunctions
	| ITriggerFunctions
	| IWebhookFunctions;

export interface VtigerRequestOptions {
	/** Overrides the method registered for the operation (only for operations Vtiger does not list). */
	method?: VtigerHttpMethod;
	/** The item the request is for (error context, and credentials resolved per item). */
	itemIndex?: number;
	/**
	 * POST with the parameters in the query string as well as the body: Vtiger reads a GET operation's
	 * parameters from $_GET and a POST operation's from $_POST, whatever the request's method
	 * (OperationManager::getOperationInput), so an operation whose registered type is unknown gets them either way.
	 */
	bothPlaces?: boolean;
}

/** Parameters as Vtiger reads them: strings; objects and arrays (`element` …) JSON-encoded. */
export function encodeVtigerParams(params: IDataObject): Record<string, string> {
	const encoded: Record<string, string> = {};
	for (const [name, value] of Object.entries(params)) {
		if (value === undefined || value === null) continue;
		encoded[name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
	}
	return encoded;
}

/** GET operations carry their parameters in the query string, POST operations in a form body. */
export function placeVtigerParams(
	operation: string,
	method: VtigerHttpMethod,
	params: IDataObject,
	bothPlaces = false,
): Pick<IHttpRequestOptions, 'method' | 'qs' | 'body' | 'headers'> {
	const encoded = { operation, ...encodeVtigerParams(params) };
	if (method === 'GET') {
		return { method, qs: encoded, headers: { Accept: 'application/json' } };
	}
	const multipart = placeMultipart(operation, params);
	if (multipart) return multipart;
	return {
		method,
		qs: bothPlaces ? { ...encoded } : {},
		body: new URLSearchParams(encoded).toString(),
		headers: {
			Accept: 'application/json',
			'Content-Type': 'application/x-www-form-urlencoded',
		},
	};
}

/** A POST with files (a Document's upload) goes as multipart/form-data; undefined when there is no file. */
function placeMultipart(operation: string, params: IDataObject): Pick<IHttpRequestOptions, 'method' | 'qs' | 'body' | 'headers'> | undefined {
	const files: Record<string, VtigerUploadFile> = {};
	const rest: IDataObject = {};
	for (const [name, value] of Object.entries(params)) {
		if (isUploadFile(value)) files[name] = value;
		else rest[name] = value;
	}
	if (Object.keys(files).length === 0) return undefined;
	const { body, contentType } = multipartBody({ operation, ...encodeVtigerParams(rest) }, files);
	return { method: 'POST', qs: {}, body, headers: { Accept: 'application/json', 'Content-Type': contentType } };
}

export function secretsOf(
	credentials: ICredentialDataDecryptedObject | undefined,
	...more: unknown[]
): unknown[] {
	return [credentials?.secretAccessKey, credentials?.sessionName, ...more];
}

/**
 * Calls one Vtiger webservice operation and returns Vtiger's `result`. Used by custom node code,
 * the trigger and the methods that load options. Renews a dead session once and retries.
 */
export async function vtigerApiRequest(
	this: VtigerContext,
	operation: string,
	params: IDataObject = {},
	options: VtigerRequestOptions = {},
): Promise<unknown> {
	const node = this.getNode();
	const credentials = (await this.getCredentials(VTIGER_CREDENTIAL_TYPE, options.itemIndex)) as ICredentialDataDecryptedObject;
	const method = options.method ?? getOperationMethod(operation);
	// the session is the credential's (or the pool's) to choose
	const sent = { ...params };
	delete sent.sessionName;

	const send = async (data: ICredentialDataDecryptedObject | undefined): Promise<SessionAttempt<unknown>> => {
		const request: IHttpRequestOptions = {
			url: webserviceUrl(credentials.url),
			...placeVtigerParams(operation, options.bothPlaces ? 'POST' : method, sent, options.bothPlaces),
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			skipSslCertificateValidation: credentials.ignoreSslIssues === true,
		};
		try {
			const response = (await this.helpers.httpRequestWithAuthentication.call(
				this,
				VTIGER_CREDENTIAL_TYPE,
				request,
				data === undefined ? undefined : credentialsFor(this, data),
			)) as IN8nHttpFullResponse;
			const outcome = readVtigerResponse(operation, response.statusCode, response.body);
			// n8n's generic authenticate wrote the session it used into the request's query string
			const used = request.qs?.sessionName;
			return outcome.ok ? { value: outcome.result } : { failure: outcome.failure, used };
		} catch (error) {
			return { failure: failureFromThrown(operation, error), used: request.qs?.sessionName };
		}
	};

	const answer = await sendOnSession(
		this,
		{ ...readRequestSettings(this), crm: normalizeBaseUrl(credentials.url), carriesCredentials: true },
		send,
	);
	if (answer.failure) {
		throw vtigerApiError(node, await withAccessHint(this, answer.failure, options.itemIndex), {
			itemIndex: options.itemIndex,
			secrets: secretsOf(credentials, answer.used),
		});
	}
	return answer.value;
}

const ACCESS_HINT_LIFETIME_MS = 60_000;
const accessHints = new Map<string, { at: number; hint: Promise<string | undefined> }>();

/** Forget what listtypes said (tests; a CRM whose administrator just changed the users' access). */
export function clearAccessHints(): void {
	accessHints.clear();
}

/**
 * An ACCESS_DENIED with what the user's listtypes says about it (errors.ts `accessHint`): one listtypes per
 * CRM and user a minute, however many items fail.
 */
export async function withAccessHint(ctx: VtigerContext, failure: VtigerFailure, itemIndex?: number): Promise<VtigerFailure> {
	if (failure.kind !== 'vtiger' || failure.code !== 'ACCESS_DENIED' || failure.operation === 'listtypes') return failure;
	let credentials: ICredentialDataDecryptedObject;
	try {
		credentials = await ctx.getCredentials(VTIGER_CREDENTIAL_TYPE, itemIndex);
	} catch {
		return failure;
	}
	const username = String(credentials.username ?? '');
	const key = `${normalizeBaseUrl(credentials.url).toLowerCase()}\n${username.toLowerCase()}`;
	const now = Date.now();
	let cached = accessHints.get(key);
	if (!cached || now - cached.at > ACCESS_HINT_LIFETIME_MS) {
		cached = {
			at: now,
			hint: vtigerApiRequest.call(ctx, 'listtypes', {}, { itemIndex }).then(
				(types) => accessHint(types, username),
				() => undefined,
			),
		};
		accessHints.set(key, cached);
	}
	const hint = await cached.hint;
	return hint ? { ...failure, accessHint: hint } : failure;
}
