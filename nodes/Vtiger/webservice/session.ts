import { createHash } from 'node:crypto';

import { sleep, UserError } from 'n8n-workflow';
import type {
	IAllExecuteFunctions,
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
} from 'n8n-workflow';

import { readVtigerResponse } from './envelope';
import type { VtigerFailure } from './envelope';
import { describeVtigerFailure, markFailure, scrubSecrets } from './errors';
import { normalizeBaseUrl, webserviceUrl } from './url';
import { runSerially } from './keyedLock';

export const VTIGER_CREDENTIAL_TYPE = 'vtigerApi';

/** Attempts of challenge + login before a rejection counts as a wrong user name or access key. */
export const LOGIN_ATTEMPTS = 4;
const RETRY_PAUSE_MIN_MS = 50;
const RETRY_PAUSE_SPREAD_MS = 250;

export interface VtigerSession {
	sessionName: string;
	userId: string;
}

type HttpRequest = (options: IHttpRequestOptions) => Promise<unknown>;

/**
 * A new getchallenge for a user replaces that user's previous token, so a login racing another
 * client's challenge is refused with INVALID_USER_CREDENTIALS, exactly like a wrong key
 * (02_auth_session.jsonl); an expired token gives INVALID_AUTH_TOKEN. Both are worth a fresh try.
 */
const RACE_CODES = ['INVALID_USER_CREDENTIALS', 'INVALID_AUTH_TOKEN'];

const logins = new Map<string, Promise<VtigerSession>>();

/** One CRM, user and access key: the key of logins, renewals and the session pool. */
export function credentialKey(credentials: ICredentialDataDecryptedObject): string {
	const keyDigest = createHash('sha256')
		.update(String(credentials.secretAccessKey ?? ''))
		.digest('hex');
	return [
		normalizeBaseUrl(credentials.url).toLowerCase(),
		String(credentials.username ?? '').toLowerCase(),
		keyDigest,
	].join('\n');
}

function loginError(failure: VtigerFailure, attempts: number, secrets: unknown[]): UserError {
	const marked: VtigerFailure = { ...failure, loginAttempts: attempts };
	const { message, description } = describeVtigerFailure(marked);
	const error = new UserError(scrubSecrets(message, secrets), {
		description: scrubSecrets(description, secrets),
	});
	markFailure(error, marked);
	return error;
}

