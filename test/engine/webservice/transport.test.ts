import type { ICredentialType, IDataObject } from 'n8n-workflow';

import { startSimulator } from '../../support/simulator';
import type { FaultKind, Simulator } from '../../support/simulator';
import { assertNoSecrets, createHarness, secretsOf } from '../../support/harness';
import type { Harness } from '../../support/harness';
import { clearAccessHints } from '../../../nodes/Vtiger/webservice/transport';

let sim: Simulator;
const everything: unknown[] = [];
const harnesses: Harness[] = [];

function harness(overrides: Partial<Parameters<typeof createHarness>[0]> = {}): Harness {
	const h = createHarness({
		baseUrl: sim.url,
		username: sim.admin.username,
		accessKey: sim.admin.accessKey,
		...overrides,
	});
	harnesses.push(h);
	return h;
}

const ids = (n: number) => Array.from({ length: n }, () => ({ id: '19x1' }));

const retrieveEach = {
	operation: 'retrieve',
	id: '={{ $json.id }}',
};
/** the stored session only (tests of how n8n's stored session is shared and renewed) */
const storedOnly = { options: { sessionPool: false } };

beforeAll(async () => {
	sim = await startSimulator();
});

afterAll(async () => {
	await sim.stop();
});

beforeEach(() => {
	sim.faults.clear();
	sim.faults.latencyMs = 0;
	sim.setProfile('positional');
	sim.clearLog();
});

