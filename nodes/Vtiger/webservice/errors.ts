import { NodeApiError } from 'n8n-workflow';
import type { IDataObject, INode, JsonObject } from 'n8n-workflow';

import type { VtigerFailure } from './envelope';
import { isKnownStockCrash } from './operations';

/** The answers that mean "this session is gone": log in again and retry once. */
export const SESSION_ERROR_CODES: readonly string[] = ['INVALID_SESSIONID', 'AUTHENTICATION_REQUIRED'];

export function isSessionFailure(failure: VtigerFailure | undefined): boolean {
	return (
		failure !== undefined && failure.kind === 'vtiger' && SESSION_ERROR_CODES.includes(failure.code ?? '')
	);
}

const CODE_HINTS: Record<string, string> = {
	ACCESS_DENIED:
		'Vtiger gives this for an unknown module, a missing or deleted record, an id of the wrong module, an unknown field, or when the user may not do this.',
	MANDATORY_FIELDS_MISSING: 'Fill in every mandatory field of the module (see "describe").',
	INVALID_USER_CREDENTIALS:
		'Check the user name and the access key (Vtiger: My Preferences → Access Key).',
	INVALID_SESSIONID: 'The Vtiger session expired and could not be renewed.',
	AUTHENTICATION_REQUIRED: 'Vtiger did not receive a valid session.',
	QUERY_SYNTAX_ERROR:
		'VTQL needs a trailing ";", case-sensitive module names, and supports no parentheses, NOT or IS NULL.',
	INVALID_AUTH_TOKEN: 'The login challenge expired before the login completed.',
	// retrieve of an event by its 9x… Calendar id, or of a task by an 18x… Events id (test/engine/record/calendar.test.ts,
	// "Get of an event as Calendar says that events live in Events")
	INVALID_ID_ATTRIBUTE:
		'The id does not belong to the module asked for (its prefix names the module). Vtiger keeps tasks in Calendar (9x…) and meetings and calls in Events (18x…): an event has to be read as Events, a task as Calendar.',
};

/** Session ids and access keys must never reach a message, an output item or a log line. */
export function scrubSecrets(text: string, secrets: readonly unknown[] = []): string {
	let clean = text
		.replace(/(sessionName|sessionId|accessKey|PHPSESSID)(["']?\s*[=:]\s*["']?)[^"'&\s,}]+/gi, '$1$2***')
		.replace(/\b[0-9a-f]{13,40}\b/gi, '***');
	for (const secret of secrets) {
		if (typeof secret === 'string' && secret.length >= 4) {
			clean = clean.split(secret).join('***');
		}
	}
	return clean;
}

export function describeVtigerFailure(failure: VtigerFailure): { message: string; description: string } {
	const op = `Vtiger "${failure.operation}" failed`;
	const status = failure.httpCode !== undefined ? `HTTP ${failure.httpCode}` : 'no HTTP status';
	switch (failure.kind) {
		case 'vtiger': {
			const code = failure.code ?? 'UNKNOWN';
			const detail = failure.detail ? ` – ${failure.detail}` : '';
			const hint = CODE_HINTS[code] ? ` ${CODE_HINTS[code]}` : '';
			if (failure.loginAttempts !== undefined && LOGIN_REJECTION_CODES.includes(code)) {
				return {
					message: `${op}: ${code}${detail}. Vtiger rejected the user name or access key`,
					description: `Vtiger refused the login ${failure.loginAttempts} times, each with a fresh challenge, so this is not a race with another client. Check the user name and the access key (Vtiger shows it under My Preferences).`,
				};
			}
			if (failure.accessHint) {
				return {
					message: `${op}: ${code}${detail}: ${NON_ADMIN_LEAD}`,
					description: failure.accessHint,
				};
			}
			return {
				message: `${op}: ${code}${detail}`,
				description: `Vtiger answered "${failure.operation}" with error code ${code}${detail}.${hint}`,
			};
		}
		case 'crash': {
			const body = failure.detail ? `, body: "${failure.detail}"` : ', empty body';
			const known = isKnownStockCrash(failure.operation)
				? `This is the known bug of stock Vtiger 8.3.0 on PHP 8: "${failure.operation}" is registered with parameter names that differ from its PHP function's arguments, so PHP 8 aborts. Ask the CRM administrator to apply the fix (parameters passed by position, as on PHP 7) or to run Vtiger on PHP 7.`
				: 'Vtiger hit an unhandled PHP error (for example an unknown operation or a parameter value it cannot handle). The CRM\'s PHP error log has the details.';
			return {
				message: `${op}: Vtiger crashed (${status}${body}) running "${failure.operation}"`,
				description: known,
			};
		}
		case 'empty':
			return {
				message: `${op}: the CRM sent an empty answer (${status})`,
				description: 'Vtiger answered without any content; check the CRM URL and the PHP error log.',
			};
		case 'plainText':
			return {
				message: `${op}: the CRM answered with text instead of JSON: "${failure.detail ?? ''}"`,
				description: `Vtiger sent plain text (${status}). Stock Vtiger answers "Sorry! Attempt to access restricted file." when an operation's handler file is missing or a referenced user does not exist.`,
			};
		case 'truncated':
			return {
				message: `${op}: the answer was cut off (incomplete JSON, ${failure.bytes ?? 0} bytes, ${status})`,
				description: 'Vtiger (or a proxy in front of it) stopped sending before the JSON was complete. PHP may have run out of memory or time.',
			};
		case 'notEnvelope':
			return {
				message: `${op}: unexpected answer without Vtiger's "success" flag (${status})`,
				description: `What came back: "${failure.detail ?? ''}". Check that the CRM URL points at a Vtiger installation.`,
			};
		case 'http':
			if (failure.httpCode === 404) {
				return {
					message: `${op}: the CRM URL answered HTTP 404 – no Vtiger webservice at that address`,
					description: `The web server answered "${failure.detail ?? ''}". The CRM URL must be the address of the Vtiger installation, the folder that holds webservice.php (e.g. https://crm.example.com or https://example.com/vtigercrm).`,
				};
			}
			return {
				message: `${op}: ${status} – "${(failure.detail ?? '').slice(0, 120)}"`,
				description: `The web server in front of Vtiger refused the request and answered "${failure.detail ?? ''}"; check the CRM URL.`,
			};
		case 'network':
			if (['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT'].includes(failure.code ?? '') || /timeout/i.test(failure.detail ?? '')) {
				return {
					message: `${op}: no answer from the CRM within the timeout`,
					description: 'Vtiger did not answer in time. Raise the timeout under Options → Request Options, or check the CRM server.',
				};
			}
			return {
				message: `${op}: could not reach the CRM`,
				description: `The connection failed (${failure.code ?? 'unknown error'}${failure.detail ? `: ${failure.detail}` : ''}). Check the CRM URL and that the server is up.`,
			};
	}
}

