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
	for (let i = 0; i < 250; i++) sim.store.insert('Contacts', { lastname: 'Page250', firstname: `P${String(i).padStart(3, '0')}` });
});

afterAll(async () => {
	await sim.stop();
});

beforeEach(() => {
	sim.faults.clear();
	sim.clearLog();
});

const queries = () => sim.log.filter((e) => e.operation === 'query');
const condition = (field: string, operator: string, value: string) => ({ field, operator, value });

async function getMany(module: string, parameters: INodeParameters, items?: IDataObject[], continueOnFail = false) {
	return await h.runNode({
		type: 'vtiger',
		parameters: { resource: 'record', operation: 'getAll', module, ...parameters },
		items,
		continueOnFail,
	});
}

async function rawQuery(query: string, returnAll: boolean) {
	return await h.runNode({ type: 'vtiger', parameters: { resource: 'record', operation: 'query', query, returnAll } });
}

describe('Get Many (query)', () => {
	test('filters become an escaped VTQL statement sent by GET with LIMIT', async () => {
		const r = await getMany('Contacts', {
			limit: 5,
			filters: { conditions: [condition('lastname', 'equal', 'Page250'), condition('firstname', 'like', 'P00%')] },
			options: { fields: ['firstname', 'lastname'] },
		});
		expect(r.error).toBeUndefined();
		const [query] = queries();
		expect(query.method).toBe('GET');
		expect(query.params.query).toBe("SELECT firstname, lastname FROM Contacts WHERE lastname = 'Page250' AND firstname LIKE 'P00%' LIMIT 0, 5;");
		expect(r.items.map((i) => i.json.firstname)).toEqual(['P000', 'P001', 'P002', 'P003', 'P004']);
		expect(Object.keys(r.items[0].json).sort()).toEqual(['firstname', 'id', 'lastname']);
		expect(r.items.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	test('Return All pages 250 records with LIMIT offset,100 until a short page, each record once', async () => {
		const r = await getMany('Contacts', {
			returnAll: true,
			filters: { conditions: [condition('lastname', 'equal', 'Page250')] },
		});
		expect(r.error).toBeUndefined();
		expect(queries().map((q) => q.params.query.replace(/.* LIMIT /, 'LIMIT '))).toEqual([
			'LIMIT 0, 100;',
			'LIMIT 100, 100;',
			'LIMIT 200, 100;',
		]);
		expect(r.items).toHaveLength(250);
		expect(new Set(r.items.map((i) => i.json.id)).size).toBe(250);
	});

	test('Limit 150 takes a full page and then the 50 missing', async () => {
		const r = await getMany('Contacts', { limit: 150, filters: { conditions: [condition('lastname', 'equal', 'Page250')] } });
		expect(r.items).toHaveLength(150);
		expect(queries().map((q) => q.params.query.replace(/.* LIMIT /, 'LIMIT '))).toEqual(['LIMIT 0, 100;', 'LIMIT 100, 50;']);
	});

	test('sort and OR are passed through', async () => {
		const r = await getMany('Contacts', {
			limit: 3,
			combine: 'OR',
			filters: { conditions: [condition('firstname', 'equal', 'P001'), condition('firstname', 'equal', 'P002'), condition('firstname', 'in', 'P003, P004')] },
			options: { sortField: 'firstname', sortDirection: 'DESC' },
		});
		expect(queries()[0].params.query).toBe(
			"SELECT * FROM Contacts WHERE firstname = 'P001' OR firstname = 'P002' OR firstname IN ('P003','P004') ORDER BY firstname DESC LIMIT 0, 3;",
		);
		expect(r.items.map((i) => i.json.firstname)).toEqual(['P004', 'P003', 'P002']);
	});

	test('values with \' and \\ return exactly the matching records', async () => {
		const tricky = ["O'Brien", 'back\\slash', "both\\'mixed", "end\\"];
		for (const lastname of tricky) sim.store.insert('Contacts', { lastname, firstname: 'Esc' });
		sim.store.insert('Contacts', { lastname: 'OBrien', firstname: 'Esc' });
		for (const lastname of tricky) {
			sim.clearLog();
			const r = await getMany('Contacts', { returnAll: true, filters: { conditions: [condition('lastname', 'equal', lastname)] } });
			expect(r.error).toBeUndefined();
			expect(r.items.map((i) => i.json.lastname)).toEqual([lastname]);
		}
		const r = await getMany('Contacts', {
			returnAll: true,
			filters: { conditions: [condition('lastname', 'in', JSON.stringify(tricky))] },
		});
		expect(r.items.map((i) => i.json.lastname).sort()).toEqual([...tricky].sort());
	});

	test('hostile values change nothing: no extra rows, no deleted records', async () => {
		const deleted = sim.store.insert('Contacts', { lastname: 'DeletedVictim' });
		sim.store.remove(String(deleted.id));
		for (const value of ["a\\' or lastname = ') or 1=1 -- ", "' OR '1'='1", "x'; DELETE FROM Contacts; --", '\\', "\\'"]) {
			const r = await getMany('Contacts', { returnAll: true, filters: { conditions: [condition('lastname', 'equal', value)] } });
			expect(r.error).toBeUndefined();
			expect(r.items).toEqual([]);
		}
		const r = await getMany('Contacts', { returnAll: true, filters: { conditions: [condition('lastname', 'like', "%' OR lastname LIKE '%")] } });
		expect(r.items).toEqual([]);
		expect(sim.log.filter((e) => ['create', 'update', 'revise', 'delete'].includes(String(e.operation)))).toHaveLength(0);
	});

	test.each([
		[{ conditions: [condition('nosuchfield', 'equal', 'x')] }, {}, /^Filters › Field: Contacts has no field "nosuchfield"/],
		[{ conditions: [condition('lastname', 'equal', '')] }, {}, /^Filters › Value: Vtiger cannot compare with an empty value/],
		[{ conditions: [condition('lastname', 'in', '[not json')] }, {}, /^Filters › Value: "\[not json" is not valid JSON/],
		[{}, { fields: ['lastname', 'deleted'] }, /^Options › Fields to Return: Contacts has no field "deleted"/],
		[{}, { sortField: 'nope' }, /^Options › Sort By: Contacts has no field "nope"/],
	])('bad input fails before any query: %j %j', async (filters, options, message) => {
		const r = await getMany('Contacts', { filters, options });
		expect(r.error?.message).toMatch(message);
		expect(queries()).toHaveLength(0);
	});

	test('10,000 records: Return All makes 101 requests and returns each record once', async () => {
		for (let i = 0; i < 10_000; i++) sim.store.insert('Leads', { lastname: `Lead${i}`, company: 'Bulk' });
		sim.clearLog();
		const r = await getMany('Leads', { returnAll: true, filters: { conditions: [condition('company', 'equal', 'Bulk')] }, options: { fields: ['lastname'] } });
		expect(r.error).toBeUndefined();
		expect(r.items).toHaveLength(10_000);
		expect(new Set(r.items.map((i) => i.json.id)).size).toBe(10_000);
		expect(queries()).toHaveLength(101);
	}, 120_000);
});

describe('Query (raw VTQL)', () => {
	test('Return All off: the statement goes as written, its own LIMIT respected', async () => {
		const r = await rawQuery("select firstname from Contacts where lastname = 'Page250' limit 7", false);
		expect(r.error).toBeUndefined();
		expect(queries().map((q) => q.params.query)).toEqual(["select firstname from Contacts where lastname = 'Page250' limit 7;"]);
		expect(r.items).toHaveLength(7);
	});

	test('Return All on pages past the 100-row cap, replacing the statement\'s LIMIT', async () => {
		const r = await rawQuery("SELECT id FROM Contacts WHERE lastname = 'Page250' LIMIT 5;", true);
		expect(r.error).toBeUndefined();
		expect(r.items).toHaveLength(250);
		expect(queries().map((q) => q.params.query)).toEqual([
			"SELECT id FROM Contacts WHERE lastname = 'Page250' LIMIT 0, 100;",
			"SELECT id FROM Contacts WHERE lastname = 'Page250' LIMIT 100, 100;",
			"SELECT id FROM Contacts WHERE lastname = 'Page250' LIMIT 200, 100;",
		]);
	});

	test('Vtiger\'s syntax error comes back with its code', async () => {
		const r = await rawQuery('select firstname from Contacts where firstname <> 1;', false);
		expect(r.error?.message).toMatch(/Vtiger "query" failed: QUERY_SYNTAX_ERROR/);
	});

	test('an empty query fails before any request', async () => {
		const r = await rawQuery('  ', false);
		expect(r.error?.message).toMatch(/^Query: enter a VTQL query/);
		expect(queries()).toHaveLength(0);
	});
});
