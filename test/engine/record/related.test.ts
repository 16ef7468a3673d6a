import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { createHarness } from '../../support/harness';
import type { Harness } from '../../support/harness';
import { startSimulator } from '../../support/simulator';
import type { Profile, Simulator } from '../../support/simulator';

const rl = (value: string, mode = 'id') => ({ __rl: true, mode, value });

describe.each<Profile>(['positional', 'stock-8.3-php8'])('related records (%s)', (profile) => {
	let sim: Simulator;
	let h: Harness;

	beforeAll(async () => {
		sim = await startSimulator({ profile });
		h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
	});
	afterAll(async () => await sim.stop());
	beforeEach(() => {
		sim.faults.clear();
		sim.clearLog();
	});

	const logOf = (operation: string) => sim.log.filter((e) => e.operation === operation);
	const run = async (parameters: INodeParameters, continueOnFail = false, items?: IDataObject[]) =>
		await h.runNode({ type: 'vtiger', parameters: { resource: 'record', ...parameters }, continueOnFail, items });

	function accountWithContacts(name: string, count: number) {
		const account = sim.store.insert('Accounts', { accountname: name });
		for (let i = 0; i < count; i++) {
			sim.store.insert('Contacts', { lastname: `${name} C${String(i).padStart(3, '0')}`, account_id: account.id });
		}
		return String(account.id);
	}

	describe('Module › Get Related Modules (relatedtypes)', () => {
		test('one item per related list, with module, label and the picker value', async () => {
			const r = await h.runNode({ type: 'vtiger', parameters: { resource: 'module', operation: 'getRelatedModules', module: 'Accounts' } });
			expect(r.error).toBeUndefined();
			const [request] = logOf('relatedtypes');
			expect(request.method).toBe('GET');
			expect(request.params).toMatchObject({ operation: 'relatedtypes', elementType: 'Accounts' });
			const relations = r.items.map((item) => item.json);
			expect(relations).toContainEqual({ module: 'Calendar', label: 'Activities', relation: 'Calendar:Activities', isEntity: true });
			expect(relations).toContainEqual(expect.objectContaining({ module: 'SalesOrder', label: 'Sales Order' }));
			// Calendar is related under two labels: both are listed
			expect(relations.filter((relation) => relation.module === 'Calendar').length).toBeGreaterThan(1);
		});

		test('Simplify off gives Vtiger\'s answer; an unknown module is Vtiger\'s ACCESS_DENIED', async () => {
			const raw = await h.runNode({
				type: 'vtiger',
				parameters: { resource: 'module', operation: 'getRelatedModules', module: 'Accounts', simplify: false },
			});
			expect(raw.items).toHaveLength(1);
			expect(raw.items[0].json).toHaveProperty('types');
			expect(raw.items[0].json).toHaveProperty('information.Activities.name', 'Calendar');
			const bad = await h.runNode({ type: 'vtiger', parameters: { resource: 'module', operation: 'getRelatedModules', module: 'NoSuch' } });
			expect(bad.error?.message).toMatch(/Vtiger "relatedtypes" failed: ACCESS_DENIED/);
		});

		test('the relation picker names and sorts modules like the module picker, with "Module:Label" values', async () => {
			const options = await h.loadOptions('getRelations', { resource: 'record', operation: 'getRelated', module: 'Accounts' });
			expect(options).toContainEqual({ name: 'Opportunities (Potentials)', value: 'Potentials:Potentials' });
			expect(options).toContainEqual({ name: 'Tickets (HelpDesk)', value: 'HelpDesk:HelpDesk' });
			expect(options).toContainEqual({ name: 'Sales Orders (SalesOrder)', value: 'SalesOrder:Sales Order' });
			expect(options).toContainEqual({ name: 'Activities – Calendar', value: 'Calendar:Activities' });
			expect(options).toContainEqual({ name: 'Activity History – Calendar', value: 'Calendar:Activity History' });
			expect(options).toContainEqual({ name: 'Contacts', value: 'Contacts:Contacts' });
			const names = options.map((option) => option.name);
			expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
			const modules = await h.loadOptions('getModules', { resource: 'record', operation: 'get' });
			expect(modules.map((option) => option.name)).toContain('Opportunities (Potentials)');
		});
	});

	describe('Get Related (retrieve_related)', () => {
		test('Return All over 150 related records: retrieve_related, then query_related pages', async () => {
			const account = accountWithContacts('Big', 150);
			accountWithContacts('Other', 3);
			const r = await run({ operation: 'getRelated', module: 'Accounts', recordId: rl(account), relation: 'Contacts:Contacts', returnAll: true });
			expect(r.error).toBeUndefined();
			expect(r.items).toHaveLength(150);
			const names = r.items.map((item) => String(item.json.lastname));
			expect(new Set(names).size).toBe(150);
			expect(names.every((name) => name.startsWith('Big '))).toBe(true);
			expect(r.items.every((item) => item.json.account_id === account)).toBe(true);
			const [first] = logOf('retrieve_related');
			expect(first.method).toBe('GET');
			expect(first.params).toMatchObject({ id: account, relatedType: 'Contacts', relatedLabel: 'Contacts' });
			const pages = logOf('query_related');
			expect(pages).toHaveLength(1);
			expect(pages[0].params.query).toMatch(/^SELECT \* FROM Contacts WHERE .* LIMIT 100, 100$/);
			expect(pages[0].params).toMatchObject({ id: account, relatedLabel: 'Contacts' });
		});

		test('Limit below 100 costs one request; above 100 stops at the limit', async () => {
			const account = accountWithContacts('Lim', 130);
			const ten = await run({ operation: 'getRelated', module: 'Accounts', recordId: rl(account), relation: 'Contacts:Contacts', limit: 10 });
			expect(ten.items).toHaveLength(10);
			expect(logOf('query_related')).toHaveLength(0);
			sim.clearLog();
			const more = await run({ operation: 'getRelated', module: 'Accounts', recordId: rl(account), relation: 'Contacts:Contacts', limit: 120 });
			expect(more.items).toHaveLength(120);
			expect(logOf('query_related')[0].params.query).toMatch(/LIMIT 100, 20$/);
		});

		test('a bare label from an expression is looked up in relatedtypes', async () => {
			const account = accountWithContacts('Lbl', 2);
			const r = await run({ operation: 'getRelated', module: 'Accounts', recordId: rl(account), relation: '={{ "Contacts" }}', returnAll: true });
			expect(r.error).toBeUndefined();
			expect(r.items).toHaveLength(2);
			expect(logOf('relatedtypes')).toHaveLength(1);
		});

		test('a label the module does not have fails before retrieve_related, listing the right ones', async () => {
			const account = accountWithContacts('Bad', 1);
			const r = await run({ operation: 'getRelated', module: 'Accounts', recordId: rl(account), relation: '={{ "Nope" }}' });
			expect(r.error?.message).toBe('Relation: Accounts has no related list "Nope"');
			expect(r.error?.description).toMatch(/"Calendar:Activities"/);
			expect(logOf('retrieve_related')).toHaveLength(0);
		});

		test('a wrong pair is Vtiger\'s UNKOWN_ENTITY; Continue On Fail keeps the other items', async () => {
			const account = accountWithContacts('Pair', 2);
			const r = await run(
				{ operation: 'getRelated', module: 'Accounts', recordId: rl('={{ $json.id }}'), relation: '={{ $json.relation }}', returnAll: true },
				true,
				[
					{ id: account, relation: 'Contacts:Wrong Label' },
					{ id: account, relation: 'Contacts:Contacts' },
				],
			);
			expect(r.error).toBeUndefined();
			expect(String(r.items[0].json.error)).toBe('Vtiger "retrieve_related" failed: UNKOWN_ENTITY – Relation specified is incorrect');
			expect(r.items.slice(1).map((item) => item.json.lastname)).toEqual(['Pair C000', 'Pair C001']);
			expect(r.items.slice(1).every((item) => (item.pairedItem as { item: number }).item === 1)).toBe(true);
		});
	});

	describe('Query Related (query_related)', () => {
		test('WHERE in capitals and no closing ";" whatever the user wrote', async () => {
			const account = accountWithContacts('Qr', 5);
			const r = await run({
				operation: 'queryRelated',
				module: 'Accounts',
				recordId: rl(account),
				relation: 'Contacts:Contacts',
				relatedQuery: "select id, lastname from Contacts where lastname like '%C00%' order by lastname desc;",
			});
			expect(r.error).toBeUndefined();
			const [request] = logOf('query_related');
			expect(request.method).toBe('GET');
			expect(request.params).toMatchObject({
				query: "select id, lastname from Contacts WHERE lastname like '%C00%' order by lastname desc",
				id: account,
				relatedLabel: 'Contacts',
			});
			expect(r.items.map((item) => item.json.lastname)).toEqual(['Qr C004', 'Qr C003', 'Qr C002', 'Qr C001', 'Qr C000']);
		});

		test('Return All pages 150 related records with LIMIT offset, 100', async () => {
			const account = accountWithContacts('Qa', 150);
			const r = await run({
				operation: 'queryRelated',
				module: 'Accounts',
				recordId: rl(account),
				relation: 'Contacts:Contacts',
				relatedQuery: 'SELECT id, lastname FROM Contacts LIMIT 5',
				returnAll: true,
			});
			expect(r.error).toBeUndefined();
			expect(r.items).toHaveLength(150);
			expect(new Set(r.items.map((item) => item.json.id)).size).toBe(150);
			expect(logOf('query_related').map((entry) => entry.params.query)).toEqual([
				"SELECT id, lastname FROM Contacts WHERE createdtime >= '1970-01-01 00:00:00' LIMIT 0, 100",
				"SELECT id, lastname FROM Contacts WHERE createdtime >= '1970-01-01 00:00:00' LIMIT 100, 100",
			]);
		});

		test('a query of another module than the related list fails before any query_related', async () => {
			const account = accountWithContacts('Qm', 1);
			const r = await run({
				operation: 'queryRelated',
				module: 'Accounts',
				recordId: rl(account),
				relation: 'Contacts:Contacts',
				relatedQuery: 'SELECT * FROM Leads',
			});
			expect(r.error?.message).toBe(
				'Query: the query reads "Leads", but the chosen related list holds Contacts records (write FROM Contacts)',
			);
			expect(logOf('query_related')).toHaveLength(0);
		});

		test('nothing related: no items, no error', async () => {
			const account = accountWithContacts('Empty', 0);
			const r = await run({ operation: 'queryRelated', module: 'Accounts', recordId: rl(account), relation: 'Contacts:Contacts', relatedQuery: 'SELECT * FROM Contacts' });
			expect(r.error).toBeUndefined();
			expect(r.items).toHaveLength(0);
		});
	});

	describe('Add Related (add_related)', () => {
		test('links a product to an organization; Get Related then shows it', async () => {
			const account = accountWithContacts('Link', 0);
			const product = sim.store.insert('Products', { productname: 'Linked Widget', unit_price: '5' });
			const r = await run({
				operation: 'addRelated',
				module: 'Accounts',
				recordId: rl(account),
				relation: 'Products:Products',
				relatedRecordId: rl(String(product.id).split('x')[1]),
			});
			expect(r.error).toBeUndefined();
			expect(r.items[0].json).toEqual({
				id: account,
				relatedId: product.id,
				relatedModule: 'Products',
				relationLabel: 'Products',
				message: 'successfull',
			});
			const [request] = logOf('add_related');
			expect(request.method).toBe('POST');
			expect(request.params).toMatchObject({ sourceRecordId: account, relatedRecordId: product.id, relationIdLabel: 'Products' });
			const related = await run({ operation: 'getRelated', module: 'Accounts', recordId: rl(account), relation: 'Products:Products', returnAll: true });
			expect(related.items.map((item) => item.json.productname)).toEqual(['Linked Widget']);
		});

		test('a record of another module is refused before add_related', async () => {
			const account = accountWithContacts('LinkBad', 0);
			const r = await run({
				operation: 'addRelated',
				module: 'Accounts',
				recordId: rl(account),
				relation: 'Products:Products',
				relatedRecordId: rl('12x5'),
			});
			expect(r.error?.message).toBe(
				'Related Record: "12x5" is not a Products ID: the related list "Products" holds Products records (IDs 14x…)',
			);
			expect(logOf('add_related')).toHaveLength(0);
		});

		test('a missing source record is Vtiger\'s INTERNAL_SERVER_ERROR, named', async () => {
			const product = sim.store.insert('Products', { productname: 'Orphan' });
			const r = await run({
				operation: 'addRelated',
				module: 'Accounts',
				recordId: rl('11x999999'),
				relation: 'Products:Products',
				relatedRecordId: rl(String(product.id)),
			});
			expect(r.error?.message).toMatch(/^Vtiger "add_related" failed: INTERNAL_SERVER_ERROR/);
		});

		test('the related-record picker searches the relation\'s module', async () => {
			sim.store.insert('Products', { productname: 'Searchable Gizmo' });
			const found = await h.listSearch('searchRelatedRecords', 'Gizmo', undefined, {
				resource: 'record',
				operation: 'addRelated',
				module: 'Accounts',
				relation: 'Products:Products',
			});
			expect(found.results.map((entry) => entry.name)).toContain('Searchable Gizmo');
		});
	});
});
