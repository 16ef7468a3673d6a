import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a delivery's `webhook-timestamp` may be from n8n's clock (Standard Webhooks' recommendation). */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export type SignatureVerdict =
	| { ok: true }
	| { ok: false; reason: 'unsigned' | 'malformed' | 'stale' | 'forged' };

/** The HMAC key of a `whsec_<base64>` secret: the decoded bytes after the prefix. */
export function secretKey(secret: string): Buffer {
	const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
	return Buffer.from(encoded, 'base64');
}

/** `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<raw body>")>`: the contract's delivery signature. */
export function signPayload(secret: string, id: string, timestamp: number | string, rawBody: Buffer | string): string {
	const hmac = createHmac('sha256', secretKey(secret));
	hmac.update(`${id}.${timestamp}.`);
	hmac.update(rawBody);
	return `v1,${hmac.digest('base64')}`;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string {
	const value = headers[name];
	return (Array.isArray(value) ? value[0] : value ?? '').trim();
}

/**
 * Checks a delivery's Standard Webhooks headers against the raw body with each of `secrets` (a test URL's
 * and the production URL's subscription may both deliver here): a valid `v1` signature of one of them, made
 * within SIGNATURE_TOLERANCE_SECONDS of `nowSeconds`. Signatures are compared in constant time.
 */
export function verifySignature(
	headers: Record<string, string | string[] | undefined>,
	rawBody: Buffer,
	secrets: readonly string[],
	nowSeconds: number,
): SignatureVerdict {
	const id = header(headers, 'webhook-id');
	const timestamp = header(headers, 'webhook-timestamp');
	const signatures = header(headers, 'webhook-signature');
	if (!id || !timestamp || !signatures) return { ok: false, reason: 'unsigned' };
	if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed' };
	if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) return { ok: false, reason: 'stale' };
	const offered = signatures
		.split(' ')
		.filter((entry) => entry.startsWith('v1,'))
		.map((entry) => Buffer.from(entry.slice(3), 'base64'));
	if (offered.length === 0) return { ok: false, reason: 'malformed' };
	for (const secret of secrets) {
		if (!secret) continue;
		const expected = Buffer.from(signPayload(secret, id, timestamp, rawBody).slice(3), 'base64');
		for (const candidate of offered) {
			if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) return { ok: true };
		}
	}
	return { ok: false, reason: 'forged' };
}