async function callVtiger(
	httpRequest: HttpRequest,
	request: IHttpRequestOptions,
	operation: string,
): Promise<{ ok: true; result: unknown } | { ok: false; failure: VtigerFailure }> {
	let response: IN8nHttpFullResponse;
	try {
		response = (await httpRequest({
			...request,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		const value = (error ?? {}) as { code?: unknown; message?: unknown };
		return {
			ok: false,
			failure: {
				kind: 'network',
				operation,
				code: typeof value.code === 'string' ? value.code : undefined,
				detail: typeof value.message === 'string' ? scrubSecrets(value.message).slice(0, 200) : undefined,
			},
		};
	}
	return readVtigerResponse(operation, response.statusCode, response.body);
}

async function loginOnce(
	httpRequest: HttpRequest,
	credentials: ICredentialDataDecryptedObject,
): Promise<VtigerSession> {
	const url = webserviceUrl(credentials.url);
	const username = String(credentials.username ?? '').trim();
	const accessKey = String(credentials.secretAccessKey ?? '').trim();
	const skipSslCertificateValidation = credentials.ignoreSslIssues === true;
	const secrets = [accessKey];

	let lastFailure: VtigerFailure | undefined;
	for (let attempt = 1; attempt <= LOGIN_ATTEMPTS; attempt++) {
		const challenge = await callVtiger(
			httpRequest,
			{
				method: 'GET',
				url,
				qs: { operation: 'getchallenge', username },
				skipSslCertificateValidation,
			},
			'getchallenge',
		);
		if (!challenge.ok) throw loginError(challenge.failure, attempt, secrets);
		const token = String((challenge.result as IDataObject | null)?.token ?? '');

		const digest = createHash('md5')
			.update(token + accessKey)
			.digest('hex');
		const login = await callVtiger(
			httpRequest,
			{
				method: 'POST',
				url,
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ operation: 'login', username, accessKey: digest }).toString(),
				skipSslCertificateValidation,
			},
			'login',
		);
		if (login.ok) {
			const result = (login.result ?? {}) as IDataObject;
			// Some forks document the answer as `sessionId` (README "Login and sessions").
			const sessionName = String(result.sessionName ?? result.sessionId ?? '');
			if (sessionName === '') {
				throw loginError(
					{ kind: 'notEnvelope', operation: 'login', detail: 'the answer carried no sessionName' },
					attempt,
					secrets,
				);
			}
			return { sessionName, userId: String(result.userId ?? '') };
		}
		lastFailure = login.failure;
		if (!RACE_CODES.includes(login.failure.code ?? '') || attempt === LOGIN_ATTEMPTS) break;
		await sleep(RETRY_PAUSE_MIN_MS + Math.floor(Math.random() * RETRY_PAUSE_SPREAD_MS));
	}
	throw loginError(lastFailure as VtigerFailure, LOGIN_ATTEMPTS, secrets);
}

/**
 * getchallenge + login, shared by every caller in this process that logs in as the same user
 * of the same CRM at the same time (their challenges would otherwise replace each other's token).
 * Logins of one user on one CRM run one at a time (runSerially on the credential's key), the pool's too.
 */
export async function loginToVtiger(
	httpRequest: HttpRequest,
	credentials: ICredentialDataDecryptedObject,
): Promise<VtigerSession> {
	const key = credentialKey(credentials);
	const running = logins.get(key);
	if (running) return await running;
	const flight = runSerially(key, async () => await loginOnce(httpRequest, credentials));
	logins.set(key, flight);
	try {
		return await flight;
	} finally {
		logins.delete(key);
	}
}

/** A session of its own (not shared with other callers), for the session pool; logins still one at a time. */
export async function loginSeparately(
	httpRequest: HttpRequest,
	credentials: ICredentialDataDecryptedObject,
): Promise<VtigerSession> {
	return await runSerially(credentialKey(credentials), async () => await loginOnce(httpRequest, credentials));
}

/** A context that can renew the session n8n keeps for the credential: any of a node's. */
export type RenewalContext = IAllExecuteFunctions;

/** The credential as n8n's `credentialsDecrypted` option wants it, with these data. */
export function credentialsFor(ctx: RenewalContext, data: ICredentialDataDecryptedObject): IDataObject {
	const reference = ctx.getNode().credentials?.[VTIGER_CREDENTIAL_TYPE];
	return {
		credentialsDecrypted: {
			id: reference?.id ?? '',
			name: reference?.name ?? '',
			type: VTIGER_CREDENTIAL_TYPE,
			data,
		},
	};
}

const renewals = new Map<string, Promise<void>>();

/** Renewals in flight per stored credential, so requests about to start can wait for the new session. */
const renewalsByCredential = new Map<string, Promise<void>>();

function credentialIdOf(ctx: RenewalContext): string {
	return ctx.getNode().credentials?.[VTIGER_CREDENTIAL_TYPE]?.id ?? '';
}

/**
 * Waits for a renewal of this node's credential that is already under way: a request sent now
 * would carry the session Vtiger just dropped and cost a request for nothing.
 */
export async function waitForSessionRenewal(ctx: RenewalContext): Promise<void> {
	const pending = renewalsByCredential.get(credentialIdOf(ctx));
	if (pending) await pending.catch(() => undefined);
}

/**
 * Sends a request through n8n with these credential data (`undefined`: the stored credential, as n8n
 * reads it). Handing n8n the credential with an empty sessionName makes it run preAuthentication
 * before the request and store the new session.
 */
export type SendWithCredentials<T> = (credentials: ICredentialDataDecryptedObject | undefined) => Promise<T>;

/**
 * Vtiger answers a dead session with HTTP 200 + INVALID_SESSIONID, so n8n (which refreshes only
 * on HTTP 401) never renews it. The retry itself goes out with the credential's sessionName emptied:
 * n8n logs in (preAuthentication), stores the new session for later executions and sends the retry
 * with it: the failed request, getchallenge, login, the retry. Every caller that saw the same dead
 * session waits for that one renewal and retries with the stored session. A request that cannot carry
 * other credential data (`carries` false: a routed operation with declarative postReceive actions
 * that only RoutingNode can run) gets the new session through a `listtypes` probe instead (5 requests).
 */
export async function renewSessionAndRetry<T>(
	ctx: RenewalContext,
	deadSession: string | undefined,
	send: SendWithCredentials<T>,
	carries = true,
): Promise<T> {
	const current = await ctx.getCredentials(VTIGER_CREDENTIAL_TYPE);
	const stored = String(current.sessionName ?? '');
	if (deadSession !== undefined && stored !== '' && stored !== deadSession) return await send(undefined);

	const key = `${credentialKey(current)}\n${deadSession ?? stored}`;
	const running = renewals.get(key);
	if (running) {
		await running.catch(() => undefined);
		return await send(undefined);
	}

	const flight = carries
		? send({ ...current, sessionName: '' })
		: probeWithNewSession(ctx, current).then(async () => await send(undefined));
	const done = flight.then(
		() => undefined,
		() => undefined,
	);
	const credentialId = credentialIdOf(ctx);
	renewals.set(key, done);
	renewalsByCredential.set(credentialId, done);
	try {
		return await flight;
	} finally {
		renewals.delete(key);
		if (renewalsByCredential.get(credentialId) === done) renewalsByCredential.delete(credentialId);
	}
}

async function probeWithNewSession(ctx: RenewalContext, current: ICredentialDataDecryptedObject): Promise<void> {
	const probe: IHttpRequestOptions = {
		method: 'GET',
		url: webserviceUrl(current.url),
		qs: { operation: 'listtypes' },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		skipSslCertificateValidation: current.ignoreSslIssues === true,
	};
	await ctx.helpers.httpRequestWithAuthentication.call(
		ctx,
		VTIGER_CREDENTIAL_TYPE,
		probe,
		credentialsFor(ctx, { ...current, sessionName: '' }),
	);
}
