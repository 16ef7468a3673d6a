/**
 * The live suite's target: a real Vtiger named by the environment (never guessed from a port).
 *   VTIGER_URL, VTIGER_USERNAME, VTIGER_ACCESS_KEY        required; without them every live test is skipped
 *   VTIGER_USERNAME2, VTIGER_ACCESS_KEY2                    optional second, non-admin user
 *   VTIGER_SESSION_DIR                                       optional: the server's PHP session folder
 *                                                            (sess_<sessionName> files) for expiry tests
 * The suite touches only records it creates: every one carries `liveTag()` in a text field and is deleted
 * by `cleanup()` (records left by a crashed run are found by the tag prefix and deleted too).
 */
import type { INodeType } from 'n8n-workflow';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';

import { createHarness, type Harness, type HarnessOptions } from '../support/harness';

export interface LiveTarget {
	url: string;
	username: string;
	accessKey: string;
	user2?: { username: string; accessKey: string };
	sessionDir?: string;
}

export function liveTarget(): LiveTarget | undefined {
	const { VTIGER_URL, VTIGER_USERNAME, VTIGER_ACCESS_KEY } = process.env;
	if (!VTIGER_URL || !VTIGER_USERNAME || !VTIGER_ACCESS_KEY) return undefined;
	const { VTIGER_USERNAME2, VTIGER_ACCESS_KEY2, VTIGER_SESSION_DIR } = process.env;
	return {
		url: VTIGER_URL,
		username: VTIGER_USERNAME,
		accessKey: VTIGER_ACCESS_KEY,
		user2:
			VTIGER_USERNAME2 && VTIGER_ACCESS_KEY2
				? { username: VTIGER_USERNAME2, accessKey: VTIGER_ACCESS_KEY2 }
				: undefined,
		sessionDir: VTIGER_SESSION_DIR || undefined,
	};
}

const target = liveTarget();

/** `describe` that runs only when a live target is configured (and says so when it is not). */
export const describeLive: jest.Describe = target
	? describe
	: (((name: string, fn: () => void) =>
			describe.skip(`${String(name)} (skipped: VTIGER_URL, VTIGER_USERNAME, VTIGER_ACCESS_KEY not set)`, fn)) as unknown as jest.Describe);

