/**
 * The Vtiger Instant Trigger in a real n8n (2.41, started as the e2e suite starts it) against the lab's Vtiger
 * with the n8n Connector extension installed (issue #21's targets, measured, not asserted):
 *   bash scripts/node24.sh node node_modules/tsx/dist/cli.mjs bench/instant.ts [--server stock|positional|URL]
 *        [--saves 50] [--webui 10] [--spacing MS] [--changes 500] [--down MINUTES] [--stop kill|clean]
 *        [--cron service|all|none] [--cron-every S] [--settle MINUTES] [--crash-again N] [--only latency|outage|startup]
 *        [--no-build] [--out NAME]
 * 1. n8n starts with a workflow holding only the Instant Trigger (Contacts; created, updated, deleted, restored),
 *    activated through n8n's REST API as the editor's toggle does; 127.0.0.1 is allowed as a destination
 *    (n8n_settings) for the run and the allow-list put back afterwards.
 * 2. latency: `--saves` webservice creates and `--webui` web-UI creates (the Contacts edit form posted as a browser
 *    does), `--spacing` ms apart; for each, the save's response -> the execution's startedAt in n8n's database.
 * 3. outage: n8n is stopped (`--stop kill`: SIGKILL to n8n and its task runner, as a crash; `clean`: SIGTERM,
 *    n8n's own shutdown), `--changes` creates, updates and deletes of tagged Contacts are made over `--down`
 *    minutes (some records changed several times, each update writing its change number into `description`),
 *    n8n starts again on the same database, and the bench waits (at most `--settle` minutes) until every event
 *    arrived (`--crash-again N`: n8n is killed once more, and started at once, when N of them have arrived, in the
 *    middle of the backlog's deliveries). Vtiger's scheduler runs as a system cron would: `php vtigercron.php` in the stock tree every
 *    `--cron-every` seconds (default 60, the task's frequency) from the stop on; `--cron service` (default) runs
 *    only the extension's task (vtigercron.php's own `service` switch: the lab is shared and the other tasks
 *    write to others' records), `all` every task, `none` no cron at all.
 * Reports events expected, executions seen, missing, seen twice, out of order per record, time from n8n back to
 * the last event, what the subscription went through (Vtiger's database) and what n8n answered while starting.
 * Writes bench/lab/instant-<name>.json and .md. Every record carries a tag and is deleted at the end (after the
 * workflow is deactivated).
 */
import { execFile } from 'node:child_process';
import * as crypto from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import globalSetup from '../test/e2e/globalSetup';
import { N8n, type WorkflowJson } from '../test/e2e/helpers/n8n';
import { stateFile } from '../test/e2e/helpers/paths';
import { CREDENTIAL_TYPE, PACKAGE, n8nId, vtigerCredential } from '../test/e2e/helpers/workflow';
import { signIn } from '../test/live/webui';

import { arg, flag, LAB_DIR, labEnv as env, URL } from './labArgs';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const SAVES = Number(arg('saves', '50'));
const WEBUI = Number(arg('webui', '10'));
const SPACING_MS = Number(arg('spacing', '1500'));
const CHANGES = Number(arg('changes', '500'));
const DOWN_MINUTES = Number(arg('down', '10'));
const STOP = arg('stop', 'kill') as 'kill' | 'clean';
const CRON = arg('cron', 'service') as 'service' | 'all' | 'none';
const CRON_EVERY_S = Number(arg('cron-every', '60'));
const SETTLE_MINUTES = Number(arg('settle', '15'));
const ONLY = arg('only', '');
/** kill n8n once more when this many of the run's events arrived after the restart (0: no second crash) */
const CRASH_AGAIN = Number(arg('crash-again', '0'));
const OUT = arg('out', ONLY === 'startup' ? 'instant-startup' : `instant-${STOP}-${CHANGES}x${DOWN_MINUTES}min${CRASH_AGAIN ? `-killed-again-at-${CRASH_AGAIN}` : ''}`);
const TAG = `n8nbench-inst-${Date.now().toString(36)}`;
const STOCK_TREE = `${LAB_DIR}/vtiger`;
const CRON_SERVICE = 'N8nConnector delivery';
const TRIGGER = 'Vtiger Instant Trigger';

