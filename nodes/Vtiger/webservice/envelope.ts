import type { IDataObject } from 'n8n-workflow';

export type VtigerFailureKind =
	| 'vtiger'
	| 'crash'
	| 'empty'
	| 'plainText'
	| 'truncated'
	| 'notEnvelope'
	| 'http'
	| 'network';

export interface VtigerFailure {
	kind: VtigerFailureKind;
	operation: string;
	/** Vtiger's error code (`ACCESS_DENIED` …) or, for `network`, the socket error code. */
	code?: string;
	/** Vtiger's own message, or for non-JSON answers a short excerpt of what came back. */
	detail?: string;
	httpCode?: number;
	bytes?: number;
	/** For login failures: how many challenge + login rounds were tried. */
	loginAttempts?: number;
	/** What the user's listtypes shows about an ACCESS_DENIED (see `accessHint` in errors.ts). */
	accessHint?: string;
}

export type VtigerOutcome = { ok: true; result: unknown } | { ok: false; failure: VtigerFailure };

const SNIPPET_LENGTH = 200;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };

/**
 * What a person would read of an answer: for an HTML page (a web server's 404, a proxy's error page) its
 * title and text without the <style>, <script> and comments around them (a 404 page that starts with CSS: test/engine/webservice/credential.test.ts, "a wrong CRM path").
 */
export function textSnippet(text: string): string {
	const plain = text
		.replace(/<(style|script)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
		.replace(/<!--[\s\S]*?-->/g, ' ')
		.replace(/<[^>]*>/g, ' ')
		.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, name: string) => ENTITIES[name])
		.replace(/\s+/g, ' ')
		.trim();
	return plain.length > SNIPPET_LENGTH ? `${plain.slice(0, SNIPPET_LENGTH)}…` : plain;
}

function isEnvelope(value: unknown): value is IDataObject {
	return (
		typeof value === 'object' &&
		value !== null &&
		!Array.isArray(value) &&
		typeof (value as IDataObject).success === 'boolean'
	);
}

function bodyToText(body: unknown): string | undefined {
	if (typeof body === 'string') return body;
	if (body instanceof Uint8Array) return new TextDecoder().decode(body);
	return undefined;
}

/**
 * Servers with display_errors on print PHP notices (HTML) before the JSON envelope
 * (README "Transport"): find the envelope after the noise. A notice must not fail a good answer.
 */
function findEnvelopeInText(text: string): IDataObject | undefined {
	let start = text.indexOf('{"success"');
	while (start !== -1) {
		try {
			const parsed: unknown = JSON.parse(text.slice(start));
			if (isEnvelope(parsed)) return parsed;
		} catch {
			// not this one; a later occurrence may be the envelope
		}
		start = text.indexOf('{"success"', start + 1);
	}
	return undefined;
}

function fromEnvelope(operation: string, envelope: IDataObject, httpCode: number): VtigerOutcome {
	if (envelope.success === true) {
		return { ok: true, result: envelope.result ?? null };
	}
	const error = (envelope.error ?? {}) as IDataObject;
	const code = error.code === undefined || error.code === null ? 'UNKNOWN' : String(error.code);
	const message = typeof error.message === 'string' ? error.message : '';
	return { ok: false, failure: { kind: 'vtiger', operation, code, detail: message, httpCode } };
}

/**
 * Turns whatever webservice.php sent into Vtiger's `result` or a described failure.
 * `body` is what axios made of the response: parsed JSON when it parsed, the raw text otherwise.
 */
export function readVtigerResponse(operation: string, httpCode: number, body: unknown): VtigerOutcome {
	if (isEnvelope(body)) return fromEnvelope(operation, body, httpCode);

	const text = bodyToText(body);
	if (text === undefined) {
		if (body === undefined || body === null) {
			return readVtigerResponse(operation, httpCode, '');
		}
		return {
			ok: false,
			failure: {
				kind: 'notEnvelope',
				operation,
				httpCode,
				detail: textSnippet(JSON.stringify(body)),
			},
		};
	}

	const trimmed = text.trim();
	if (trimmed === '') {
		// Unhandled PHP errors: HTTP 500 with an empty body (02_auth_session.jsonl, 07_other_ops_stock.jsonl)
		return {
			ok: false,
			failure: { kind: httpCode >= 500 ? 'crash' : 'empty', operation, httpCode, bytes: 0 },
		};
	}

	try {
		const parsed: unknown = JSON.parse(trimmed);
		if (isEnvelope(parsed)) return fromEnvelope(operation, parsed, httpCode);
		return {
			ok: false,
			failure: { kind: 'notEnvelope', operation, httpCode, detail: textSnippet(trimmed) },
		};
	} catch {
		// not plain JSON: PHP noise before the JSON, truncated JSON, or plain text
	}

	const embedded = findEnvelopeInText(trimmed);
	if (embedded) return fromEnvelope(operation, embedded, httpCode);

	if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.includes('{"success"')) {
		return {
			ok: false,
			failure: { kind: 'truncated', operation, httpCode, bytes: text.length },
		};
	}
	if (httpCode >= 500) {
		return {
			ok: false,
			failure: { kind: 'crash', operation, httpCode, bytes: text.length, detail: textSnippet(trimmed) },
		};
	}
	if (httpCode >= 400) {
		return { ok: false, failure: { kind: 'http', operation, httpCode, detail: textSnippet(trimmed) } };
	}
	// e.g. "Sorry! Attempt to access restricted file." with HTTP 200 (07_other_ops_stock.jsonl)
	return {
		ok: false,
		failure: { kind: 'plainText', operation, httpCode, detail: textSnippet(trimmed) },
	};
}

/** Vtiger's `result` as n8n items: an object is one item, an array one item per element. */
export function resultToJsonItems(result: unknown): IDataObject[] {
	const wrap = (value: unknown): IDataObject =>
		typeof value === 'object' && value !== null && !Array.isArray(value)
			? (value as IDataObject)
			: { result: value as IDataObject[keyof IDataObject] };
	if (Array.isArray(result)) return result.map(wrap);
	if (result === null || result === undefined) return [];
	return [wrap(result)];
}