const LOGIN_REJECTION_CODES = ['INVALID_USER_CREDENTIALS', 'INVALID_AUTH_TOKEN'];

const NON_ADMIN_LEAD = 'this Vtiger shows no module to users who are not administrators (Vtiger 8.3.0, issue #1934)';

/**
 * Stock Vtiger 8.3.0 lists no entity module to a non-admin user (Vtiger issue #1934, fixed upstream by
 * 3ef60ec5 in getPermittedModuleNames()): listtypes names only Groups, Currency, … and describe, query,
 * create and retrieve of every module answer ACCESS_DENIED (11_nonadmin_user.jsonl; test/engine/webservice/transport.test.ts,
 * "a non-admin on a Vtiger that hides every module").
 * Told from that user's listtypes, never from the server's address. Undefined when listtypes shows modules.
 */
export function accessHint(listtypes: unknown, username: string): string | undefined {
	const information = ((listtypes ?? {}) as IDataObject).information as IDataObject | undefined;
	const types = (((listtypes ?? {}) as IDataObject).types ?? []) as string[];
	if (!Array.isArray(types) || types.length === 0) return undefined;
	const entities = types.filter((name) => (information?.[name] as IDataObject | undefined)?.isEntity === true);
	if (entities.length > 0) return undefined;
	return `Vtiger lists only ${types.join(', ')} to "${username}" (listtypes), none of the CRM's modules: stock Vtiger 8.3.0 hides every module from users who are not administrators and answers ACCESS_DENIED for all of them (Vtiger issue #1934). Ask the CRM administrator to apply Vtiger's fix for #1934 (commit 3ef60ec5, getPermittedModuleNames) or use an administrator's access key.`;
}

const failures = new WeakMap<object, VtigerFailure>();

export function markFailure(error: object, failure: VtigerFailure): void {
	failures.set(error, failure);
}

/** The Vtiger failure behind an error thrown by this package (also when n8n wrapped it), if any. */
export function failureOf(error: unknown): VtigerFailure | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
		const found = failures.get(current);
		if (found) return found;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

export function vtigerApiError(
	node: INode,
	failure: VtigerFailure,
	options: { itemIndex?: number; secrets?: readonly unknown[] } = {},
): NodeApiError {
	const { message, description } = describeVtigerFailure(failure);
	const safeMessage = scrubSecrets(message, options.secrets);
	const safeDescription = scrubSecrets(description, options.secrets);
	const errorResponse: JsonObject = {
		message: safeMessage,
		vtigerOperation: failure.operation,
	};
	if (failure.code !== undefined) errorResponse.vtigerCode = failure.code;
	if (failure.kind === 'vtiger' && failure.detail !== undefined) {
		errorResponse.vtigerMessage = scrubSecrets(failure.detail, options.secrets);
	}
	// the editor shows httpCode as the details' "Error code": Vtiger's own code says more than its HTTP 200
	const errorCode = failure.kind === 'vtiger' && failure.code ? failure.code : failure.httpCode;
	const error = new NodeApiError(node, errorResponse, {
		message: safeMessage,
		description: safeDescription,
		httpCode: errorCode !== undefined ? String(errorCode) : undefined,
		itemIndex: options.itemIndex,
	});
	markFailure(error, failure);
	return error;
}

/** A thrown value (axios/network error, NodeApiError from n8n) as a Vtiger failure without secrets. */
export function failureFromThrown(operation: string, error: unknown): VtigerFailure {
	const known = failureOf(error);
	if (known) return known;
	const value = (error ?? {}) as {
		code?: unknown;
		message?: unknown;
		httpCode?: unknown;
		cause?: { code?: unknown; message?: unknown };
		response?: { status?: unknown; data?: unknown };
	};
	const code = value.code ?? value.cause?.code;
	const message = value.cause?.message ?? value.message;
	return {
		kind: 'network',
		operation,
		code: typeof code === 'string' ? code : undefined,
		detail: typeof message === 'string' ? scrubSecrets(message).slice(0, 200) : undefined,
	};
}
