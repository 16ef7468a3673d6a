import type { ResourceMapperField } from 'n8n-workflow';

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

beforeEach(() => sim.clearLog());

const byId = (fields: ResourceMapperField[], id: string) => fields.find((f) => f.id === id);

describe('loadOptions', () => {
	test('getModules lists entity modules by label, not Groups or Currency', async () => {
		const options = await h.loadOptions('getModules', { resource: 'record', operation: 'get' });
		expect(options).toContainEqual({ name: 'Organizations (Accounts)', value: 'Accounts' });
		expect(options).toContainEqual({ name: 'Contacts', value: 'Contacts' });
		expect(options.map((o) => o.value)).not.toContain('Groups');
		expect(options.map((o) => o.name)).toEqual([...options.map((o) => o.name)].sort((a, b) => a.localeCompare(b)));
	});

	test('getAllModules includes the non-entity modules', async () => {
		const options = await h.loadOptions('getAllModules', { resource: 'module', operation: 'describe' });
		expect(options.map((o) => o.value)).toEqual(expect.arrayContaining(['Groups', 'Currency', 'Contacts']));
	});

	test('getFields lists the chosen module\'s fields from describe', async () => {
		const options = await h.loadOptions('getFields', { resource: 'record', operation: 'getAll', module: 'Calendar' });
		expect(options).toContainEqual(expect.objectContaining({ name: 'Status (taskstatus)', value: 'taskstatus' }));
		expect(options).toContainEqual(expect.objectContaining({ name: 'Status (eventstatus)', value: 'eventstatus' }));
		expect(options).toContainEqual(expect.objectContaining({ name: 'Subject', value: 'subject' }));
	});
});

describe('listSearch searchRecords', () => {
	test('finds records by the module\'s label fields, with IDs and CRM links', async () => {
		const rec = sim.store.insert('Contacts', { firstname: 'Searchable', lastname: "O'Neil" });
		const result = await h.listSearch('searchRecords', "o'nei", undefined, { resource: 'record', operation: 'get', module: 'Contacts' });
		expect(result.results).toEqual([
			{
				name: "Searchable O'Neil",
				value: rec.id,
				url: `${sim.baseUrl}/index.php?module=Contacts&view=Detail&record=${String(rec.id).split('x')[1]}`,
			},
		]);
		expect(sim.log.find((e) => e.operation === 'query')?.params.query).toBe(
			"SELECT firstname, lastname FROM Contacts WHERE firstname LIKE '%o''nei%' OR lastname LIKE '%o''nei%' LIMIT 0, 100;",
		);
	});

	test('pages with a token when a page is full', async () => {
		for (let i = 0; i < 130; i++) sim.store.insert('Vendors', { vendorname: `Vendor ${i}` });
		const first = await h.listSearch('searchRecords', 'Vendor', undefined, { module: 'Vendors' });
		expect(first.results).toHaveLength(100);
		expect(first.paginationToken).toBe('100');
		const second = await h.listSearch('searchRecords', 'Vendor', first.paginationToken, { module: 'Vendors' });
		expect(second.results).toHaveLength(30);
		expect(second.paginationToken).toBeUndefined();
		expect(new Set([...first.results, ...second.results].map((r) => r.value)).size).toBe(130);
	});
});

