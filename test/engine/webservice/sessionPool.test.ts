import type {
	IDataObject,
	INodeParameters,
	INodeProperties,
	INodePropertyCollection,
	INodePropertyOptions,
} from 'n8n-workflow';

import { Vtiger } from '../../../nodes/Vtiger/Vtiger.node';
import { createHarness } from '../../support/harness';
import type { Harness } from '../../support/harness';
import { startSimulator } from '../../support/simulator';
import type { Simulator } from '../../support/simulator';

let sim: Simulator;

// every test gets its own simulator: the pool lives per CRM and user in this process
beforeEach(async () => {
	sim = await startSimulator({ latencyMs: 15 });
});
afterEach(async () => {
	await sim.stop();
});

function harness(): Harness {
	return createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
}

const contacts = (n: number, tag: string) =>
	Array.from({ length: n }, (_, i) => ({ lastname: `${tag}${i}`, assigned_user_id: '19x1' }));

function createParameters(options: IDataObject = {}): INodeParameters {
	return {
		resource: 'record',
		operation: 'create',
		module: 'Contacts',
		columns: { mappingMode: 'autoMapInputData', value: null },
		options: options as INodeParameters,
	};
}

async function warm(h: Harness): Promise<void> {
	const run = await h.runNode({ type: 'vtiger', parameters: { resource: 'module', operation: 'getAll' } });
	expect(run.error).toBeUndefined();
}

/** Sessions the CRM saw on requests of this operation. */
function sessionsUsed(operation: string): Set<string> {
	return new Set(sim.log.filter((entry) => entry.operation === operation).map((entry) => String(entry.sessionName)));
}

/** Each getchallenge is followed by its login before the next getchallenge (logins one at a time). */
function loginsInTurn(): boolean {
	const auth = sim.log.filter((entry) => entry.operation === 'getchallenge' || entry.operation === 'login');
	return auth.every((entry, i) => entry.operation === (i % 2 === 0 ? 'getchallenge' : 'login'));
}

async function logoutDirectly(sessionName: string): Promise<void> {
	const response = await fetch(sim.url, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ operation: 'logout', sessionName }).toString(),
	});
	expect(((await response.json()) as { success: boolean }).success).toBe(true);
}

