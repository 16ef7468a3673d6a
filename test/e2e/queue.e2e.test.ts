import * as crypto from 'node:crypto';

import { Vtiger } from '../../nodes/Vtiger/Vtiger.node';
import { startSimulator, type Simulator } from '../support/simulator';
import type { WorkflowJson } from './helpers/n8n';
import { createQueueCluster, startWorkers, type QueueCluster } from './helpers/queue';
import { CREDENTIAL_TYPE, credentialData, n8nId, triggerWorkflow, VTIGER_NODE, vtigerCredential } from './helpers/workflow';

const EXECUTIONS = 20;
const ITEMS = 100;
const WORKERS = 2;
const WORKER_CONCURRENCY = 10;
const MAX_CONCURRENCY = 5;
const KILL_AT = [500, 1200];
const HOOK_PATH = 'vtiger-queue-create';
const CREATE_NAME = 'Queue mode: create contacts';
const TRIGGER_NAME = 'Queue mode: new contacts';

const nodeVersion = (() => {
	const version = new Vtiger().description.version;
	return Array.isArray(version) ? Math.max(...version) : version;
})();

/** Webhook (answers at once) → Split Out the posted contacts → Vtiger Create (Map Automatically, Continue On Fail). */
function createWorkflow(credential: { id: string; name: string }): WorkflowJson {
	const node = (name: string, type: string, typeVersion: number, parameters: Record<string, unknown>, x: number) => ({
		id: crypto.randomUUID(),
		name,
		type,
		typeVersion,
		position: [x, 0],
		parameters,
	});
	return {
		id: n8nId(),
		name: CREATE_NAME,
		active: false,
		nodes: [
			{
				...node('Webhook', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path: HOOK_PATH, responseMode: 'onReceived', options: {} }, 0),
				webhookId: crypto.randomUUID(),
			},
			node('Split Out', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'body.contacts', options: {} }, 220),
			{
				...node(
					'Create Contacts',
					VTIGER_NODE,
					nodeVersion,
					{
						resource: 'record',
						operation: 'create',
						module: 'Contacts',
						columns: { mappingMode: 'autoMapInputData', value: null },
						options: { maxConcurrency: MAX_CONCURRENCY },
					},
					440,
				),
				credentials: { [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
				onError: 'continueRegularOutput',
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Create Contacts', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** Kills every live session when the simulator has answered the given numbers of creates. */
function killDuringCreates(
	sim: Simulator,
	at: number[],
): { killedSessions: () => number; kills: () => number; newSessions: () => number } {
	const log = sim.log;
	const push = log.push;
	const pending = [...at];
	const before = new Set(sim.sessions());
	const born = new Set<string>();
	let killed = 0;
	let kills = 0;
	log.push = function (...entries) {
		const length = push.apply(log, entries);
		// every session a successful login made (a login lost to another worker's challenge makes none)
		for (const name of sim.sessions()) if (!before.has(name)) born.add(name);
		if (pending.length && entries.some((e) => e.operation === 'create') && sim.count('create') >= pending[0]) {
			pending.shift();
			killed += sim.sessions().length;
			sim.killSessions();
			kills++;
		}
		return length;
	};
	return { killedSessions: () => killed, kills: () => kills, newSessions: () => born.size };
}

interface ExecutionSummary {
	id: string;
	status: string;
}

/**
 * n8n in queue mode (a main, two workers, Redis, PostgreSQL) with the packed package on every process:
 * 20 webhook executions of a 100-item Create on one credential run on the workers against the
 * simulator while every CRM session is killed twice; an active Vtiger Trigger on the main emits
 * each created record once.
 */
describe('queue mode: a main and two workers', () => {
	let sim: Simulator;
	let cluster: QueueCluster | undefined;
	const credential = vtigerCredential('Vtiger account', { url: '', username: '', accessKey: '' });
	const triggerParameters = {
		pollTimes: { item: [{ mode: 'everyMinute' }] },
		module: 'Contacts',
		events: ['created'],
		options: {},
	};
	const workflowIds: Record<string, string> = {};
	const timings: Record<string, number> = {};

	beforeAll(async () => {
		const started = Date.now();
		sim = await startSimulator({ latencyMs: 3 });
		cluster = await createQueueCluster(WORKERS);
		timings.installSeconds = cluster.installedSeconds;
		timings.servicesMs = Date.now() - started;
		// the main runs the database migrations; the workers start once it is up
		await cluster.main.start(300000);
		const workersUp = startWorkers(cluster, WORKER_CONCURRENCY);
		// set up through the REST API, as the editor does (no n8n CLI process per step)
		const main = cluster.main;
		await main.login();
		const saved = await main.rest<{ id: string }>('POST', '/credentials', {
			name: credential.name,
			type: credential.type,
			data: credentialData({ url: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey }),
		});
		if (saved.status !== 200) throw new Error(`POST /rest/credentials: HTTP ${saved.status} ${JSON.stringify(saved.raw).slice(0, 500)}`);
		credential.id = saved.data.id;
		for (const workflow of [createWorkflow(credential), triggerWorkflow(TRIGGER_NAME, credential, triggerParameters)]) {
			const { id: _ignored, active: _inactive, ...body } = workflow;
			// n8n 1.x's PostgreSQL schema wants "active" on a new workflow; 2.x activates by publishing instead
			const created = await main.rest<{ id: string }>('POST', '/workflows', main.majorVersion < 2 ? { ...body, active: false } : body);
			if (created.status !== 200) throw new Error(`POST /rest/workflows: HTTP ${created.status} ${JSON.stringify(created.raw).slice(0, 500)}`);
			workflowIds[workflow.name] = created.data.id;
		}
		await workersUp;
		timings.startedMs = Date.now() - started;
		await main.activateWorkflow(workflowIds[TRIGGER_NAME]);
		await main.activateWorkflow(workflowIds[CREATE_NAME]);
	}, 900000);

	afterAll(async () => {
		await cluster?.stop();
		await sim?.stop();
		process.stdout.write(`queue e2e timings: ${JSON.stringify(timings)}\n`);
	}, 120000);

	test(`${EXECUTIONS} concurrent executions of a ${ITEMS}-item Create, sessions killed midway: every record once, no failed item, bounded logins; the trigger emits each once`, async () => {
		const main = (cluster as QueueCluster).main;
		// the trigger's first poll (at activation) set its cursor; wait until it has run
		const firstPoll = Date.now();
		while (sim.count('sync') + sim.count('query') === 0 && Date.now() - firstPoll < 60000) {
			await new Promise((r) => setTimeout(r, 250));
		}
		expect(sim.count('sync') + sim.count('query')).toBeGreaterThan(0);
		const before = new Set(sim.store.all('Contacts').map((record) => String(record.id)));
		const loginsBefore = sim.count('login');
		const killer = killDuringCreates(sim, KILL_AT);

		const sent = Date.now();
		const answers = await Promise.all(
			Array.from({ length: EXECUTIONS }, async (_, run) => {
				const contacts = Array.from({ length: ITEMS }, (_, i) => ({
					lastname: `Queue${String(run).padStart(2, '0')}-${String(i).padStart(3, '0')}`,
					assigned_user_id: '19x1',
				}));
				const res = await fetch(`${main.baseUrl}/webhook/${HOOK_PATH}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ contacts }),
				});
				return res.status;
			}),
		);
		expect(answers).toEqual(Array(EXECUTIONS).fill(200));

		const finished = (list: ExecutionSummary[]) => list.filter((e) => !['new', 'running', 'waiting'].includes(e.status));
		const list = await main.waitForExecutions(workflowIds[CREATE_NAME], (l) => finished(l).length >= EXECUTIONS, 300000);
		timings.createsMs = Date.now() - sent;
		expect(list.map((e) => e.status)).toEqual(Array(EXECUTIONS).fill('success'));

		// every item of every execution is a created record (Continue On Fail would show failures as items)
		let failedItems = 0;
		let createdItems = 0;
		for (const execution of list) {
			const run = await main.getExecution(execution.id);
			const items = run.data.resultData.runData['Create Contacts']?.[0]?.data?.main?.[0] ?? [];
			createdItems += items.filter((item) => typeof item.json.id === 'string' && String(item.json.id).includes('x')).length;
			failedItems += items.filter((item) => item.json.error !== undefined).length;
		}
		expect({ failedItems, createdItems }).toEqual({ failedItems: 0, createdItems: EXECUTIONS * ITEMS });

		// the CRM holds each record exactly once
		const names = sim.store
			.all('Contacts')
			.map((record) => String(record.lastname))
			.filter((name) => name.startsWith('Queue'));
		expect(names).toHaveLength(EXECUTIONS * ITEMS);
		expect(new Set(names).size).toBe(EXECUTIONS * ITEMS);

		// the kills happened midway; each killed session costs at most one login per process that used it:
		// a pool session belongs to one worker, the stored session is shared by both workers (and the main's
		// trigger). Beyond that only the cold start: the stored session and up to MAX_CONCURRENCY - 1 pool
		// sessions per worker. Login requests lost to another worker's challenge (retried) make no session.
		expect(killer.kills()).toBe(KILL_AT.length);
		const coldStart = WORKERS * MAX_CONCURRENCY + 1;
		const sessionsMade = killer.newSessions();
		expect(sessionsMade).toBeGreaterThanOrEqual(killer.kills());
		expect(sessionsMade).toBeLessThanOrEqual(coldStart + killer.killedSessions() + killer.kills() * WORKERS);
		timings.sessionsMade = sessionsMade;
		timings.loginRequests = sim.count('login') - loginsBefore;
		timings.killedSessions = killer.killedSessions();

		// the trigger on the main: its next polls emit every new record once
		const created = new Set(
			sim.store
				.all('Contacts')
				.map((record) => String(record.id))
				.filter((id) => !before.has(id)),
		);
		const emitted: string[] = [];
		const read = new Set<string>();
		const deadline = Date.now() + 200000;
		while (Date.now() < deadline && new Set(emitted).size < created.size) {
			const executions = await main.waitForExecutions(workflowIds[TRIGGER_NAME], () => true, 10000);
			for (const execution of executions) {
				if (execution.status !== 'success' || read.has(execution.id)) continue;
				read.add(execution.id);
				const run = await main.getExecution(execution.id);
				for (const item of run.data.resultData.runData['Vtiger Trigger']?.[0]?.data?.main?.[0] ?? []) {
					emitted.push(String(item.json.id));
				}
			}
			if (new Set(emitted).size < created.size) await new Promise((r) => setTimeout(r, 3000));
		}
		timings.triggerMs = Date.now() - sent;
		const emittedCreated = emitted.filter((id) => created.has(id));
		expect(emittedCreated).toHaveLength(created.size);
		expect(new Set(emittedCreated).size).toBe(created.size);
		expect(emitted).toHaveLength(emittedCreated.length);
	}, 900000);
});