/** The tag every record of this run carries; `LIVE_TAG_PREFIX` finds leftovers of earlier runs. */
export const LIVE_TAG_PREFIX = 'n8nlive';
const runTag = `${LIVE_TAG_PREFIX}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
export function liveTag(suffix = ''): string {
	return suffix ? `${runTag}-${suffix}` : runTag;
}

const DIST = resolve(__dirname, '../../dist/nodes/Vtiger');

/** The built nodes (dist/), as n8n loads them from the installed package. `npm run test:live` builds first. */
export function builtNodeTypes(): Record<string, INodeType> {
	if (!existsSync(`${DIST}/Vtiger.node.js`)) {
		throw new Error(`dist/ is missing: run "npm run build" (npm run test:live does it)`);
	}
	const { Vtiger } = require(`${DIST}/Vtiger.node.js`) as { Vtiger: new () => INodeType };
	const { VtigerTrigger } = require(`${DIST}/VtigerTrigger.node.js`) as { VtigerTrigger: new () => INodeType };
	return { vtiger: new Vtiger(), vtigerTrigger: new VtigerTrigger() };
}

/** A harness on the live target with the built nodes and the built credential. */
export function liveHarness(user: 'admin' | 'user2' = 'admin', extra: Partial<HarnessOptions> = {}): Harness {
	if (!target) throw new Error('no live target configured');
	const who = user === 'user2' ? target.user2 : { username: target.username, accessKey: target.accessKey };
	if (!who) throw new Error('VTIGER_USERNAME2 / VTIGER_ACCESS_KEY2 not set');
	const { VtigerApi } = require(resolve(__dirname, '../../dist/credentials/VtigerApi.credentials.js')) as {
		VtigerApi: new () => HarnessOptions['credentialType'];
	};
	return createHarness({
		baseUrl: target.url,
		username: who.username,
		accessKey: who.accessKey,
		nodeTypes: builtNodeTypes(),
		credentialType: new VtigerApi(),
		...extra,
	});
}

// ---------------------------------------------------------------------------------------------------------
// Raw webservice client for fixtures, cleanup and capability probes: independent of the node under test, so a
// node defect cannot hide a fixture failure or leave records behind.

export interface LiveAnswer {
	status: number;
	text: string;
	body?: { success?: boolean; result?: unknown; error?: { code?: string; message?: string } };
}

export interface LiveClient {
	username: string;
	userId: string;
	sessionName: string;
	/** One request; GET operations in the query string, others form-encoded; objects JSON-encoded. */
	send(operation: string, params?: Record<string, unknown>, method?: 'GET' | 'POST'): Promise<LiveAnswer>;
	/** `result` of a successful answer; throws with Vtiger's code otherwise. */
	call<T = unknown>(operation: string, params?: Record<string, unknown>, method?: 'GET' | 'POST'): Promise<T>;
}

const GET_OPERATIONS = [
	'getchallenge', 'retrieve', 'sync', 'query', 'listtypes', 'describe', 'retrieve_inventory', 'relatedtypes',
	'retrieve_related', 'query_related', 'files_retrieve', 'gettranslation',
];

async function rawSend(url: string, operation: string, params: Record<string, unknown>, method?: 'GET' | 'POST'): Promise<LiveAnswer> {
	const form = new URLSearchParams({ operation });
	for (const [key, value] of Object.entries(params)) {
		if (value === undefined) continue;
		form.set(key, typeof value === 'string' ? value : JSON.stringify(value));
	}
	const verb = method ?? (GET_OPERATIONS.includes(operation.toLowerCase()) ? 'GET' : 'POST');
	const response =
		verb === 'GET'
			? await fetch(`${webservice(url)}?${form.toString()}`)
			: await fetch(webservice(url), { method: 'POST', body: form });
	const text = await response.text();
	let body: LiveAnswer['body'];
	try {
		body = JSON.parse(text) as LiveAnswer['body'];
	} catch {
		body = undefined;
	}
	return { status: response.status, text, body };
}

function webservice(url: string): string {
	const base = url.trim().replace(/\/+$/, '').replace(/\/webservice\.php$/, '');
	return `${base}/webservice.php`;
}

function failureText(operation: string, answer: LiveAnswer): string {
	if (answer.body?.error) return `${operation}: ${answer.body.error.code} ${answer.body.error.message}`;
	return `${operation}: HTTP ${answer.status} ${answer.text.slice(0, 120) || '(empty body)'}`;
}

/** A logged-in raw client for the target's admin (or second user). */
export async function liveClient(user: 'admin' | 'user2' = 'admin'): Promise<LiveClient> {
	if (!target) throw new Error('no live target configured');
	const who = user === 'user2' ? target.user2 : { username: target.username, accessKey: target.accessKey };
	if (!who) throw new Error('VTIGER_USERNAME2 / VTIGER_ACCESS_KEY2 not set');
	const url = target.url;
	const { createHash } = await import('node:crypto');
	let login: LiveAnswer | undefined;
	for (let attempt = 0; attempt < 5; attempt++) {
		// a parallel login of the same user replaces the challenge token (README: login races)
		const challenge = await rawSend(url, 'getchallenge', { username: who.username });
		const token = (challenge.body?.result as { token?: string } | undefined)?.token;
		if (!token) throw new Error(failureText('getchallenge', challenge));
		const accessKey = createHash('md5').update(token + who.accessKey).digest('hex');
		login = await rawSend(url, 'login', { username: who.username, accessKey });
		if (login.body?.success) break;
		await new Promise((done) => setTimeout(done, 100 + Math.random() * 300));
	}
	if (!login?.body?.success) throw new Error(failureText('login', login!));
	const { sessionName, userId } = login.body.result as { sessionName: string; userId: string };
	const client: LiveClient = {
		username: who.username,
		userId,
		sessionName,
		send: async (operation, params = {}, method) => await rawSend(url, operation, { sessionName, ...params }, method),
		call: async <T>(operation: string, params: Record<string, unknown> = {}, method?: 'GET' | 'POST') => {
			const answer = await client.send(operation, params, method);
			if (!answer.body?.success) throw new Error(failureText(operation, answer));
			return answer.body.result as T;
		},
	};
	return client;
}

// ---------------------------------------------------------------------------------------------------------
// Records of a run: tagged, tracked, deleted.

/** The text field each module's live records carry their tag in (the field a user sees as the record's name). */
export const LIVE_TAG_FIELDS: Record<string, string> = {
	Contacts: 'lastname',
	Leads: 'lastname',
	Accounts: 'accountname',
	Potentials: 'potentialname',
	HelpDesk: 'ticket_title',
	Documents: 'notes_title',
	Products: 'productname',
	Services: 'servicename',
	Vendors: 'vendorname',
	Campaigns: 'campaignname',
	Project: 'projectname',
	Quotes: 'subject',
	SalesOrder: 'subject',
	PurchaseOrder: 'subject',
	Invoice: 'subject',
	Events: 'subject',
	Calendar: 'subject',
	Faq: 'question',
	Assets: 'assetname',
};

/** Records left by runs that started this long ago are leftovers of crashed runs (younger ones may still run). */
const LEFTOVER_AGE_MS = 60 * 60 * 1000;

function tagTime(text: string): number | undefined {
	const match = new RegExp(`${LIVE_TAG_PREFIX}-([0-9a-z]+)-`).exec(text);
	return match ? parseInt(match[1], 36) : undefined;
}

/**
 * Tracks the records a test file creates and deletes them (afterAll). `sweep()` also finds, by the tag field,
 * records of this run that were created by the node without being tracked (e.g. a test that failed halfway)
 * and leftovers of runs older than an hour.
 */
export class LiveRecords {
	private ids = new Set<string>();

	constructor(private readonly modules: string[] = ['Contacts', 'Accounts', 'Leads']) {}

	track<T>(id: T): T {
		if (typeof id === 'string' && /^\d+x\d+$/.test(id)) this.ids.add(id);
		return id;
	}

	async cleanup(client?: LiveClient): Promise<string[]> {
		if (!target) return [];
		const c = client ?? (await liveClient());
		for (const module of this.modules) {
			const field = LIVE_TAG_FIELDS[module];
			if (!field) continue;
			const answer = await c.send('query', {
				query: `SELECT id, ${field} FROM ${module} WHERE ${field} LIKE '%${LIVE_TAG_PREFIX}-%' LIMIT 100;`,
			});
			const rows = (answer.body?.success ? answer.body.result : []) as Array<Record<string, string>>;
			for (const row of rows) {
				const text = String(row[field] ?? '');
				const at = tagTime(text);
				if (text.includes(liveTag()) || (at !== undefined && Date.now() - at > LEFTOVER_AGE_MS)) this.ids.add(row.id);
			}
		}
		const failed: string[] = [];
		for (const id of this.ids) {
			const answer = await c.send('delete', { id });
			const code = answer.body?.error?.code;
			// already deleted (by the test itself) is fine
			if (!answer.body?.success && !/ACCESS_DENIED|RECORD_NOT_FOUND|DELETED/i.test(`${code} ${answer.body?.error?.message}`)) failed.push(id);
		}
		this.ids.clear();
		return failed;
	}
}

// ---------------------------------------------------------------------------------------------------------
// Session expiry and capabilities.

/** Deletes the PHP session file of the harness's stored session: Vtiger's idle expiry. False without a session dir. */
export function expireSession(sessionName: string): boolean {
	if (!target?.sessionDir || !sessionName) return false;
	const { rmSync } = require('node:fs') as typeof import('node:fs');
	const file = `${target.sessionDir}/sess_${sessionName}`;
	if (!existsSync(file)) throw new Error(`no session file ${file}: is VTIGER_SESSION_DIR the server's session folder?`);
	rmSync(file);
	return true;
}

