import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { withCrmSlot } from './concurrency';
import type { RequestSettings } from './concurrency';
import type { VtigerFailure } from './envelope';
import { failureFromThrown, isSessionFailure } from './errors';
import { renewSessionAndRetry, VTIGER_CREDENTIAL_TYPE, waitForSessionRenewal } from './session';
import type { RenewalContext, SendWithCredentials } from './session';
import { poolSession, renewPoolSession } from './sessionPool';

export interface SessionAttempt<T> {
	value?: T;
	failure?: VtigerFailure;
	/** the sessionName the request went out with */
	used?: unknown;
}

export interface LaneSettings extends RequestSettings {
	/** The CRM the requests go to: one concurrency gate per CRM. */
	crm: string;
	/** Whether `send` can go out with other credential data (a pool session, an emptied session). */
	carriesCredentials: boolean;
}

/**
 * One Vtiger request for the node, the trigger or the methods: at most Max Concurrent Requests per
 * CRM in flight; a request running alone goes out on the session n8n stores, one running beside
 * others on a session of the pool (when on); a dead session is renewed once and the request retried.
 * The slot is held through renewal and retry: a retry queued behind every other item would often
 * meet the next dead session instead of the new one.
 */
export async function sendOnSession<T>(
	ctx: RenewalContext,
	settings: LaneSettings,
	send: SendWithCredentials<SessionAttempt<T>>,
): Promise<SessionAttempt<T>> {
	return await withCrmSlot(settings.crm, settings.maxConcurrency, async (lane) => {
		if (lane > 0 && settings.sessionPool && settings.carriesCredentials) {
			const credentials = await storedCredentials(ctx);
			// the pool grows only from a credential that has logged in: a wrong key fails once, not per lane
			if (credentials && String(credentials.sessionName ?? '') !== '') {
				return await sendOnPoolSession(ctx, credentials, lane, send);
			}
		}
		await waitForSessionRenewal(ctx);
		const first = await send(undefined);
		if (!isSessionFailure(first.failure)) return first;
		return await renewSessionAndRetry(
			ctx,
			typeof first.used === 'string' ? first.used : undefined,
			send,
			settings.carriesCredentials,
		);
	});
}

async function storedCredentials(ctx: RenewalContext): Promise<ICredentialDataDecryptedObject | undefined> {
	try {
		return await ctx.getCredentials<ICredentialDataDecryptedObject>(VTIGER_CREDENTIAL_TYPE);
	} catch {
		return undefined;
	}
}

async function sendOnPoolSession<T>(
	ctx: RenewalContext,
	credentials: ICredentialDataDecryptedObject,
	lane: number,
	send: SendWithCredentials<SessionAttempt<T>>,
): Promise<SessionAttempt<T>> {
	let session: string;
	try {
		session = await poolSession(ctx, credentials, lane);
	} catch (error) {
		return { failure: failureFromThrown('login', error) };
	}
	const first = await send({ ...credentials, sessionName: session });
	if (!isSessionFailure(first.failure)) return first;
	try {
		session = await renewPoolSession(ctx, credentials, lane, session);
	} catch (error) {
		return { failure: failureFromThrown('login', error), used: first.used };
	}
	return await send({ ...credentials, sessionName: session });
}
