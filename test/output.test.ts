import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator } from './simulator';
import type { Simulator } from './simulator';
import { createHarness } from './harness';
import type { Harness } from './harness';

let sim: Simulator;
let admin: Harness;
let labuser: Harness;
let account: IDataObject;

beforeAll(async () => {
	sim = await startSimulator();
	admin = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
	labuser = createHarness({ baseUrl: sim.baseUrl, username: sim.user.username, accessKey: sim.user.accessKey });
	account = sim.store.insert('Accounts', { accountname: 'Acme Output' });
});

afterAll(async () => {
	await sim.stop();
});

beforeEach(() => {
	sim.faults.clear();
	sim.clearLog();
});

const rl = (value: string) => ({ __rl: true, mode: 'id', value });
const queriesOf = (module: string) =>
	sim.log.filter((e) => e.operation === 'query' && new RegExp(`FROM ${module}\\b`).test(String(e.params.query)));

async function run(parameters: IDataObject, typeVersion?: number, h: Harness = admin, items?: IDataObject[]) {
	return await h.runNode({
		type: 'vtiger',
		parameters: { resource: 'record', ...parameters } as INodeParameters,
		typeVersion,
		items,
	});
}

describe('Simplify', () => {
	test('version 2 simplifies by default: typed booleans and numbers, no empty fields, the record\'s label', async () => {
		const contact = sim.store.insert('Contacts', { firstname: 'Sim', lastname: 'Plify', emailoptout: '1', donotcall: '0' });
		const r = await run({ operation: 'get', module: 'Contacts', recordId: rl(String(contact.id)) }, 2);
		expect(r.error).toBeUndefined();
		const json = r.items[0].json;
		expect(json).toMatchObject({ id: contact.id, firstname: 'Sim', lastname: 'Plify', emailoptout: true, donotcall: false, label: 'Sim Plify' });
		expect(Object.values(json)).not.toContain('');
		expect(json).not.toHaveProperty('phone');
		expect(r.items[0].pairedItem).toEqual({ item: 0 });
	});

	test('version 1 keeps Vtiger\'s raw answer (saved workflows do not change)', async () => {
		const contact = sim.store.insert('Contacts', { lastname: 'RawOne', emailoptout: '1' });
		const r = await run({ operation: 'get', module: 'Contacts', recordId: rl(String(contact.id)) }, 1);
		expect(r.items[0].json).toMatchObject({ emailoptout: '1', phone: '' });
	});

	test('Simplify off in version 2 gives the raw answer', async () => {
		const contact = sim.store.insert('Contacts', { lastname: 'RawTwo', emailoptout: '1' });
		const r = await run({ operation: 'get', module: 'Contacts', recordId: rl(String(contact.id)), simplify: false }, 2);
		expect(r.items[0].json).toMatchObject({ emailoptout: '1', phone: '' });
	});

	test('numbers by describe type: integer, double and currency become numbers, phone numbers stay text', async () => {
		const r = await run(
			{
				operation: 'create',
				module: 'Potentials',
				columns: {
					mappingMode: 'defineBelow',
					value: { potentialname: 'Typed deal', amount: 1234.5, probability: 40, sales_stage: 'Prospecting', closingdate: '2026-12-31', assigned_user_id: '19x1', related_to: account.id },
				},
			},
			2,
		);
		expect(r.error).toBeUndefined();
		const json = r.items[0].json;
		expect(json.amount).toBe(1234.5);
		expect(json.probability).toBe(40);
		expect(json.label).toBe('Typed deal');
		const lead = sim.store.insert('Leads', { lastname: 'Phoney', company: 'P', phone: '0049 30 1234' });
		const got = await run({ operation: 'get', module: 'Leads', recordId: rl(String(lead.id)) }, 2);
		expect(got.items[0].json.phone).toBe('0049 30 1234');
	});

	test('Get Many and Query simplify every record of every page', async () => {
		for (let i = 0; i < 3; i++) sim.store.insert('Contacts', { lastname: 'ManySimple', emailoptout: '1' });
		const many = await run({ operation: 'getAll', module: 'Contacts', returnAll: true, filters: { conditions: [{ field: 'lastname', operator: 'equal', value: 'ManySimple' }] } }, 2);
		expect(many.items).toHaveLength(3);
		expect(many.items.every((item) => item.json.emailoptout === true && item.json.label === 'ManySimple')).toBe(true);
		const query = await run({ operation: 'query', query: "SELECT lastname, emailoptout FROM Contacts WHERE lastname = 'ManySimple';" }, 2);
		expect(query.items.map((item) => item.json)).toEqual(
			many.items.map((item) => ({ lastname: 'ManySimple', emailoptout: true, id: item.json.id, label: 'ManySimple' })),
		);
	});

	test('Get Changes in version 2: one typed item per changed record', async () => {
		const since = sim.clock.now();
		sim.store.insert('Contacts', { lastname: 'Changed', emailoptout: '1' }, { modifiedtime: since + 5 });
		const r = await run({ operation: 'getChanges', module: 'Contacts', since: since + 1, returnAll: true }, 2);
		const changed = r.items.find((item) => item.json.lastname === 'Changed');
		expect(changed?.json.emailoptout).toBe(true);
		expect(changed?.json).not.toHaveProperty('phone');
	});
});