export interface LiveCapabilities {
	/** `sync` answers (stock 8.3.0 on PHP 8 crashes with HTTP 500). */
	sync: boolean;
	logout: boolean;
	convertLead: boolean;
	retrieveInventory: boolean;
	filesRetrieve: boolean;
	/** The second user sees entity modules (stock 8.3.0 lists none to non-admins: Vtiger issue #1934). */
	user2Entities?: boolean;
}

const crashed = (answer: LiveAnswer) => answer.status >= 500 && answer.text.trim() === '';

let capabilities: Promise<LiveCapabilities> | undefined;

/**
 * What this server can do, from its answers to harmless requests (never from the port): an operation whose
 * parameter handling crashes answers HTTP 500 with an empty body even for a record that does not exist.
 */
export function liveCapabilities(): Promise<LiveCapabilities> {
	capabilities ??= (async () => {
		const c = await liveClient();
		const sync = await c.send('sync', { modifiedTime: Math.floor(Date.now() / 1000), elementType: 'Contacts' });
		const inventory = await c.send('retrieve_inventory', { id: '4x999999999' });
		const files = await c.send('files_retrieve', { id: '15x999999999' });
		const convert = await c.send('convertlead', { element: { leadId: '10x999999999', entities: {} } });
		const probe = await liveClient();
		const logout = await probe.send('logout', {});
		let user2Entities: boolean | undefined;
		if (target?.user2) {
			const types = await (await liveClient('user2')).call<{ types: string[] }>('listtypes', {});
			user2Entities = types.types.includes('Contacts');
		}
		return {
			sync: !crashed(sync),
			logout: !crashed(logout),
			convertLead: !crashed(convert),
			retrieveInventory: !crashed(inventory),
			filesRetrieve: !crashed(files),
			user2Entities,
		};
	})();
	return capabilities;
}

/** `it` when the condition holds, else `it.skip` (with the reason in the name). */
export function itIf(condition: boolean, reason: string): jest.It {
	return condition ? it : (((name: string, fn?: jest.ProvidesCallback, timeout?: number) =>
		it.skip(`${name} (skipped: ${reason})`, fn, timeout)) as unknown as jest.It);
}
