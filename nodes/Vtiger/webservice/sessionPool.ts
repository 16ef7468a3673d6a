import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { credentialKey, loginSeparately } from './session';
import type { RenewalContext } from './session';

/**
 * Extra sessions for requests that run at the same time as others (lanes 1… of `withCrmSlot`;
 * lane 0 uses the session n8n stores). PHP's file session handler locks a session for the length
 * of each request, so parallel requests on one session are served one after another
 * (bench/lab/server-8081-positional.md, create-120: one session 3x slower than the pool). These sessions live in this
 * process only (not in n8n's credential store): each n8n process or queue-mode worker has its own.
 */
interface Lane {
	sessionName?: string;
	login?: Promise<string>;
}

const pools = new Map<string, Lane[]>();

function laneOf(credentials: ICredentialDataDecryptedObject, lane: number): Lane {
	const key = credentialKey(credentials);
	let pool = pools.get(key);
	if (!pool) {
		pool = [];
		pools.set(key, pool);
	}
	pool[lane] ??= {};
	return pool[lane];
}

async function login(ctx: RenewalContext, credentials: ICredentialDataDecryptedObject, entry: Lane): Promise<string> {
	if (entry.login) return await entry.login;
	const flight = loginSeparately(async (options) => await ctx.helpers.httpRequest(options), credentials).then(
		(session) => session.sessionName,
	);
	entry.login = flight;
	try {
		entry.sessionName = await flight;
		return entry.sessionName;
	} finally {
		entry.login = undefined;
	}
}

/** The pool's session for this lane, logging in (one login at a time per user) the first time. */
export async function poolSession(
	ctx: RenewalContext,
	credentials: ICredentialDataDecryptedObject,
	lane: number,
): Promise<string> {
	const entry = laneOf(credentials, lane);
	return entry.sessionName ?? (await login(ctx, credentials, entry));
}

/** The lane's session died (INVALID_SESSIONID): a new one, unless another request already replaced it. */
export async function renewPoolSession(
	ctx: RenewalContext,
	credentials: ICredentialDataDecryptedObject,
	lane: number,
	deadSession: string,
): Promise<string> {
	const entry = laneOf(credentials, lane);
	if (entry.sessionName !== undefined && entry.sessionName !== deadSession) return entry.sessionName;
	entry.sessionName = undefined;
	return await login(ctx, credentials, entry);
}