describe('Reference labels', () => {
	test('owner and reference fields get their labels from one query per referenced module', async () => {
		const contacts = [0, 1, 2].map((i) =>
			sim.store.insert('Contacts', { lastname: `Ref${i}`, account_id: account.id }),
		);
		sim.clearLog();
		const r = await run(
			{ operation: 'getAll', module: 'Contacts', returnAll: true, filters: { conditions: [{ field: 'lastname', operator: 'like', value: 'Ref%' }] }, options: { referenceLabels: true } },
			2,
		);
		expect(r.error).toBeUndefined();
		expect(r.items.map((item) => item.json.id)).toEqual(contacts.map((c) => c.id));
		for (const item of r.items) {
			expect(item.json).toMatchObject({ account_id: account.id, account_id_label: 'Acme Output', assigned_user_id: '19x1' });
			expect(String(item.json.assigned_user_id_label)).toMatch(/\S/);
		}
		expect(queriesOf('Accounts')).toHaveLength(1);
		expect(queriesOf('Users')).toHaveLength(1);
		expect(String(queriesOf('Accounts')[0].params.query)).toBe(`SELECT accountname FROM Accounts WHERE id IN ('${String(account.id)}') LIMIT 0, 100;`);
	});

	test('a group owner gets the group\'s name', async () => {
		const contact = sim.store.insert('Contacts', { lastname: 'GroupOwned' }, { ownerId: '20x3' });
		const r = await run({ operation: 'get', module: 'Contacts', recordId: rl(String(contact.id)), options: { referenceLabels: true } }, 2);
		expect(r.items[0].json).toMatchObject({ assigned_user_id: '20x3', assigned_user_id_label: 'Marketing Group' });
	});

	test('250 records over three pages: one Accounts query per page of distinct accounts, never one per record', async () => {
		const accounts = Array.from({ length: 250 }, (_, i) => sim.store.insert('Accounts', { accountname: `Bulk Org ${i}` }));
		for (const [i, org] of accounts.entries()) sim.store.insert('Contacts', { lastname: 'BulkRef', firstname: `B${i}`, account_id: org.id });
		sim.clearLog();
		const r = await run(
			{ operation: 'getAll', module: 'Contacts', returnAll: true, filters: { conditions: [{ field: 'lastname', operator: 'equal', value: 'BulkRef' }] }, options: { referenceLabels: true } },
			2,
		);
		expect(r.items).toHaveLength(250);
		expect(r.items.every((item, i) => item.json.account_id_label === `Bulk Org ${i}`)).toBe(true);
		expect(queriesOf('Contacts')).toHaveLength(3);
		expect(queriesOf('Accounts')).toHaveLength(3);
		expect(queriesOf('Users')).toHaveLength(1);
		expect(sim.count('retrieve')).toBe(0);
	});

	test('labels of records the user may not see are left out, not an error', async () => {
		const hidden = sim.store.insert('Accounts', { accountname: 'Hidden Org' });
		const contact = sim.store.insert('Contacts', { lastname: 'SeesLittle', account_id: hidden.id }, { ownerId: '19x5' });
		sim.store.remove(String(hidden.id));
		const r = await run({ operation: 'get', module: 'Contacts', recordId: rl(String(contact.id)), options: { referenceLabels: true } }, 2);
		expect(r.error).toBeUndefined();
		expect(r.items[0].json).not.toHaveProperty('account_id_label');
		expect(r.items[0].json.assigned_user_id_label).toBeDefined();
	});

	test('a non-admin may not query Users: the owner stays without a label, the rest works', async () => {
		const contact = sim.store.insert('Contacts', { lastname: 'NonAdmin', account_id: account.id }, { ownerId: '19x5' });
		const r = await run({ operation: 'get', module: 'Contacts', recordId: rl(String(contact.id)), options: { referenceLabels: true } }, 2, labuser);
		expect(r.error).toBeUndefined();
		expect(r.items[0].json).toMatchObject({ account_id_label: 'Acme Output' });
		expect(r.items[0].json).not.toHaveProperty('assigned_user_id_label');
	});

	test('off by default: no extra request', async () => {
		const contact = sim.store.insert('Contacts', { lastname: 'NoRefs', account_id: account.id });
		sim.clearLog();
		const r = await run({ operation: 'get', module: 'Contacts', recordId: rl(String(contact.id)) }, 2);
		expect(r.items[0].json).not.toHaveProperty('account_id_label');
		expect(sim.count('query')).toBe(0);
	});
});

describe('Date-times as ISO 8601', () => {
	test('createdtime and modifiedtime are UTC instants, shown in the workflow\'s zone with its offset', async () => {
		const at = Date.UTC(2026, 6, 1, 8, 30, 0) / 1000;
		const contact = sim.store.insert('Contacts', { lastname: 'IsoTime' }, { createdtime: at, modifiedtime: at });
		const r = await run({ operation: 'get', module: 'Contacts', recordId: rl(String(contact.id)), options: { isoDateTimes: true } }, 2);
		const json = r.items[0].json;
		expect(new Date(String(json.createdtime)).getTime()).toBe(at * 1000);
		expect(String(json.modifiedtime)).toMatch(/^2026-07-01T\d{2}:30:00(Z|[+-]\d{2}:\d{2})$/);
	});
});
