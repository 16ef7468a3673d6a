import type { IDataObject, INodeParameters } from 'n8n-workflow';


import { startSimulator } from '../../support/simulator';
import type { Simulator } from '../../support/simulator';
import { createHarness } from '../../support/harness';
import type { Harness } from '../../support/harness';

let sim: Simulator;
let h: Harness;

beforeAll(async () => {
	sim = await startSimulator();
	h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
});

afterAll(async () => {
	await sim.stop();
});

beforeEach(() => {
	sim.faults.clear();
	sim.faults.latencyMs = 0;
	sim.clearLog();
});

const WRITES = ['create', 'update', 'revise', 'delete'];
const writes = () => sim.log.filter((e) => WRITES.includes(String(e.operation)));
const logOf = (operation: string) => sim.log.filter((e) => e.operation === operation);
const rl = (value: string, mode = 'id') => ({ __rl: true, mode, value });

async function run(parameters: IDataObject, items?: IDataObject[], continueOnFail = false) {
	return await h.runNode({ type: 'vtiger', parameters: { resource: 'record', ...parameters } as INodeParameters, items, continueOnFail });
}

function contact(lastname: string, extra: Record<string, unknown> = {}) {
	return sim.store.insert('Contacts', { lastname, ...extra });
}

describe('Get (retrieve)', () => {
	test('by ID sends one GET retrieve with the id in the query string', async () => {
		const rec = contact('GetById', { firstname: 'Gina' });
		const r = await run({ operation: 'get', module: 'Contacts', recordId: rl(String(rec.id)) });
		expect(r.error).toBeUndefined();
		expect(r.items).toHaveLength(1);
		expect(r.items[0].json).toMatchObject({ id: rec.id, lastname: 'GetById', firstname: 'Gina' });
		expect(r.items[0].pairedItem).toEqual({ item: 0 });
		const [retrieve] = logOf('retrieve');
		expect(retrieve.method).toBe('GET');
		expect(retrieve.params).toMatchObject({ operation: 'retrieve', id: rec.id });
		expect(writes()).toHaveLength(0);
	});

	test('a bare number is completed with the module\'s idPrefix', async () => {
		const rec = contact('GetByNumber');
		const crmid = String(rec.id).split('x')[1];
		const r = await run({ operation: 'get', module: 'Contacts', recordId: rl(crmid) });
		expect(r.error).toBeUndefined();
		expect(r.items[0].json.lastname).toBe('GetByNumber');
		expect(logOf('retrieve')[0].params.id).toBe(`12x${crmid}`);
	});

	test('by URL of the CRM detail view', async () => {
		const rec = contact('GetByUrl');
		const crmid = String(rec.id).split('x')[1];
		const url = `${sim.baseUrl}/index.php?module=Contacts&view=Detail&record=${crmid}&app=MARKETING`;
		const r = await run({ operation: 'get', module: 'Contacts', recordId: rl(url, 'url') });
		expect(r.error).toBeUndefined();
		expect(r.items[0].json.lastname).toBe('GetByUrl');
	});

	test('one output item per input item, paired to it, ids from expressions', async () => {
		const recs = [contact('Pair0'), contact('Pair1'), contact('Pair2')];
		const r = await run(
			{ operation: 'get', module: 'Contacts', recordId: rl('={{ $json.id }}') },
			recs.map((rec) => ({ id: rec.id })),
		);
		expect(r.items.map((i) => i.json.lastname)).toEqual(['Pair0', 'Pair1', 'Pair2']);
		expect(r.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	test.each([
		['abc', /"abc" is neither a Vtiger ID like 12x87 nor a number/],
		['12x', /neither a Vtiger ID/],
		['12x3x4', /neither a Vtiger ID/],
		['11x2', /"11x2" is not a Contacts ID/],
	])('id %s (from an expression) fails before any retrieve, naming the parameter', async (value, message) => {
		const r = await run({ operation: 'get', module: 'Contacts', recordId: rl('={{ $json.id }}') }, [{ id: value }]);
		expect(r.error?.message).toMatch(/^Record: /);
		expect(r.error?.message).toMatch(message);
		expect(logOf('retrieve')).toHaveLength(0);
	});

	test('a link that is not a record link fails before any request', async () => {
		const r = await run({ operation: 'get', module: 'Contacts', recordId: rl('={{ $json.url }}', 'url') }, [
			{ url: 'https://crm.example.com/index.php?module=Contacts' },
		]);
		expect(r.error?.message).toMatch(/Record: .* is not a link to a CRM record/);
		expect(logOf('retrieve')).toHaveLength(0);
	});

	test('a link to another module\'s record fails before any request', async () => {
		const r = await run({ operation: 'get', module: 'Contacts', recordId: rl(`${sim.baseUrl}/index.php?module=Accounts&view=Detail&record=2`, 'url') });
		expect(r.error?.message).toMatch(/Record: the link points to a Accounts record, not to Contacts/);
		expect(logOf('retrieve')).toHaveLength(0);
	});

	test('a typed invalid ID is flagged by the editor\'s validation before the run starts', async () => {
		await expect(run({ operation: 'get', module: 'Contacts', recordId: rl('abc') })).rejects.toThrow(/Not a Vtiger ID: use 12x87 or 87/);
		expect(logOf('retrieve')).toHaveLength(0);
	});

	test('Continue On Fail: a missing record becomes an error item with Vtiger\'s code, the others succeed', async () => {
		const ok = contact('StillHere');
		const gone = contact('Gone');
		sim.store.remove(String(gone.id));
		const r = await run(
			{ operation: 'get', module: 'Contacts', recordId: rl('={{ $json.id }}') },
			[{ id: ok.id }, { id: gone.id }, { id: 'garbage' }],
			true,
		);
		expect(r.error).toBeUndefined();
		expect(r.items).toHaveLength(3);
		expect(r.items[0].json.lastname).toBe('StillHere');
		expect(String(r.items[1].json.error)).toBe(
			`Vtiger "retrieve" failed: no Contacts record ${String(gone.id)} – it does not exist, was deleted, or "admin" may not see it`,
		);
		expect(String(r.items[2].json.error)).toMatch(/Record: "garbage" is neither/);
		expect(logOf('retrieve')).toHaveLength(2);
	});

	test('without Continue On Fail the Vtiger error stops the run: the missing record first, Vtiger\'s code in the details', async () => {
		const gone = contact('GoneToo');
		sim.store.remove(String(gone.id));
		const r = await run({ operation: 'get', module: 'Contacts', recordId: rl(String(gone.id)) });
		expect(r.error?.message).toBe(`Vtiger "retrieve" failed: no Contacts record ${String(gone.id)} – it does not exist, was deleted, or "admin" may not see it`);
		expect(r.error?.description).toMatch(/^Vtiger answered ACCESS_DENIED – Permission to perform the operation is denied, which it gives alike/);
		expect((r.error as unknown as { httpCode?: string }).httpCode).toBe('ACCESS_DENIED');
	});

	test.each(['update', 'replace', 'delete'])('%s of a record that does not exist says so first, with the id', async (operation) => {
		const r = await run({
			operation,
			module: 'Contacts',
			recordId: rl('12x999999'),
			columns: { mappingMode: 'defineBelow', value: { lastname: 'Nobody' }, matchingColumns: [] },
		});
		expect(r.error?.message).toMatch(/^Vtiger "(revise|update|retrieve|delete)" failed: no Contacts record 12x999999 – it does not exist, was deleted, or "admin" may not see it$/);
	});
});

describe('Create (create)', () => {
	test('sends POST create with elementType and element JSON in the form body, values in Vtiger formats', async () => {
		const r = await run(
			{
				operation: 'create',
				module: 'Contacts',
				columns: {
					mappingMode: 'defineBelow',
					value: {
						lastname: 'Created',
						firstname: '={{ $json.first }}',
						assigned_user_id: '19x1',
						birthday: '1815-12-10',
						donotcall: true,
						leadsource: 'Web Site',
						support_start_date: '2026-01-05T00:00:00.000Z',
					},
					matchingColumns: [],
					schema: (await h.resourceMapping('getCreateFields', { module: 'Contacts' })).fields,
				},
			},
			[{ first: 'Ada' }],
		);
		expect(r.error).toBeUndefined();
		const [create] = logOf('create');
		expect(create.method).toBe('POST');
		expect(create.params.elementType).toBe('Contacts');
		expect(JSON.parse(create.params.element)).toEqual({
			lastname: 'Created',
			firstname: 'Ada',
			assigned_user_id: '19x1',
			birthday: '1815-12-10',
			donotcall: '1',
			leadsource: 'Web Site',
			support_start_date: '2026-01-05',
		});
		expect(r.items).toHaveLength(1);
		expect(r.items[0].json).toMatchObject({ lastname: 'Created', firstname: 'Ada', birthday: '1815-12-10' });
		expect(String(r.items[0].json.id)).toMatch(/^12x\d+$/);
		expect(r.items[0].pairedItem).toEqual({ item: 0 });
	});

	test('Map Automatically takes the input item\'s fields of the module and ignores the rest', async () => {
		const r = await run(
			{ operation: 'create', module: 'Accounts', columns: { mappingMode: 'autoMapInputData', value: null } },
			[{ accountname: 'Auto Org', assigned_user_id: '19x1', notAField: 'x', employees: '12' }],
		);
		expect(r.error).toBeUndefined();
		expect(JSON.parse(logOf('create')[0].params.element)).toEqual({
			accountname: 'Auto Org',
			assigned_user_id: '19x1',
			employees: 12,
		});
	});

	test('a missing mandatory field fails before any create, naming it', async () => {
		const r = await run({
			operation: 'create',
			module: 'Contacts',
			columns: { mappingMode: 'defineBelow', value: { firstname: 'NoLast', assigned_user_id: '19x1' } },
		});
		expect(r.error?.message).toMatch(/^Fields: Contacts needs "Last Name"/);
		expect(writes()).toHaveLength(0);
	});

	test('an owner that is not a user or group ID fails before any create', async () => {
		const r = await run({
			operation: 'create',
			module: 'Contacts',
			columns: { mappingMode: 'defineBelow', value: { lastname: 'X', assigned_user_id: '1' } },
		});
		expect(r.error?.message).toMatch(/Fields › Assigned To: "1" is not a Vtiger record ID/);
		expect(writes()).toHaveLength(0);
	});

	test('a field the module does not have fails before any create', async () => {
		const r = await run({
			operation: 'create',
			module: 'Contacts',
			columns: { mappingMode: 'defineBelow', value: { lastname: 'X', assigned_user_id: '19x1', nosuchfield: 'x' } },
		});
		expect(r.error?.message).toMatch(/Contacts has no field "nosuchfield"/);
		expect(writes()).toHaveLength(0);
	});
});

describe('Update (revise) and Replace (update)', () => {
	test('Update sends revise with the id and only the fields given', async () => {
		const rec = contact('Rev', { firstname: 'Keep', title: 'Old' });
		const r = await run({
			operation: 'update',
			module: 'Contacts',
			recordId: rl(String(rec.id)),
			columns: { mappingMode: 'defineBelow', value: { title: 'New' } },
		});
		expect(r.error).toBeUndefined();
		const [revise] = logOf('revise');
		expect(revise.method).toBe('POST');
		expect(JSON.parse(revise.params.element)).toEqual({ title: 'New', id: rec.id });
		expect(r.items[0].json).toMatchObject({ id: rec.id, title: 'New', firstname: 'Keep', lastname: 'Rev' });
	});

	test('Update without fields fails before any request', async () => {
		const rec = contact('RevNothing');
		const r = await run({
			operation: 'update',
			module: 'Contacts',
			recordId: rl(String(rec.id)),
			columns: { mappingMode: 'defineBelow', value: {} },
		});
		expect(r.error?.message).toMatch(/Fields: add at least one field/);
		expect(writes()).toHaveLength(0);
	});

	test('Replace sends update with the mandatory fields not given taken from the current record', async () => {
		const rec = contact('Repl', { firstname: 'Keep', assigned_user_id: '20x3' });
		const r = await run({
			operation: 'replace',
			module: 'Contacts',
			recordId: rl(String(rec.id)),
			columns: { mappingMode: 'defineBelow', value: { title: 'Replaced' } },
		});
		expect(r.error).toBeUndefined();
		expect(logOf('retrieve')).toHaveLength(1);
		const [update] = logOf('update');
		expect(JSON.parse(update.params.element)).toEqual({
			title: 'Replaced',
			lastname: 'Repl',
			assigned_user_id: '20x3',
			id: rec.id,
		});
		expect(r.items[0].json).toMatchObject({ title: 'Replaced', lastname: 'Repl', firstname: 'Keep' });
	});
});

describe('Delete (delete)', () => {
	test('sends POST delete with the id and says which record went', async () => {
		const rec = contact('ToDelete');
		const r = await run({ operation: 'delete', module: 'Contacts', recordId: rl(String(rec.id)) });
		expect(r.error).toBeUndefined();
		const [del] = logOf('delete');
		expect(del.method).toBe('POST');
		expect(del.params.id).toBe(rec.id);
		expect(r.items).toEqual([{ json: { id: rec.id, status: 'successful' }, pairedItem: { item: 0 } }]);
		expect(sim.store.get(String(rec.id))?.deleted ?? true).toBe(true);
	});
});

describe('sessions and concurrency', () => {
	test('a session Vtiger dropped mid-run is renewed and every item still succeeds', async () => {
		const recs = Array.from({ length: 6 }, (_, i) => contact(`Sess${i}`));
		await run({ operation: 'get', module: 'Contacts', recordId: rl(String(recs[0].id)) });
		sim.killSessions();
		sim.clearLog();
		const r = await run(
			{ operation: 'update', module: 'Contacts', recordId: rl('={{ $json.id }}'), columns: { mappingMode: 'defineBelow', value: { title: 'after kill' } } },
			recs.map((rec) => ({ id: rec.id })),
		);
		expect(r.error).toBeUndefined();
		expect(r.items.map((i) => i.json.title)).toEqual(Array(6).fill('after kill'));
		expect(sim.count('login')).toBeGreaterThanOrEqual(1);
		expect(logOf('revise').filter((e) => e.status === 200).length).toBeGreaterThanOrEqual(6);
	});

	test.each([
		['get', 'retrieve', () => ({ operation: 'get', module: 'Contacts', recordId: rl(String(contact('KillGet').id)) })],
		['getAll', 'query', () => ({ operation: 'getAll', module: 'Contacts', limit: 2 })],
		['query', 'query', () => ({ operation: 'query', query: 'SELECT id FROM Contacts LIMIT 2;' })],
		['getChanges', 'sync', () => ({ operation: 'getChanges', module: 'Contacts', since: '1' })],
		['create', 'create', () => ({ operation: 'create', module: 'Contacts', columns: { mappingMode: 'defineBelow', value: { lastname: 'KillCreate', assigned_user_id: '19x1' } } })],
		['replace (its retrieve first)', 'retrieve', () => ({ operation: 'replace', module: 'Contacts', recordId: rl(String(contact('KillRepl').id)), columns: { mappingMode: 'defineBelow', value: { title: 't' } } })],
		['delete', 'delete', () => ({ operation: 'delete', module: 'Contacts', recordId: rl(String(contact('KillDel').id)) })],
		['module getAll', 'listtypes', () => ({ resource: 'module', operation: 'getAll' })],
		['module describe', 'describe', () => ({ resource: 'module', operation: 'describe', module: 'Contacts' })],
	])('%s: after Vtiger dropped the session, one login and the %s request repeated', async (_name, operation, parameters) => {
		const params = parameters();
		await run({ operation: 'get', module: 'Contacts', recordId: rl(String(contact('Warm').id)) });
		sim.killSessions();
		sim.clearLog();
		const r = await run(params);
		expect(r.error).toBeUndefined();
		expect(r.items.length).toBeGreaterThan(0);
		expect(sim.count('login')).toBe(1);
		const calls = logOf(operation);
		expect(calls.length).toBeGreaterThanOrEqual(2);
		expect(calls[0].sessionName).not.toBe(calls[calls.length - 1].sessionName);
	});

	test('Max Concurrent Requests caps the requests in flight to the CRM', async () => {
		const recs = Array.from({ length: 30 }, (_, i) => contact(`Conc${i}`));
		await run({ operation: 'get', module: 'Contacts', recordId: rl(String(recs[0].id)) });
		sim.faults.latencyMs = 30;
		sim.resetMaxInFlight();
		const r = await run(
			{ operation: 'get', module: 'Contacts', recordId: rl('={{ $json.id }}'), maxConcurrency: 3 },
			recs.map((rec) => ({ id: rec.id })),
		);
		expect(r.error).toBeUndefined();
		expect(r.items).toHaveLength(30);
		expect(sim.maxInFlight).toBeLessThanOrEqual(3);
		expect(sim.maxInFlight).toBeGreaterThanOrEqual(2);
	});
});