describe('session pool', () => {
	test('40 parallel creates at Max Concurrent Requests 4 use at most 4 sessions, logged in one at a time, each written once', async () => {
		const h = harness();
		await warm(h);
		sim.clearLog();
		const run = await h.runNode({ type: 'vtiger', parameters: createParameters({ maxConcurrency: 4 }), items: contacts(40, 'Pool') });
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(40);
		expect(sim.count('create')).toBe(40);
		expect(new Set(run.items.map((item) => item.json.lastname)).size).toBe(40);
		const used = sessionsUsed('create');
		expect(used.size).toBeGreaterThan(1);
		expect(used.size).toBeLessThanOrEqual(4);
		expect(used).toContain(h.store.sessionName);
		// the stored session was there already: only the pool's three sessions log in
		expect(sim.count('login')).toBe(used.size - 1);
		expect(loginsInTurn()).toBe(true);
		expect(sim.maxInFlight).toBeLessThanOrEqual(4);

		// the next execution reuses the pool: no login
		sim.clearLog();
		const again = await h.runNode({ type: 'vtiger', parameters: createParameters({ maxConcurrency: 4 }), items: contacts(40, 'Again') });
		expect(again.items).toHaveLength(40);
		expect(sim.count('login')).toBe(0);
		expect(sim.count('getchallenge')).toBe(0);
	});

	test('a single-item execution uses only the stored session: 0 logins in steady state', async () => {
		const h = harness();
		await warm(h);
		sim.clearLog();
		for (let run = 0; run < 5; run++) {
			const out = await h.runNode({ type: 'vtiger', parameters: createParameters(), items: contacts(1, `Single${run}`) });
			expect(out.error).toBeUndefined();
		}
		expect(sim.count('login')).toBe(0);
		expect(sim.count('getchallenge')).toBe(0);
		expect([...sessionsUsed('create')]).toEqual([h.store.sessionName]);
	});

	test('a pool session that dies is renewed once; the stored session is left alone', async () => {
		const h = harness();
		await warm(h);
		await h.runNode({ type: 'vtiger', parameters: createParameters({ maxConcurrency: 3 }), items: contacts(12, 'Fill') });
		const stored = h.store.sessionName;
		const pooled = sim.sessions('admin').filter((name) => name !== stored);
		expect(pooled.length).toBeGreaterThanOrEqual(1);
		for (const name of pooled) await logoutDirectly(name);

		sim.clearLog();
		const run = await h.runNode({ type: 'vtiger', parameters: createParameters({ maxConcurrency: 3 }), items: contacts(30, 'Killed') });
		expect(run.error).toBeUndefined();
		expect(run.errors).toEqual([]);
		expect(sim.count('create')).toBeGreaterThanOrEqual(30);
		// exactly one login per dead pool session that a request ran into; the stored session kept
		const refused = new Set(
			sim.log.filter((entry) => entry.operation === 'create' && pooled.includes(String(entry.sessionName))).map((e) => e.sessionName),
		);
		expect(refused.size).toBeGreaterThanOrEqual(1);
		expect(sim.count('login')).toBe(refused.size);
		expect(sim.count('create')).toBe(30 + refused.size);
		expect(h.store.sessionName).toBe(stored);
		expect(h.store.updates).toBe(1);
		expect(loginsInTurn()).toBe(true);
	});

	test('Session Pool off: every request on the stored session, no login', async () => {
		const h = harness();
		await warm(h);
		sim.clearLog();
		const run = await h.runNode({
			type: 'vtiger',
			parameters: createParameters({ maxConcurrency: 4, sessionPool: false }),
			items: contacts(20, 'Off'),
		});
		expect(run.items).toHaveLength(20);
		expect(sim.count('login')).toBe(0);
		expect([...sessionsUsed('create')]).toEqual([h.store.sessionName]);
		expect(sim.maxInFlight).toBeLessThanOrEqual(4);
	});

	test('a wrong access key fails once per item with the pool on, without a login per lane', async () => {
		const h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: 'wrongwrongwrong0' });
		const run = await h.runNode({
			type: 'vtiger',
			parameters: createParameters({ maxConcurrency: 4 }),
			items: contacts(4, 'Wrong'),
			continueOnFail: true,
		});
		expect(run.errors).toHaveLength(4);
		expect(sim.count('create')).toBe(0);
		// the 4 parallel items share one bounded login (4 rounds), none of the pool logs in
		expect(sim.count('login')).toBe(4);
	});
});

describe('renewal at the floor', () => {
	test('Create: a dead stored session costs the failed request, getchallenge, login and the retry', async () => {
		const h = harness();
		await h.runNode({ type: 'vtiger', parameters: createParameters(), items: contacts(1, 'Warm') }); // describe cached
		const dead = h.store.sessionName;
		sim.killSessions('admin');
		sim.clearLog();
		const run = await h.runNode({ type: 'vtiger', parameters: createParameters(), items: contacts(1, 'Floor') });
		expect(run.error).toBeUndefined();
		expect(sim.log.map((entry) => entry.operation)).toEqual(['create', 'getchallenge', 'login', 'create']);
		expect(sim.log[0].sessionName).toBe(dead);
		expect(sim.log[3].sessionName).toBe(h.store.sessionName);
		expect(h.store.sessionName).not.toBe(dead);
		expect(sim.store.all('Contacts').filter((record) => record.lastname === 'Floor0')).toHaveLength(1);
	});

	test('custom code (vtigerApiRequest): the same four requests, the new session stored', async () => {
		const h = harness();
		await h.runNode({ type: 'fixtureProgrammatic', parameters: { operation: 'listtypes' } });
		sim.killSessions('admin');
		sim.clearLog();
		const run = await h.runNode({ type: 'fixtureProgrammatic', parameters: { operation: 'describe', params: '{"elementType":"Contacts"}' } });
		expect(run.error).toBeUndefined();
		expect(sim.log.map((entry) => entry.operation)).toEqual(['describe', 'getchallenge', 'login', 'describe']);
		sim.clearLog();
		await h.runNode({ type: 'fixtureProgrammatic', parameters: { operation: 'listtypes' } });
		expect(sim.log.map((entry) => entry.operation)).toEqual(['listtypes']);
	});

	test('an operation with declarative postReceive actions keeps the stored session and renews through a probe', async () => {
		const h = harness();
		await h.runNode({ type: 'fixtureDeclarative', parameters: { operation: 'listtypes' } });
		sim.killSessions('admin');
		sim.clearLog();
		const run = await h.runNode({
			type: 'fixtureDeclarative',
			parameters: { operation: 'describe', elementType: 'Contacts', options: { maxConcurrency: 3 } },
			items: [{}, {}, {}],
		});
		expect(run.error).toBeUndefined();
		expect(run.items.map((item) => item.json.name)).toEqual(['Contacts', 'Contacts', 'Contacts']);
		expect(sim.count('login')).toBe(1);
		expect(sim.count('listtypes')).toBe(1);
		expect(new Set(sim.log.filter((e) => e.operation === 'describe').map((e) => e.sessionName)).size).toBe(2);
	});

	test('the trigger (a poll) renews with the same four requests', async () => {
		const h = harness();
		const first = await h.poll({ module: 'Contacts', events: ['created', 'updated', 'deleted'], options: {} });
		sim.killSessions('admin');
		sim.clearLog();
		await h.poll({ module: 'Contacts', events: ['created', 'updated', 'deleted'], options: {} }, first.staticData);
		const operations = sim.log.map((entry) => entry.operation);
		expect(operations.slice(1, 3)).toEqual(['getchallenge', 'login']);
		expect(operations.filter((op) => op === 'login')).toHaveLength(1);
		expect(operations.filter((op) => op === 'listtypes')).toHaveLength(0);
	});
});