const started = Date.now();
const log = (message: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(7)} s] ${message}`);

// ---- Vtiger's webservice, as another integration writes to it -----------------------------------------------
interface Answer {
	success: boolean;
	result?: Record<string, unknown>;
	error?: { code: string; message: string };
}
let sessionName = '';
let untimedRetries = 0;
async function send(operation: string, params: Record<string, unknown>, method: 'GET' | 'POST'): Promise<Answer> {
	const form = new URLSearchParams({ operation, ...(sessionName ? { sessionName } : {}) });
	for (const [k, v] of Object.entries(params)) form.set(k, typeof v === 'string' ? v : JSON.stringify(v));
	const response = method === 'GET' ? await fetch(`${URL}?${form.toString()}`) : await fetch(URL, { method: 'POST', body: form });
	return (await response.json()) as Answer;
}
/** One call; a connection the shared lab dropped (its servers restart when anyone installs a module) is retried. */
async function call(operation: string, params: Record<string, unknown>, method: 'GET' | 'POST' = 'POST'): Promise<Record<string, unknown>> {
	let answer: Answer | undefined;
	for (let attempt = 1; !answer; attempt++) {
		try {
			answer = await send(operation, params, method);
		} catch (e) {
			if (attempt >= 10) throw e;
			untimedRetries++;
			await sleep(1000);
		}
	}
	if (!answer.success && answer.error?.code === 'INVALID_SESSIONID' && operation !== 'login') {
		await login();
		answer = await send(operation, params, method);
	}
	if (!answer.success) throw new Error(`${operation}: ${answer.error?.code} ${answer.error?.message}`);
	return answer.result!;
}
async function login(): Promise<void> {
	sessionName = '';
	const challenge = await call('getchallenge', { username: env.VT_USER }, 'GET');
	const key = crypto.createHash('md5').update(String(challenge.token) + env.VT_ACCESSKEY).digest('hex');
	sessionName = String((await call('login', { username: env.VT_USER, accessKey: key })).sessionName);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (values: number[], q: number) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN;
};
const round = (n: number) => Math.round(n * 10) / 10;
/** A fixed sequence of "random" choices: two runs with the same numbers make the same changes. */
function rng(seed: number): () => number {
	let s = seed >>> 0;
	return () => {
		s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
		s ^= s + Math.imul(s ^ (s >>> 7), 61 | s);
		return ((s ^ (s >>> 14)) >>> 0) / 4294967296;
	};
}

// ---- the lab's database: the extension's subscription as Vtiger sees it ---------------------------------------
async function sql(query: string): Promise<string[][]> {
	const { stdout } = await run('mariadb', [`--socket=${env.VT_DB_SOCKET}`, `-u${env.VT_DB_USER}`, `-p${env.VT_DB_PASSWORD}`, '-N', '-B', env.VT_DB_NAME, '-e', query]);
	return stdout.split('\n').filter(Boolean).map((line) => line.split('\t'));
}
interface SubscriptionState {
	id: string;
	status: string;
	failures: number;
	nextAttemptIn: number | null;
	lastError: string;
	pending: number;
}
async function subscriptionsFor(webhookUrl: string): Promise<SubscriptionState[]> {
	const rows = await sql(
		`SELECT s.id, s.status, s.failures, IFNULL(CAST(s.next_attempt_at AS SIGNED) - UNIX_TIMESTAMP(), 'NULL'), IFNULL(s.last_error, ''),
		(SELECT COUNT(*) FROM vtiger_n8nconnector_deliveries d WHERE d.subscription_id = s.id AND d.status = 'pending')
		FROM vtiger_n8nconnector_subscriptions s WHERE s.url = '${webhookUrl.replace(/'/g, "''")}' ORDER BY s.id`,
	);
	return rows.map(([id, status, failures, next, lastError, pending]) => ({
		id,
		status,
		failures: Number(failures),
		nextAttemptIn: next === 'NULL' ? null : Number(next),
		lastError: lastError === 'NULL' ? '' : lastError,
		pending: Number(pending),
	}));
}

