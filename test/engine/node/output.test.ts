import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator } from '../../support/simulator';
import type { Simulator } from '../../support/simulator';
import { createHarness } from '../../support/harness';
import type { Harness } from '../../support/harness';
import { SETTLE_SECONDS } from '../../../nodes/Vtiger/trigger/poll';

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

describe('Date-time pairs of events', () => {
	test('date_start + time_start and due_date + time_end become one instant each; the time fields go', async () => {
		const event = sim.store.insert('Events', {
			subject: 'Iso meeting',
			date_start: '2026-07-01',
			time_start: '08:30:00',
			due_date: '2026-07-01',
			time_end: '09:15:00',
			eventstatus: 'Planned',
			activitytype: 'Meeting',
			duration_hours: '0',
		});
		const r = await run({ operation: 'get', module: 'Events', recordId: rl(String(event.id)), options: { isoDateTimes: true } }, 2);
		expect(r.error).toBeUndefined();
		const json = r.items[0].json;
		expect(new Date(String(json.date_start)).toISOString()).toBe('2026-07-01T08:30:00.000Z');
		expect(new Date(String(json.due_date)).toISOString()).toBe('2026-07-01T09:15:00.000Z');
		expect(json).not.toHaveProperty('time_start');
		expect(json).not.toHaveProperty('time_end');
	});
});