describe('session reuse', () => {
	test('login happens once; 20 later executions with the same credential make zero further logins', async () => {
		const h = harness();
		const first = await h.runNode({ type: 'fixtureDeclarative', parameters: { operation: 'listtypes' } });
		expect(first.error).toBeUndefined();
		expect(first.items[0].json.types).toEqual(expect.arrayContaining(['Contacts', 'Accounts']));
		expect(sim.count('getchallenge')).toBe(1);
		expect(sim.count('login')).toBe(1);
		const stored = h.store.sessionName;
		expect(sim.sessions('admin')).toContain(stored);
		expect(h.store.data.userId).toBe('19x1');

		for (let run = 0; run < 20; run++) {
			const type = run % 2 ? 'fixtureDeclarative' : 'fixtureProgrammatic';
			const parameters = run % 2 ? { ...retrieveEach, ...storedOnly } : { operation: 'retrieve', params: '={{ JSON.stringify({ id: $json.id }) }}', ...storedOnly };
			const result = await h.runNode({ type, parameters, items: ids(2) });
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(2);
			expect(result.items[0].json.user_name).toBe('admin');
			everything.push(result.items, result.error);
		}
		expect(sim.count('getchallenge')).toBe(1);
		expect(sim.count('login')).toBe(1);
		expect(sim.count('retrieve')).toBe(40);
		expect(h.store.sessionName).toBe(stored);
		expect(h.store.updates).toBe(1);
	});

	test('16 items in parallel with no session: one challenge and one login', async () => {
		const h = harness();
		const result = await h.runNode({
			type: 'fixtureDeclarative',
			parameters: { ...retrieveEach, maxConcurrency: 16 },
			items: ids(16),
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(16);
		expect(result.items.every((item) => item.json.id === '19x1')).toBe(true);
		expect(sim.count('getchallenge')).toBe(1);
		expect(sim.count('login')).toBe(1);
		expect(sim.count('retrieve')).toBe(16);
		everything.push(result.items);
	});
});

describe('session renewal', () => {
	test('the session is killed mid-run: the run succeeds with exactly one new login, and the new session is stored', async () => {
		const h = harness();
		await h.runNode({ type: 'fixtureDeclarative', parameters: { operation: 'listtypes' } });
		const oldSession = h.store.sessionName;
		sim.clearLog();
		sim.faults.latencyMs = 15;
		let killedAt = -1;
		const killer = setInterval(() => {
			if (killedAt < 0 && sim.count('retrieve') >= 4) {
				killedAt = sim.count('retrieve');
				sim.killSessions('admin');
			}
		}, 2);
		let result;
		try {
			result = await h.runNode({
				type: 'fixtureDeclarative',
				parameters: { ...retrieveEach, maxConcurrency: 2, ...storedOnly },
				items: ids(16),
			});
		} finally {
			clearInterval(killer);
		}
		expect(killedAt).toBeGreaterThanOrEqual(4);
		expect(killedAt).toBeLessThan(16);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(16);
		expect(result.items.every((item) => item.json.id === '19x1')).toBe(true);
		expect(sim.count('login')).toBe(1);
		expect(sim.count('getchallenge')).toBe(1);
		expect(h.store.sessionName).not.toBe(oldSession);
		expect(sim.sessions('admin')).toEqual([h.store.sessionName]);
		// the next execution uses the stored session: no login
		sim.clearLog();
		const next = await h.runNode({ type: 'fixtureProgrammatic', parameters: { operation: 'listtypes' } });
		expect(next.error).toBeUndefined();
		expect(sim.count('login')).toBe(0);
		everything.push(result.items, next.items);
	});

	test('10 parallel items on a dead session share one renewal and all retry with the new session', async () => {
		const h = harness();
		await h.runNode({ type: 'fixtureDeclarative', parameters: { operation: 'listtypes' } });
		const dead = h.store.sessionName;
		sim.killSessions('admin');
		sim.clearLog();
		const result = await h.runNode({
			type: 'fixtureDeclarative',
			parameters: { ...retrieveEach, maxConcurrency: 10, ...storedOnly },
			items: ids(10),
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(10);
		expect(sim.count('login')).toBe(1);
		const retrieves = sim.log.filter((entry) => entry.operation === 'retrieve');
		expect(retrieves.filter((entry) => entry.sessionName === dead)).toHaveLength(10);
		expect(retrieves.filter((entry) => entry.sessionName === h.store.sessionName)).toHaveLength(10);
		everything.push(result.items);
	});

	test('custom code (vtigerApiRequest) renews a dead session the same way', async () => {
		const h = harness();
		await h.runNode({ type: 'fixtureProgrammatic', parameters: { operation: 'listtypes' } });
		h.store.set({ sessionName: 'deadbeefdeadbeef' });
		sim.clearLog();
		const result = await h.runNode({
			type: 'fixtureProgrammatic',
			parameters: { operation: 'describe', params: '{"elementType":"Contacts"}' },
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.name).toBe('Contacts');
		expect(sim.count('login')).toBe(1);
		expect(sim.sessions('admin')).toContain(h.store.sessionName);
		everything.push(result.items);
	});
});

describe('challenge race between two engines', () => {
	function isolatedCredential(): ICredentialType {
		let credential: ICredentialType | undefined;
		jest.isolateModules(() => {
			const mod = require('../../../credentials/VtigerApi.credentials') as { VtigerApi: new () => ICredentialType };
			credential = new mod.VtigerApi();
		});
		return credential as ICredentialType;
	}

	test('two credential stores with their own single-flight log in as the same user at the same moment: both succeed', async () => {
		// each engine gets its own copy of the login module, as two n8n workers would
		const a = harness({ credentialType: isolatedCredential() });
		const b = harness({ credentialType: isolatedCredential() });
		sim.faults.competingChallenge('admin');
		const [ra, rb] = await Promise.all([
			a.runNode({ type: 'fixtureDeclarative', parameters: { ...retrieveEach, maxConcurrency: 8 }, items: ids(8) }),
			b.runNode({ type: 'fixtureDeclarative', parameters: { ...retrieveEach, maxConcurrency: 8 }, items: ids(8) }),
		]);
		expect(ra.error).toBeUndefined();
		expect(rb.error).toBeUndefined();
		expect(ra.items).toHaveLength(8);
		expect(rb.items).toHaveLength(8);
		// one successful login per engine; every extra challenge/login is a retry after a lost race
		expect(sim.count('getchallenge')).toBeGreaterThanOrEqual(3);
		expect(sim.count('login')).toBe(sim.count('getchallenge'));
		expect(a.store.sessionName).not.toBe(b.store.sessionName);
		expect(sim.sessions('admin')).toEqual(expect.arrayContaining([a.store.sessionName, b.store.sessionName]));
		everything.push(ra.items, rb.items);
	});

	test('a competing challenge from another process is retried inside one login', async () => {
		const h = harness({ username: sim.user.username, accessKey: sim.user.accessKey });
		sim.faults.competingChallenge(sim.user.username);
		const result = await h.runNode({ type: 'fixtureProgrammatic', parameters: { operation: 'listtypes' } });
		expect(result.error).toBeUndefined();
		expect(sim.count('getchallenge')).toBe(2);
		expect(sim.count('login')).toBe(2);
		expect(h.store.data.userId).toBe('19x5');
	});
});

describe('faults and errors', () => {
	const faultCases: Array<[FaultKind, RegExp | null]> = [
		['http500', /^Vtiger "retrieve" failed: Vtiger crashed \(HTTP 500, empty body\) running "retrieve"$/],
		['empty', /^Vtiger "retrieve" failed: the CRM sent an empty answer \(HTTP 200\)$/],
		['truncated', /^Vtiger "retrieve" failed: the answer was cut off \(incomplete JSON, \d+ bytes, HTTP 200\)$/],
		['plainText', /^Vtiger "retrieve" failed: the CRM answered with text instead of JSON: "Sorry! Attempt to access restricted file\."$/],
		['phpWarning', null],
	];

	for (const type of ['fixtureDeclarative', 'fixtureProgrammatic']) {
		for (const [kind, expected] of faultCases) {
			test(`${type}: fault ${kind} ${expected ? 'fails only its item with a clear error' : 'does not fail a good answer'} (Continue On Fail)`, async () => {
				const h = harness();
				await h.runNode({ type: 'fixtureProgrammatic', parameters: { operation: 'listtypes' } });
				sim.faults.failNext(1, kind, 'retrieve');
				const parameters =
					type === 'fixtureDeclarative'
						? { ...retrieveEach, maxConcurrency: 1 }
						: { operation: 'retrieve', params: '={{ JSON.stringify({ id: $json.id }) }}' };
				const result = await h.runNode({ type, parameters, items: ids(3), continueOnFail: true });
				expect(result.error).toBeUndefined();
				expect(result.items).toHaveLength(3);
				const failed = result.items.filter((item) => (item.json as IDataObject).error !== undefined);
				const good = result.items.filter((item) => item.json.id === '19x1');
				if (expected) {
					expect(failed).toHaveLength(1);
					expect(result.errors[0]).toMatch(expected);
					expect(good).toHaveLength(2);
				} else {
					expect(failed).toHaveLength(0);
					expect(good).toHaveLength(3);
				}
				everything.push(result.items);
			});
		}
	}

	test('without Continue On Fail the run stops with the error, its description and HTTP code', async () => {
		const h = harness();
		sim.faults.failNext(1, 'http500', 'retrieve');
		const result = await h.runNode({ type: 'fixtureDeclarative', parameters: retrieveEach, items: ids(1) });
		expect(result.error?.message).toBe('Vtiger "retrieve" failed: Vtiger crashed (HTTP 500, empty body) running "retrieve"');
		expect(result.error?.description).toMatch(/unhandled PHP error/);
		expect((result.error as unknown as { httpCode?: string }).httpCode).toBe('500');
		everything.push(result.error);
	});

	test('Vtiger errors carry Vtiger\'s code and message', async () => {
		const h = harness();
		const result = await h.runNode({
			type: 'fixtureDeclarative',
			parameters: { operation: 'retrieve', id: '12x999999' },
		});
		expect(result.error?.message).toMatch(
			/^Vtiger "retrieve" failed: ACCESS_DENIED – Permission to perform the operation is denied/,
		);
		expect(result.error?.description).toMatch(/missing or deleted record/);
		everything.push(result.error);
	});

	test('a non-admin on a Vtiger that hides every module (stock 8.3.0, issue #1934): the error says so', async () => {
		sim.setProfile('stock-8.3-php8');
		try {
			const h = harness({ username: sim.user.username, accessKey: sim.user.accessKey });
			const r = await h.runNode({ type: 'vtiger', parameters: { resource: 'record', operation: 'get', module: 'Contacts', recordId: { __rl: true, mode: 'id', value: '12x1' } } });
			expect(r.error?.message).toBe(
				'Vtiger "describe" failed: ACCESS_DENIED – Permission to perform the operation is denied: this Vtiger shows no module to users who are not administrators (Vtiger 8.3.0, issue #1934)',
			);
			expect(r.error?.description).toMatch(/^Vtiger lists only Groups, Currency, .* to "labuser" \(listtypes\), none of the CRM's modules/);
		} finally {
			sim.setProfile('positional');
			clearAccessHints();
		}
		const positional = harness({ username: sim.user.username, accessKey: sim.user.accessKey });
		const missing = await positional.runNode({ type: 'vtiger', parameters: { resource: 'record', operation: 'get', module: 'Contacts', recordId: { __rl: true, mode: 'id', value: '12x999999' } } });
		expect(missing.error?.message).toBe('Vtiger "retrieve" failed: no Contacts record 12x999999 – it does not exist, was deleted, or "labuser" may not see it');
	});

	test('stock 8.3.0 + PHP 8 crash of sync names the known bug', async () => {
		const h = harness();
		sim.setProfile('stock-8.3-php8');
		const result = await h.runNode({
			type: 'fixtureProgrammatic',
			parameters: { operation: 'sync', params: '{"modifiedTime": 1, "elementType": "Contacts"}' },
		});
		expect(result.error?.message).toBe('Vtiger "sync" failed: Vtiger crashed (HTTP 500, empty body) running "sync"');
		expect(result.error?.description).toMatch(/known bug of stock Vtiger 8\.3\.0 on PHP 8/);
		everything.push(result.error);
	});

	test('a hanging CRM gives a timeout error naming the operation', async () => {
		const h = harness();
		await h.runNode({ type: 'fixtureProgrammatic', parameters: { operation: 'listtypes' } });
		sim.faults.failNext(1, 'hang', 'retrieve');
		const result = await h.runNode({
			type: 'fixtureDeclarative',
			parameters: { ...retrieveEach, requestOptions: { timeout: 300 } },
			items: ids(2),
			continueOnFail: true,
		});
		expect(result.errors).toEqual(['Vtiger "retrieve" failed: no answer from the CRM within the timeout']);
		expect(result.items.filter((item) => item.json.id === '19x1')).toHaveLength(1);
		everything.push(result.items);
	});

	test('POST operations get a form-encoded body with JSON-encoded element, wherever the routing put them', async () => {
		const h = harness();
		const result = await h.runNode({
			type: 'fixtureDeclarative',
			parameters: { operation: 'create', elementType: 'Contacts', element: '{"lastname":"Transport O\'Brien \\\\ \\"q\\"","assigned_user_id":"19x1"}' },
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.lastname).toBe('Transport O\'Brien \\ "q"');
		const create = sim.log.find((entry) => entry.operation === 'create');
		expect(create?.method).toBe('POST');
		everything.push(result.items);
	});
});

describe('concurrency cap', () => {
	test('routed requests to one CRM in flight are capped by maxConcurrency', async () => {
		const h = harness();
		await h.runNode({ type: 'fixtureProgrammatic', parameters: { operation: 'listtypes' } });
		sim.faults.latencyMs = 20;
		sim.resetMaxInFlight();
		// a request left hanging by an earlier test still counts as in flight on the server
		const baseline = sim.maxInFlight;
		const started = Date.now();
		const result = await h.runNode({
			type: 'fixtureDeclarative',
			parameters: { ...retrieveEach, maxConcurrency: 3 },
			items: ids(24),
		});
		const elapsed = Date.now() - started;
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(24);
		expect(sim.maxInFlight - baseline).toBe(3);
		expect(elapsed).toBeGreaterThanOrEqual(8 * 20 - 5);
	});
});

afterAll(() => {
	// No output, error message or log line contains the access key or a session id.
	const secrets = [
		sim.admin.accessKey,
		sim.user.accessKey,
		...harnesses.flatMap((h) => secretsOf(h)),
	];
	expect(secrets.length).toBeGreaterThan(3);
	assertNoSecrets(everything, secrets);
	for (const h of harnesses) assertNoSecrets(h.logs, secrets);
});