// ---- n8n's database: executions of the workflow ---------------------------------------------------------------
interface SqliteDb {
	all(sql: string, params: unknown[], cb: (error: Error | null, rows: Array<Record<string, unknown>>) => void): void;
	close(cb?: () => void): void;
}
interface Execution {
	id: number;
	startedAt: number;
	status: string;
	mode: string;
	items: Array<Record<string, unknown>>;
}
class Executions {
	readonly byId = new Map<number, Execution>();
	private readonly sqlite: { Database: new (file: string, mode: number, cb: (e: Error | null) => void) => SqliteDb; OPEN_READONLY: number };
	constructor(private readonly n8n: N8n, private readonly workflowId: string) {
		this.sqlite = require(join(n8n.state.n8nDir, 'node_modules', 'sqlite3')) as Executions['sqlite'];
	}
	private query(sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>> {
		const file = join(this.n8n.userFolder, '.n8n', 'database.sqlite');
		return new Promise((done, fail) => {
			const db = new this.sqlite.Database(file, this.sqlite.OPEN_READONLY, (error) => {
				if (error) return fail(error);
				db.all(sql, params, (e, r) => db.close(() => (e ? fail(e) : done(r))));
			});
		});
	}
	/** Reads the finished executions not read yet (and their items) from n8n's SQLite database. */
	async refresh(): Promise<void> {
		const finished = await this.query(
			`SELECT id FROM execution_entity WHERE workflowId = ? AND status NOT IN ('new', 'running', 'waiting') ORDER BY id`,
			[this.workflowId],
		);
		const fresh = finished.map((row) => Number(row.id)).filter((id) => !this.byId.has(id));
		if (!fresh.length) return;
		const rows = await this.query(
			`SELECT e.id, e.startedAt, e.status, e.mode, d.data FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id
			WHERE e.id IN (${fresh.join(',')}) ORDER BY e.id`,
			[],
		);
		for (const row of rows) {
			const id = Number(row.id);
			let items: Array<Record<string, unknown>> = [];
			if (typeof row.data === 'string') {
				const data = this.n8n.parseFlatted<{ resultData: { runData: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }>> } }>> } }>(row.data);
				items = (data.resultData.runData[TRIGGER]?.[0]?.data?.main?.[0] ?? []).map((item) => item.json);
			}
			this.byId.set(id, { id, startedAt: Date.parse(`${String(row.startedAt).replace(' ', 'T')}Z`), status: String(row.status), mode: String(row.mode), items });
		}
	}
	/** Items of this run's records, in execution order, with the execution's start. */
	itemsOf(ids: Set<string>): Array<{ execution: number; startedAt: number; json: Record<string, unknown> }> {
		const out: Array<{ execution: number; startedAt: number; json: Record<string, unknown> }> = [];
		for (const execution of [...this.byId.values()].sort((a, b) => a.id - b.id)) {
			for (const json of execution.items) if (ids.has(String(json.id))) out.push({ execution: execution.id, startedAt: execution.startedAt, json });
		}
		return out;
	}
}