describe('Vtiger Trigger output options', () => {
	test('reference labels and ISO date-times on polled records, one Accounts query per poll', async () => {
		const parameters = { module: 'Contacts', events: ['created', 'updated'], options: { referenceLabels: true, isoDateTimes: true } };
		// past the future modification times other tests left behind
		sim.clock.freeze(sim.clock.now() + 1000);
		const first = await admin.poll(parameters, {}, 'trigger');
		for (let i = 0; i < 3; i++) sim.store.insert('Contacts', { lastname: `Polled${i}`, account_id: account.id }, { modifiedtime: sim.clock.now() + 2 });
		// until their second is settled (the delay, and the read's own second)
		sim.clock.advance(2 + SETTLE_SECONDS + 1);
		sim.clearLog();
		const second = await admin.poll(parameters, first.staticData, 'trigger');
		const polled = (second.items ?? []).filter((item) => String(item.json.lastname).startsWith('Polled'));
		expect(polled).toHaveLength(3);
		for (const item of polled) {
			expect(item.json).toMatchObject({ event: 'created', account_id_label: 'Acme Output' });
			expect(String(item.json.modifiedtime)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
		}
		expect(queriesOf('Accounts')).toHaveLength(1);
		sim.clock.unfreeze();
	});
});

describe('Where the options show', () => {
	const { Vtiger } = require('../../../nodes/Vtiger/Vtiger.node') as typeof import('../../../nodes/Vtiger/Vtiger.node');
	const { VtigerTrigger } = require('../../../nodes/Vtiger/VtigerTrigger.node') as typeof import('../../../nodes/Vtiger/VtigerTrigger.node');
	const { NodeHelpers } = require('n8n-workflow') as typeof import('n8n-workflow');
	const description = new Vtiger().description;

	function shown(parameters: IDataObject, typeVersion: number, properties = description.properties, type = description): string[] {
		const node = { id: '1', name: 'n', type: 'x', typeVersion, position: [0, 0] as [number, number], parameters: {} };
		return properties
			.filter((property) => NodeHelpers.displayParameter(parameters as never, property, node, type))
			.map((property) => (property.type === 'collection' ? `${property.name}:${(property.options ?? []).map((o) => (o as { name: string }).name).join(',')}` : property.name));
	}

	test('new nodes are version 2; saved version 1 nodes stay', () => {
		expect(description.version).toEqual([1, 2]);
		expect(description.defaultVersion).toBe(2);
	});

	test.each(['get', 'getAll', 'query', 'getRelated', 'queryRelated', 'getChanges', 'getWithLineItems', 'create', 'update', 'replace'])(
		'%s: Simplify (version 2) and the output options',
		(operation) => {
			const v2 = shown({ resource: 'record', operation }, 2);
			expect(v2.filter((name) => name === 'simplify')).toHaveLength(1);
			const options = v2.filter((name) => name.startsWith('options:'));
			expect(options).toHaveLength(1);
			expect(options[0]).toMatch(/referenceLabels/);
			expect(options[0]).toMatch(/isoDateTimes/);
			const v1 = shown({ resource: 'record', operation }, 1);
			expect(v1.includes('simplify')).toBe(operation === 'getChanges');
		},
	);

	test.each(['delete', 'addRelated', 'convertLead', 'downloadFile'])('%s: no record output options', (operation) => {
		const v2 = shown({ resource: 'record', operation }, 2);
		expect(v2).not.toContain('simplify');
		expect(v2.some((name) => /referenceLabels|isoDateTimes/.test(name))).toBe(false);
	});

	test('resources: listed alphabetically, Record the default; Add Related says so', () => {
		const resource = description.properties.find((property) => property.name === 'resource');
		expect((resource?.options ?? []).map((option) => (option as { name: string }).name)).toEqual(['Custom Operation', 'Module', 'Record', 'Session', 'User']);
		expect(resource?.default).toBe('record');
		const operations = description.properties.find((property) => property.name === 'operation' && property.displayOptions?.show?.resource?.includes('record'));
		const addRelated = (operations?.options ?? []).find((option) => (option as { value: string }).value === 'addRelated') as { name: string; action: string };
		for (const word of addRelated.name.toLowerCase().split(' ')) expect(addRelated.action.toLowerCase()).toContain(word);
	});

	test('the trigger: output options, and the sync notice only where sync is used', () => {
		const trigger = new VtigerTrigger().description;
		const sync = shown({ module: 'Leads', events: ['created'], options: {} }, 1, trigger.properties, trigger);
		expect(sync).toContain('notice');
		expect(sync.find((name) => name.startsWith('options:'))).toMatch(/referenceLabels.*|isoDateTimes/);
		const query = shown({ module: 'Leads', events: ['created', 'deleted'], options: { source: 'query' } }, 1, trigger.properties, trigger);
		expect(query).not.toContain('notice');
		expect(query).toContain('queryNotice');
	});
});

describe('Codex', () => {
	const codex = require('../../../nodes/Vtiger/Vtiger.node.json') as { alias: string[]; resources: { primaryDocumentation: Array<{ url: string }> } };
	const pkg = require('../../../package.json') as { homepage: string };

	test.each(['contact', 'lead', 'organization', 'account', 'opportunity', 'deal', 'ticket', 'invoice', 'quote', 'order', 'product', 'task', 'event', 'comment'])(
		'"%s" finds the node',
		(word) => {
			expect(codex.alias.map((alias) => alias.toLowerCase())).toContain(word);
		},
	);

	test('the Docs link opens this package\'s README', () => {
		// the editor uses documentationUrl as it is, else the codex URL with tracking parameters appended
		const { Vtiger } = require('../../../nodes/Vtiger/Vtiger.node') as typeof import('../../../nodes/Vtiger/Vtiger.node');
		expect(new Vtiger().description.documentationUrl).toBe(pkg.homepage);
		expect(pkg.homepage.startsWith(codex.resources.primaryDocumentation[0].url)).toBe(true);
		expect(codex.resources.primaryDocumentation[0].url).not.toContain('#');
	});
});

describe('Converted leads (as on the lab)', () => {
	test('sync lists a converted lead as deleted, queries leave it out: the trigger reports no created lead', async () => {
		sim.clock.freeze(sim.clock.now() + 2000);
		const parameters = { module: 'Leads', events: ['created', 'updated', 'deleted'], options: {} };
		const first = await admin.poll(parameters, {}, 'trigger');
		const lead = sim.store.insert('Leads', { lastname: 'Converted', company: 'Conv Ltd' }, { modifiedtime: sim.clock.now() + 1 });
		sim.clock.advance(2);
		const converted = await run({ operation: 'convertLead', leadId: rl(String(lead.id)), createContact: true, contactFields: { mappingMode: 'defineBelow', value: {} } }, 2);
		expect(converted.error).toBeUndefined();
		sim.clock.advance(3);
		const second = await admin.poll(parameters, first.staticData, 'trigger');
		const mine = (second.items ?? []).filter((item) => item.json.id === lead.id).map((item) => item.json.event);
		expect(mine).toEqual(['deleted']);
		const found = await run({ operation: 'getAll', module: 'Leads', returnAll: true, filters: { conditions: [{ field: 'lastname', operator: 'equal', value: 'Converted' }] } }, 2);
		expect(found.items).toHaveLength(0);
		sim.clock.unfreeze();
	});
});

describe('Simulator as the lab: the types a non-admin reads labels from', () => {
	test('a non-admin describes Groups as read-only and may query them; Users are refused', async () => {
		const groups = await labuser.runNode({ type: 'vtiger', parameters: { resource: 'module', operation: 'describe', module: 'Groups', simplify: false } });
		expect(groups.items[0].json).toMatchObject({ createable: false, updateable: false, deleteable: false, retrieveable: true });
		const asAdmin = await admin.runNode({ type: 'vtiger', parameters: { resource: 'module', operation: 'describe', module: 'Groups', simplify: false } });
		expect(asAdmin.items[0].json).toMatchObject({ createable: true });
		const users = await labuser.runNode({ type: 'vtiger', parameters: { resource: 'module', operation: 'describe', module: 'Users', simplify: false } });
		expect(users.error?.message).toMatch(/ACCESS_DENIED/);
	});
});