describe('listSearch searchRecords: labels where describe names columns (issue 11, defect 3)', () => {
	const search = async (module: string, filter?: string) =>
		await h.listSearch('searchRecords', filter, undefined, { resource: 'record', operation: 'get', module });

	test.each([
		['Documents', 'notes_title'],
		['HelpDesk', 'ticket_title'],
	])('%s: the picker shows %s and searches by it although describe says "title"', async (module, field) => {
		const extra = module === 'HelpDesk' ? { ticketstatus: 'Open' } : {};
		const wanted = sim.store.insert(module, { [field]: 'Pickme alpha', ...extra });
		sim.store.insert(module, { [field]: 'Other beta', ...extra });
		const found = await search(module, 'pickme');
		expect(found.results).toEqual([expect.objectContaining({ name: 'Pickme alpha', value: wanted.id })]);
		expect(sim.log.find((e) => e.operation === 'query')?.params.query).toBe(
			`SELECT ${field} FROM ${module} WHERE ${field} LIKE '%pickme%' LIMIT 0, 100;`,
		);
	});

	test('every type lists its records without an error (ProductTaxes refuses SELECT id)', async () => {
		const types = (await h.loadOptions('getModules', { resource: 'record', operation: 'get' })).map((o) => String(o.value));
		expect(types.length).toBeGreaterThan(20);
		for (const module of ['ProductTaxes', 'LineItem', 'Groups', 'Currency', ...types]) {
			const listed = await search(module);
			expect({ module, ok: Array.isArray(listed.results) }).toEqual({ module, ok: true });
		}
		const groups = await search('Groups', 'market');
		expect(groups.results.map((r) => r.name)).toEqual(['Marketing Group']);
	});
});

describe('resourceMapping', () => {
	test('Contacts: mandatory fields required, read-only hidden, types and picklists mapped', async () => {
		const { fields } = await h.resourceMapping('getCreateFields', { resource: 'record', operation: 'create', module: 'Contacts' });
		expect(byId(fields, 'lastname')).toMatchObject({ required: true, type: 'string', displayName: 'Last Name', display: true });
		expect(byId(fields, 'assigned_user_id')).toMatchObject({ required: true, displayName: 'Assigned To', type: 'options' });
		expect(byId(fields, 'account_id')).toMatchObject({ required: false, displayName: 'Organization (Accounts)' });
		expect(byId(fields, 'donotcall')?.type).toBe('boolean');
		expect(byId(fields, 'birthday')?.type).toBe('dateTime');
		expect(byId(fields, 'leadsource')).toMatchObject({ type: 'options' });
		expect(byId(fields, 'leadsource')?.options).toContainEqual({ name: 'Web Site', value: 'Web Site' });
		for (const readOnly of ['id', 'contact_no', 'createdtime', 'modifiedtime', 'source']) {
			expect(byId(fields, readOnly)).toBeUndefined();
		}
	});

	test('SalesOrder (68 fields): every writable header field is offered, with numbers and reference hints', async () => {
		const { fields } = await h.resourceMapping('getCreateFields', { module: 'SalesOrder' });
		// without the line-level fields, the computed totals and their inputs (Line Item Totals)
		expect(fields.length).toBeGreaterThan(40);
		expect(byId(fields, 'hdnDiscountAmount')).toBeUndefined();
		expect(fields.filter((f) => f.required).map((f) => f.id).sort()).toEqual(
			expect.arrayContaining(['subject', 'account_id', 'assigned_user_id']),
		);
		expect(byId(fields, 'account_id')?.displayName).toMatch(/\(Accounts\)$/);
		expect(fields.some((f) => f.type === 'number')).toBe(true);
	});

	test('Calendar: fields sharing a label are told apart; Start is one date-time', async () => {
		const { fields } = await h.resourceMapping('getCreateFields', { module: 'Calendar' });
		expect(byId(fields, 'taskstatus')).toMatchObject({ displayName: 'Status (taskstatus)', required: true, type: 'options' });
		expect(byId(fields, 'date_start')?.type).toBe('dateTime');
		expect(byId(fields, 'parent_id')?.displayName).toBe('Related To (Accounts +8)');
	});

	test('update fields: the same fields, none required', async () => {
		const { fields } = await h.resourceMapping('getUpdateFields', { module: 'Contacts' });
		expect(byId(fields, 'lastname')).toMatchObject({ required: false });
		expect(fields.every((f) => !f.required)).toBe(true);
	});

	test('without a module there are no fields and a notice', async () => {
		const result = await h.resourceMapping('getCreateFields', { module: '' });
		expect(result).toEqual({ fields: [], emptyFieldsNotice: 'Choose a module first' });
	});
});