describe('Max Concurrent Requests and Session Pool sit in every operation\'s Options', () => {
	const properties = new Vtiger().description.properties;

	test('no visible top-level Max Concurrent Requests; the hidden one keeps old saved values', () => {
		const top = properties.filter((property) => property.name === 'maxConcurrency');
		expect(top).toHaveLength(1);
		expect(top[0].type).toBe('hidden');
	});

	test('every operation of every resource shows exactly one Options with both settings', () => {
		const resources = (properties.find((property) => property.name === 'resource')?.options ?? []).map((o) =>
			String((o as { value: unknown }).value),
		);
		for (const resource of resources) {
			const picker = properties.find(
				(property) => property.name === 'operation' && property.displayOptions?.show?.resource?.includes(resource),
			) as INodeProperties;
			for (const option of picker.options ?? []) {
				const operation = String((option as { value: unknown }).value);
				const collections = properties.filter(
					(property) =>
						property.name === 'options' &&
						property.displayOptions?.show?.resource?.includes(resource) &&
						property.displayOptions?.show?.operation?.includes(operation),
				);
				expect({ resource, operation, count: collections.length }).toEqual({ resource, operation, count: 1 });
				const names = (collections[0].options as Array<INodeProperties | INodePropertyCollection>).map((o) => o.name);
				expect(names).toEqual(expect.arrayContaining(['maxConcurrency', 'sessionPool']));
			}
		}
	});

	test('every operation\'s postReceive actions are functions, so the pool and the 4-request renewal apply to all', () => {
		// declarative actions need RoutingNode, which sends only with the stored credential (DEVELOPERS.md)
		const declarative: string[] = [];
		let actions = 0;
		const visit = (list: Array<INodeProperties | INodePropertyCollection | INodePropertyOptions> | undefined, where: string) => {
			for (const entry of list ?? []) {
				const routing = (entry as { routing?: { output?: { postReceive?: unknown[] } } }).routing;
				for (const action of routing?.output?.postReceive ?? []) {
					actions++;
					if (typeof action !== 'function') declarative.push(`${where}/${entry.name}`);
				}
				visit((entry as INodeProperties).options, `${where}/${entry.name}`);
				visit((entry as INodePropertyCollection).values, `${where}/${entry.name}`);
			}
		};
		visit(properties, '');
		expect(actions).toBeGreaterThan(15);
		expect(declarative).toEqual([]);
	});

	test('a workflow saved with the top-level value still honours it; the Options value wins', async () => {
		const h = harness();
		await warm(h);
		sim.resetMaxInFlight();
		const legacy = await h.runNode({
			type: 'vtiger',
			parameters: { ...createParameters(), options: undefined, maxConcurrency: 1 },
			items: contacts(6, 'Legacy'),
		});
		expect(legacy.items).toHaveLength(6);
		expect(sim.maxInFlight).toBe(1);
		sim.resetMaxInFlight();
		const chosen = await h.runNode({
			type: 'vtiger',
			parameters: { ...createParameters({ maxConcurrency: 3 }), maxConcurrency: 1 },
			items: contacts(9, 'Chosen'),
		});
		expect(chosen.items).toHaveLength(9);
		expect(sim.maxInFlight).toBe(3);
	});
});