// ---- what is expected, what arrived ---------------------------------------------------------------------------
interface Expected {
	event: 'created' | 'updated' | 'deleted';
	change: number;
}
interface Comparison {
	records: number;
	eventsExpected: number;
	eventsSeen: number;
	missing: number;
	seenTwice: number;
	outOfOrderRecords: number;
	examples: string[];
}
function compare(expected: Map<string, Expected[]>, seen: Array<{ json: Record<string, unknown> }>): Comparison {
	const byRecord = new Map<string, Array<Record<string, unknown>>>();
	for (const { json } of seen) byRecord.set(String(json.id), [...(byRecord.get(String(json.id)) ?? []), json]);
	let missing = 0;
	let twice = 0;
	let outOfOrder = 0;
	const examples: string[] = [];
	for (const [id, want] of expected) {
		const got = byRecord.get(id) ?? [];
		for (const event of ['created', 'updated', 'deleted']) {
			const w = want.filter((e) => e.event === event).length;
			const g = got.filter((json) => json.event === event).length;
			if (g < w) missing += w - g;
			if (g > w) twice += g - w;
			if (g !== w && examples.length < 10) examples.push(`${id}: ${event} expected ${w}, seen ${g}`);
		}
		// order: the events' kinds as made, and the change numbers the updates wrote never going back
		const kinds = got.map((json) => json.event).join(',');
		const numbers = got.map((json) => /change (\d+)/.exec(String(json.description ?? ''))?.[1]).filter(Boolean).map(Number);
		const backwards = numbers.some((n, i) => i > 0 && n < numbers[i - 1]);
		if (got.length === want.length && (kinds !== want.map((e) => e.event).join(',') || backwards)) {
			outOfOrder++;
			if (examples.length < 10) examples.push(`${id}: made ${want.map((e) => `${e.event}#${e.change}`).join(',')}, seen ${kinds} ${numbers.join(',')}`);
		}
	}
	return {
		records: expected.size,
		eventsExpected: [...expected.values()].reduce((n, list) => n + list.length, 0),
		eventsSeen: seen.length,
		missing,
		seenTwice: twice,
		outOfOrderRecords: outOfOrder,
		examples,
	};
}

// ---- a retry landing while n8n starts ------------------------------------------------------------------------
/**
 * `--only startup`: n8n is killed, one Contact is created (its delivery fails: the subscription waits 10 s), n8n is
 * started again and, the moment its webhook URL answers n8n's "n8n is starting up" page, the subscription's retry is
 * made due (its next_attempt_at in Vtiger's table, this run's subscription only) and the extension's delivery
 * endpoint is requested, as a save's delivery start does: as when a supervisor restarts a crashed n8n and Vtiger's
 * 10-second retry falls into its start. Every event must still arrive.
 */
async function startupPhase(n8n: N8n, executions: Executions, webhookUrl: string, userId: string, allIds: Set<string>, live: Set<string>): Promise<Record<string, unknown>> {
	const t0 = Date.now();
	const timeline: Array<{ t: number; what: string }> = [];
	const mark = (what: string) => {
		timeline.push({ t: round((Date.now() - t0) / 1000), what });
		log(what);
	};
	const subscription = async () => (await subscriptionsFor(webhookUrl))[0];
	await n8n.kill();
	mark('n8n killed');
	const created = await call('create', { elementType: 'Contacts', element: { lastname: `${TAG}-start-0`, assigned_user_id: userId } });
	const id = String(created.id);
	allIds.add(id);
	live.add(id);
	const expected = new Map<string, Expected[]>([[id, [{ event: 'created', change: 0 }]]]);
	for (let i = 0; i < 60 && (await subscription()).failures < 1; i++) await sleep(500);
	const failing = await subscription();
	mark(`subscription: failures=${failing.failures} next=${String(failing.nextAttemptIn)}s ${failing.lastError}`);
	const token = (await sql("SELECT value FROM vtiger_n8nconnector_settings WHERE name = 'deliveryToken'"))[0]?.[0] ?? '';
	const deliver = `${URL.replace(/\/webservice\.php$/, '')}/index.php?module=N8nConnector&action=Deliver`;
	let hit: { status: number; body: string } | undefined;
	let probing = true;
	const probe = (async () => {
		while (probing && !hit) {
			try {
				const response = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
				const body = await response.text();
				if (response.status === 200 && body.startsWith('n8n is starting up')) hit = { status: response.status, body };
			} catch {
				// not listening yet
			}
			await sleep(30);
		}
		if (!hit) return;
		await sql(`UPDATE vtiger_n8nconnector_subscriptions SET next_attempt_at = UNIX_TIMESTAMP() - 1 WHERE id = '${failing.id}'`);
		const answer = await (await fetch(deliver, { headers: { 'X-N8nConnector-Token': token } })).text();
		mark(`n8n answered HTTP 200 "${hit.body}": retry made due, delivery endpoint: ${answer.slice(0, 100)}`);
		const after = await subscription();
		mark(`subscription right after: failures=${after.failures} pending=${after.pending} ${after.lastError}`);
	})().catch((e: unknown) => mark(`probe failed: ${(e as Error).message}`));
	await n8n.start(300000);
	probing = false;
	await probe;
	mark('n8n ready');
	await n8n.login();
	const until = Date.now() + SETTLE_MINUTES * 60000;
	let nextCron = Date.now();
	let seen = executions.itemsOf(new Set(expected.keys()));
	while (Date.now() < until && seen.length < 1) {
		if (Date.now() >= nextCron) {
			await run('php', ['-r', `$_REQUEST['service'] = '${CRON_SERVICE}'; require 'vtigercron.php';`], { cwd: STOCK_TREE, timeout: 120000 }).catch(() => undefined);
			nextCron = Date.now() + CRON_EVERY_S * 1000;
		}
		await sleep(2000);
		await executions.refresh().catch(() => undefined);
		seen = executions.itemsOf(new Set(expected.keys()));
	}
	const final = await subscription();
	await sleep(10000);
	await executions.refresh().catch(() => undefined);
	seen = executions.itemsOf(new Set(expected.keys()));
	mark(`${seen.length} of ${[...expected.values()][0].length} events arrived; subscription: failures=${final.failures} pending=${final.pending} ${final.lastError}`);
	return { startingPageSeen: Boolean(hit), ...compare(expected, seen), timeline };
}

// ---- the run --------------------------------------------------------------------------------------------------
async function main(): Promise<void> {
	if (!flag('no-build') || !existsSync(stateFile)) globalSetup();
	await login();
	const contactsPrefix = String((await call('describe', { elementType: 'Contacts' }, 'GET')).idPrefix);
	const userId = String(((await call('query', { query: `SELECT id FROM Users WHERE user_name = '${env.VT_USER}';` }, 'GET')) as unknown as Array<{ id: string }>)[0]?.id ?? '19x1');

	// the administrator's consent to a loopback destination, for this run; another run may put the list back meanwhile
	const before = (await call('n8n_settings', { settings: {} })) as unknown as { allowedHosts: string[] };
	const addedLoopback = !before.allowedHosts.includes('127.0.0.1');
	let loopbackReAdded = 0;
	const allowLoopback = async () => {
		const now = (await call('n8n_settings', { settings: {} })) as unknown as { allowedHosts: string[] };
		if (now.allowedHosts.includes('127.0.0.1')) return false;
		await call('n8n_settings', { settings: { allowedHosts: [...now.allowedHosts, '127.0.0.1'] } });
		return true;
	};
	await allowLoopback();

	const credential = vtigerCredential('Vtiger lab', { url: URL, username: env.VT_USER, accessKey: env.VT_ACCESSKEY });
	const webhookId = crypto.randomUUID();
	const workflow: WorkflowJson = {
		id: n8nId(),
		name: `Instant bench ${TAG}`,
		active: false,
		nodes: [
			{
				id: crypto.randomUUID(),
				name: TRIGGER,
				type: `${PACKAGE}.vtigerInstantTrigger`,
				typeVersion: 1,
				position: [0, 0],
				webhookId,
				parameters: { module: 'Contacts', events: ['created', 'updated', 'deleted', 'restored'], options: {} },
				credentials: { [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' },
		pinData: {},
	};
	const n8n = await N8n.create('instant-bench');
	const webhookUrl = `${n8n.baseUrl}/webhook/${webhookId}/webhook`;
	await n8n.importCredentials([credential]);
	await n8n.importWorkflows([workflow]);
	log(`n8n starting (${n8n.userFolder})`);
	await n8n.start(180000);
	await n8n.login();
	await n8n.activateWorkflow(workflow.id);
	const executions = new Executions(n8n, workflow.id);
	let subscriptions = await subscriptionsFor(webhookUrl);
	for (let i = 0; i < 60 && !subscriptions.length; i++) subscriptions = await sleep(1000).then(() => subscriptionsFor(webhookUrl));
	if (subscriptions.length !== 1) throw new Error(`expected one subscription for ${webhookUrl}, found ${JSON.stringify(subscriptions)}`);
	const subscriptionAtActivation = subscriptions[0].id;
	log(`workflow ${workflow.id} active, subscription ${subscriptionAtActivation}`);

	const allIds = new Set<string>();
	const live = new Set<string>();
	const result: Record<string, unknown> = {
		url: URL,
		n8nVersion: '2.41.1',
		tag: TAG,
		at: new Date().toISOString(),
		loadavgStart: loadavg().map(round),
		subscriptionAtActivation,
	};
	const keepAllowing = setInterval(() => {
		allowLoopback().then((readded) => (loopbackReAdded += readded ? 1 : 0), () => undefined);
	}, 10000);
	const cronRuns: Array<{ at: number; ms: number; delivered: string }> = [];
	try {
		// ---- 2. latency ----
		if ((ONLY === '' || ONLY === 'latency') && SAVES + WEBUI > 0) {
			const web = await signIn({ url: URL, username: env.VT_USER, password: env.VT_PASSWORD });
			const saved: Array<{ id: string; source: 'webservice' | 'webui'; at: number }> = [];
			const total = SAVES + WEBUI;
			for (let i = 0; i < total; i++) {
				// the web UI's saves spread among the webservice's
				const viaWeb = WEBUI > 0 && Math.floor(((i + 1) * WEBUI) / total) > Math.floor((i * WEBUI) / total);
				const lastname = `${TAG}-lat-${i}`;
				if (viaWeb) {
					const token = await web.token('index.php?module=Contacts&view=Edit');
					const response = await web.send('index.php', { __vtrftk: token, module: 'Contacts', action: 'Save', record: '', lastname, assigned_user_id: userId.split('x')[1] });
					const at = Date.now();
					const crmid = /record=(\d+)/.exec(response.headers.get('location') ?? '')?.[1];
					if (!crmid) throw new Error(`the web UI did not save a Contact (HTTP ${response.status})`);
					const id = `${contactsPrefix}x${crmid}`;
					saved.push({ id, source: 'webui', at });
				} else {
					const created = await call('create', { elementType: 'Contacts', element: { lastname, assigned_user_id: userId } });
					saved.push({ id: String(created.id), source: 'webservice', at: Date.now() });
				}
				allIds.add(saved[saved.length - 1].id);
				live.add(saved[saved.length - 1].id);
				await sleep(SPACING_MS);
			}
			const ids = new Set(saved.map((s) => s.id));
			const deadline = Date.now() + 120000;
			let seen = executions.itemsOf(ids);
			while (Date.now() < deadline && new Set(seen.map((s) => String(s.json.id))).size < ids.size) {
				await sleep(1000);
				await executions.refresh();
				seen = executions.itemsOf(ids);
			}
			const latency: Record<string, number[]> = { webservice: [], webui: [] };
			let missing = 0;
			for (const s of saved) {
				const first = seen.find((x) => String(x.json.id) === s.id && x.json.event === 'created');
				if (!first) missing++;
				else latency[s.source].push(first.startedAt - s.at);
			}
			const expected = new Map(saved.map((s) => [s.id, [{ event: 'created' as const, change: 0 }]]));
			result.latency = {
				spacingMs: SPACING_MS,
				...Object.fromEntries(
					Object.entries(latency).map(([source, values]) => [
						source,
						{ saves: saved.filter((s) => s.source === source).length, p50Ms: round(quantile(values, 0.5)), p95Ms: round(quantile(values, 0.95)), maxMs: round(Math.max(...values)), minMs: round(Math.min(...values)) },
					]),
				),
				missing,
				comparison: compare(expected, seen),
				samples: saved.map((s) => {
					const first = seen.find((x) => String(x.json.id) === s.id);
					return { id: s.id, source: s.source, savedAt: new Date(s.at).toISOString(), latencyMs: first ? first.startedAt - s.at : null };
				}),
			};
			log(`latency: ${JSON.stringify(Object.fromEntries(Object.entries(result.latency as Record<string, unknown>).filter(([k]) => k !== 'samples')))}`);
		}

		if (ONLY === 'startup') {
			result.startup = await startupPhase(n8n, executions, webhookUrl, userId, allIds, live);
		}

		// ---- 3. outage ----
		if (ONLY !== 'latency' && ONLY !== 'startup' && CHANGES > 0) {
			await executions.refresh();
			const executionsBefore = executions.byId.size;
			const timeline: Array<{ t: number; what: string }> = [];
			const mark = (what: string) => {
				timeline.push({ t: round((Date.now() - stopAt) / 1000), what });
				log(what);
			};
			let stopAt = Date.now();
			// the subscription as Vtiger sees it, every 2 s, changes only
			let lastState = '';
			let watching = true;
			const watch = (async () => {
				while (watching) {
					try {
						const state = (await subscriptionsFor(webhookUrl)).map((s) => `${s.id} ${s.status} failures=${s.failures} next=${s.nextAttemptIn ?? '-'}s pending=${s.pending} ${s.lastError}`).join(' | ');
						const shape = state.replace(/next=-?\d+s/g, '').replace(/pending=\d+/g, '');
						if (shape !== lastState) {
							mark(`subscription: ${state || 'none'}`);
							lastState = shape;
						}
					} catch {
						// the database is busy: next look
					}
					await sleep(2000);
				}
			})();
			// Vtiger's scheduler, as a system cron runs it
			let cronOn = CRON !== 'none';
			const cron = (async () => {
				while (cronOn) {
					const at = Date.now();
					const script = CRON === 'all' ? ['vtigercron.php'] : ['-r', `$_REQUEST['service'] = '${CRON_SERVICE}'; require 'vtigercron.php';`];
					try {
						const { stdout } = await run('php', script, { cwd: STOCK_TREE, timeout: 120000 });
						cronRuns.push({ at: round((at - stopAt) / 1000), ms: Date.now() - at, delivered: /not ready|already running/.test(stdout) ? 'skipped' : 'ran' });
					} catch (e) {
						cronRuns.push({ at: round((at - stopAt) / 1000), ms: Date.now() - at, delivered: `failed: ${(e as Error).message.slice(0, 200)}` });
					}
					const next = at + CRON_EVERY_S * 1000;
					while (cronOn && Date.now() < next) await sleep(500);
				}
			})();

			stopAt = Date.now();
			if (STOP === 'kill') await n8n.kill();
			else await n8n.stop();
			mark(`n8n stopped (${STOP === 'kill' ? 'SIGKILL' : 'SIGTERM, n8n\'s shutdown'}) in ${Date.now() - stopAt} ms`);

			// the changes, spread over the outage
			const random = rng(CHANGES * 7919 + DOWN_MINUTES);
			const expected = new Map<string, Expected[]>();
			const pool: string[] = [];
			const hot: string[] = [];
			const interval = (DOWN_MINUTES * 60000) / CHANGES;
			const counts = { created: 0, updated: 0, deleted: 0 };
			for (let k = 0; k < CHANGES; k++) {
				const due = stopAt + k * interval;
				if (Date.now() < due) await sleep(due - Date.now());
				const r = random();
				if (pool.length < 8 || r < 0.35) {
					const created = await call('create', { elementType: 'Contacts', element: { lastname: `${TAG}-out-${k}`, assigned_user_id: userId } });
					const id = String(created.id);
					pool.push(id);
					if (hot.length < 10) hot.push(id);
					allIds.add(id);
					live.add(id);
					expected.set(id, [{ event: 'created', change: k }]);
					counts.created++;
				} else if (r < 0.85) {
					// half the updates go to ten "hot" records: those change many times
					const candidates = random() < 0.5 ? hot.filter((id) => live.has(id)) : pool;
					const id = (candidates.length ? candidates : pool)[Math.floor(random() * (candidates.length || pool.length))];
					await call('revise', { element: { id, description: `change ${k}` } });
					expected.get(id)!.push({ event: 'updated', change: k });
					counts.updated++;
				} else {
					const index = Math.floor(random() * pool.length);
					const id = pool[index];
					if (hot.includes(id) && random() < 0.8) {
						k--; // the hot records mostly stay to collect updates
						continue;
					}
					pool.splice(index, 1);
					await call('delete', { id });
					live.delete(id);
					expected.get(id)!.push({ event: 'deleted', change: k });
					counts.deleted++;
				}
				if ((k + 1) % 50 === 0) mark(`${k + 1} changes made`);
			}
			const downUntil = stopAt + DOWN_MINUTES * 60000;
			if (Date.now() < downUntil) await sleep(downUntil - Date.now());
			mark(`${CHANGES} changes made (${JSON.stringify(counts)}), n8n starting again`);

			// n8n back: what its webhook URL answers while it starts (an unsigned POST: 401 once the trigger listens)
			const startAt = Date.now();
			let probing = true;
			const answers: Array<{ t: number; status: number | string }> = [];
			const probe = (async () => {
				let last: number | string = '';
				while (probing) {
					let status: number | string;
					try {
						status = (await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status;
					} catch {
						status = 'refused';
					}
					if (status !== last) {
						answers.push({ t: round((Date.now() - startAt) / 1000), status });
						last = status;
					}
					// listening: no more probes into the backlog's deliveries
					if (status === 401) break;
					await sleep(100);
				}
			})();
			await n8n.start(300000);
			const readyAt = Date.now();
			mark(`n8n ready after ${round((readyAt - startAt) / 1000)} s`);
			await n8n.login();
			const expectedIds = new Set(expected.keys());
			const total = [...expected.values()].reduce((n, list) => n + list.length, 0);
			const settleUntil = readyAt + SETTLE_MINUTES * 60000;
			let seen = executions.itemsOf(expectedIds);
			let reported = -1;
			let crashedAgainAt = 0;
			while (Date.now() < settleUntil) {
				await executions.refresh().catch(() => undefined);
				seen = executions.itemsOf(expectedIds);
				if (seen.length !== reported && (seen.length === total || Math.floor(seen.length / 50) !== Math.floor(reported / 50))) {
					mark(`${seen.length}/${total} events of this run arrived`);
				}
				reported = seen.length;
				if (seen.length >= total) break;
				if (CRASH_AGAIN && !crashedAgainAt && seen.length >= CRASH_AGAIN) {
					// in the middle of the backlog: a delivery may be on its way or an execution running
					crashedAgainAt = Date.now();
					await n8n.kill();
					mark(`n8n killed again with ${seen.length}/${total} events arrived; starting at once`);
					await n8n.start(300000);
					mark('n8n ready again');
					await n8n.login();
				}
				await sleep(CRASH_AGAIN && !crashedAgainAt ? 300 : 2000);
			}
			// late repeats: keep looking a little after the last one
			await sleep(20000);
			await executions.refresh().catch(() => undefined);
			seen = executions.itemsOf(expectedIds);
			probing = false;
			watching = false;
			cronOn = false;
			await Promise.all([probe, watch, cron]);
			const comparison = compare(expected, seen);
			const afterRestart = seen.filter((s) => s.startedAt >= startAt);
			const lastEvent = seen.length ? Math.max(...seen.map((s) => s.startedAt)) : NaN;
			const firstEvent = afterRestart.length ? Math.min(...afterRestart.map((s) => s.startedAt)) : NaN;
			const finalSubscriptions = await subscriptionsFor(webhookUrl);
			const mine = [...executions.byId.values()];
			result.outage = {
				stop: STOP,
				...(CRASH_AGAIN ? { killedAgainAfterEvents: CRASH_AGAIN, killedAgainAt: round((crashedAgainAt - stopAt) / 1000) } : {}),
				cron: CRON === 'none' ? 'none' : `php vtigercron.php${CRON === 'service' ? ` (service "${CRON_SERVICE}" only)` : ''} every ${CRON_EVERY_S} s`,
				downMinutes: DOWN_MINUTES,
				changes: counts,
				...comparison,
				executionsOfWorkflowSinceStop: mine.length - executionsBefore,
				executionsNotSuccessful: mine.filter((e) => e.status !== 'success').map((e) => ({ id: e.id, status: e.status })),
				eventsArrivedBeforeRestart: seen.length - afterRestart.length,
				n8nStartToReadyS: round((readyAt - startAt) / 1000),
				readyToFirstEventS: round((firstEvent - readyAt) / 1000),
				readyToLastEventS: round((lastEvent - readyAt) / 1000),
				webhookAnswersWhileStarting: answers,
				subscriptionAfter: finalSubscriptions,
				resubscribed: !(finalSubscriptions.length === 1 && finalSubscriptions[0].id === subscriptionAtActivation),
				timeline,
				cronRuns,
			};
			log(`outage: ${JSON.stringify({ ...comparison, readyToLastEventS: round((lastEvent - readyAt) / 1000) })}`);
		}
	} finally {
		clearInterval(keepAllowing);
		// deactivation unsubscribes; the records go afterwards, so their deletions reach nobody
		await n8n.rest('POST', `/workflows/${workflow.id}/deactivate`, {}).catch(() => undefined);
		let left = await subscriptionsFor(webhookUrl);
		for (let i = 0; i < 30 && left.length; i++) left = await sleep(1000).then(() => subscriptionsFor(webhookUrl));
		result.subscriptionsLeftAfterDeactivation = left.length;
		// nothing of this run stays in the shared CRM
		for (const s of left) await call('n8n_unsubscribe', { id: s.id }).catch(() => undefined);
		for (const id of live) await call('delete', { id }).catch(() => undefined);
		if (addedLoopback) {
			const now = (await call('n8n_settings', { settings: {} })) as unknown as { allowedHosts: string[] };
			await call('n8n_settings', { settings: { allowedHosts: now.allowedHosts.filter((h) => h !== '127.0.0.1') } });
		}
		await n8n.stop();
	}
	result.loopbackReAdded = loopbackReAdded;
	result.untimedRetries = untimedRetries;
	result.loadavgEnd = loadavg().map(round);
	result.minutes = round((Date.now() - started) / 60000);
	writeFileSync(join(ROOT, 'bench/lab', `${OUT}.json`), `${JSON.stringify(result, null, '\t')}\n`);
	const md = report(result);
	writeFileSync(join(ROOT, 'bench/lab', `${OUT}.md`), md);
	console.log(md);
}

function report(r: Record<string, unknown>): string {
	const lines = [`# Vtiger Instant Trigger in n8n ${String(r.n8nVersion)}: ${String(r.url)}`, '', `${String(r.at)}, load average ${JSON.stringify(r.loadavgStart)} → ${JSON.stringify(r.loadavgEnd)}, ${String(r.minutes)} min`, ''];
	const latency = r.latency as Record<string, { saves: number; p50Ms: number; p95Ms: number; minMs: number; maxMs: number }> & { spacingMs: number; missing: number } | undefined;
	if (latency) {
		lines.push(`## Latency: save answered → execution started (saves ${latency.spacingMs} ms apart)`, '', '| source | saves | p50 ms | p95 ms | min ms | max ms |', '|---|---|---|---|---|---|');
		for (const source of ['webservice', 'webui']) {
			const s = latency[source];
			if (s?.saves) lines.push(`| ${source} | ${s.saves} | ${s.p50Ms} | ${s.p95Ms} | ${s.minMs} | ${s.maxMs} |`);
		}
		lines.push('', `Missing: ${latency.missing}.`, '');
	}
	const st = r.startup as (Comparison & { startingPageSeen: boolean; timeline: Array<{ t: number; what: string }> }) | undefined;
	if (st) {
		lines.push(
			'## A retry landing while n8n starts (`--only startup`)',
			'',
			`"n8n is starting up" page seen: ${String(st.startingPageSeen)}; events expected ${st.eventsExpected}, seen ${st.eventsSeen}, missing ${st.missing}, seen twice ${st.seenTwice}.`,
			'',
			...st.timeline.map((e) => `- ${e.t}: ${e.what}`),
			'',
		);
	}
	const o = r.outage as Record<string, unknown> | undefined;
	if (o) {
		lines.push(
			`## Outage: n8n stopped (${String(o.stop)}) for ${String(o.downMinutes)} min while ${JSON.stringify(o.changes)} changes were made` +
				(o.killedAgainAfterEvents ? `; killed again once ${String(o.killedAgainAfterEvents)} events had arrived after the restart` : ''),
			'',
			`Cron: ${String(o.cron)}.`,
			'',
			'| records | events expected | events seen | missing | seen twice | out of order (records) | arrived before restart | n8n start → ready s | ready → first event s | ready → last event s | re-subscribed |',
			'|---|---|---|---|---|---|---|---|---|---|---|',
			`| ${String(o.records)} | ${String(o.eventsExpected)} | ${String(o.eventsSeen)} | ${String(o.missing)} | ${String(o.seenTwice)} | ${String(o.outOfOrderRecords)} | ${String(o.eventsArrivedBeforeRestart)} | ${String(o.n8nStartToReadyS)} | ${String(o.readyToFirstEventS)} | ${String(o.readyToLastEventS)} | ${String(o.resubscribed)} |`,
			'',
			`Webhook URL while n8n started (unsigned POST every 100 ms, seconds from the start): ${(o.webhookAnswersWhileStarting as Array<{ t: number; status: unknown }>).map((a) => `${a.t} s: ${String(a.status)}`).join(', ')}.`,
			'',
			`Executions of the workflow since the stop: ${String(o.executionsOfWorkflowSinceStop)} (other users' Contacts included); not successful: ${JSON.stringify(o.executionsNotSuccessful)}.`,
			'',
			...((o.examples as string[]).length ? ['Examples:', ...(o.examples as string[]).map((e) => `- ${e}`), ''] : []),
			'Timeline (seconds from the stop):',
			'',
			...(o.timeline as Array<{ t: number; what: string }>).map((e) => `- ${e.t}: ${e.what}`),
			'',
		);
	}
	lines.push(`Subscriptions left after deactivation: ${String(r.subscriptionsLeftAfterDeactivation)}; 127.0.0.1 re-allowed after another run removed it: ${String(r.loopbackReAdded)} times.`, '');
	return lines.join('\n');
}

main().catch((e: unknown) => {
	console.error(e);
	process.exit(1);
});
