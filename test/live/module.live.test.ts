/**
 * Module resource and every picker (loadOptions, listSearch, resourceMapping) against the real listtypes and
 * describe: what the editor shows a user must be what Vtiger says.
 */
import type { IDataObject } from 'n8n-workflow';

import { describeLive, liveClient, liveHarness, LiveRecords, liveTag } from './env';
import type { LiveClient } from './env';
import { GONE, runVtiger, shown } from './helpers';
import type { Harness } from '../support/harness';

interface RawField {
	name: string;
	label: string;
	mandatory: boolean;
	editable: boolean;
	type: { name: string; refersTo?: string[]; picklistValues?: Array<{ value: string }> };
}
interface RawDescribe {
	name: string;
	label: string;
	idPrefix: string;
	createable: boolean;
	fields: RawField[];
}

describeLive('live: module and pickers', () => {
	const records = new LiveRecords(['Contacts', 'Leads', 'Accounts']);
	let h: Harness;
	let raw: LiveClient;
	let types: { types: string[]; information: Record<string, { isEntity: boolean; label: string; singular: string }> };

	beforeAll(async () => {
		h = liveHarness();
		raw = await liveClient();
		types = await raw.call('listtypes', {});
	});
	afterAll(async () => {
		expect(await records.cleanup(raw)).toEqual([]);
	});

	const moduleOp = (parameters: IDataObject) => runVtiger(h, { resource: 'module', ...parameters });

	it('Module > Get Many lists every type listtypes names, with its labels', async () => {
		const r = await moduleOp({ operation: 'getAll' });
		expect(shown(r)).toBe('');
		expect(r.items.map((i) => i.json.name)).toEqual(types.types);
		const accounts = r.items.find((i) => i.json.name === 'Accounts')?.json;
		expect(accounts).toEqual({
			name: 'Accounts',
			label: types.information.Accounts.label,
			singular: types.information.Accounts.singular,
			isEntity: true,
		});
		const raw = await moduleOp({ operation: 'getAll', simplify: false });
		expect(raw.items[0].json.types).toEqual(types.types);
	});

	it('Module > Describe gives the fields describe gives, simplified', async () => {
		const expected = await raw.call<RawDescribe>('describe', { elementType: 'Contacts' });
		const r = await moduleOp({ operation: 'describe', module: 'Contacts' });
		expect(shown(r)).toBe('');
		expect(r.items[0].json).toMatchObject({ name: 'Contacts', idPrefix: expected.idPrefix, createable: true });
		const fields = r.items[0].json.fields as IDataObject[];
		expect(fields.map((f) => f.name)).toEqual(expected.fields.map((f) => f.name));
		expect(fields.find((f) => f.name === 'lastname')).toMatchObject({ mandatory: true, editable: true });
		expect(fields.find((f) => f.name === 'account_id')).toMatchObject({ type: 'reference', refersTo: ['Accounts'] });
		const unsimplified = await moduleOp({ operation: 'describe', module: 'Contacts', simplify: false });
		expect(unsimplified.items[0].json).toEqual(expected);
	});

	it('Module > Get Related Modules lists what relatedtypes lists', async () => {
		const expected = await raw.call<{ types: string[] }>('relatedtypes', { elementType: 'Accounts' });
		const r = await moduleOp({ operation: 'getRelatedModules', module: 'Accounts' });
		expect(shown(r)).toBe('');
		expect(r.items.length).toBe(expected.types.length);
		expect(r.items.map((i) => i.json.module ?? i.json.name)).toEqual(expect.arrayContaining(['Contacts', 'Potentials']));
	});

	it('Module > Describe of a module that does not exist fails with Vtiger\'s code', async () => {
		const r = await moduleOp({ operation: 'describe', module: 'NoSuchModule' });
		expect(r.error?.message).toMatch(new RegExp(`Vtiger "describe" failed: .*(${GONE}|NoSuchModule)`));
	});

	it('the module pickers offer the entity modules of listtypes (and Get Many every type)', async () => {
		const entities = types.types.filter((t) => types.information[t].isEntity);
		const record = await h.loadOptions('getModules', { resource: 'record', operation: 'get' });
		expect(record.map((o) => o.value)).toEqual(expect.arrayContaining(['Contacts', 'Accounts', 'Leads', 'HelpDesk']));
		for (const value of record.map((o) => o.value)) expect(entities).toContain(value);
		const all = await h.loadOptions('getAllModules', { resource: 'module', operation: 'describe' });
		expect(all.map((o) => o.value).sort()).toEqual([...types.types].sort());
		const trigger = await h.loadOptions('getTriggerModules', {}, { type: 'vtigerTrigger' });
		expect(trigger.map((o) => o.value)).toEqual(expect.arrayContaining(['Contacts', 'Accounts']));
	});

	it('the field pickers of Get Many offer the module\'s fields', async () => {
		const expected = await raw.call<RawDescribe>('describe', { elementType: 'Accounts' });
		const options = await h.loadOptions('getFields', { resource: 'record', operation: 'getAll', module: 'Accounts' });
		expect(options.map((o) => o.value).sort()).toEqual(expected.fields.map((f) => f.name).sort());
	});

	it('the field mapper of every entity module follows its describe: mandatory required, picklists offered', async () => {
		const entities = types.types.filter((t) => types.information[t].isEntity);
		const problems: string[] = [];
		for (const module of entities) {
			const described = await raw.send('describe', { elementType: module });
			if (!described.body?.success) continue; // a module the admin cannot describe is not offered either
			const description = described.body.result as RawDescribe;
			if (!description.createable) continue;
			const { fields } = await h.resourceMapping('getCreateFields', { resource: 'record', operation: 'create', module });
			const byId = new Map(fields.map((f) => [f.id, f]));
			for (const field of description.fields) {
				const mapped = byId.get(field.name);
				if (!mapped) {
					// inventory modules take the product through the Line Items parameters, not the mapper
					const lineField = field.name === 'productid' && description.fields.some((f) => f.name === 'hdnGrandTotal');
					// activities: the time is part of the date-time picker of its date; the duration is derived
					const timeField =
						(field.name === 'time_start' && byId.get('date_start')?.type === 'dateTime') ||
						(field.name === 'time_end' && byId.get('due_date')?.type === 'dateTime') ||
						(field.name === 'duration_hours' && byId.has('due_date'));
					if (field.editable && field.mandatory && !lineField && !timeField) problems.push(`${module}.${field.name} mandatory but not offered`);
					continue;
				}
				if (field.mandatory && !mapped.required) problems.push(`${module}.${field.name} mandatory but not required`);
				if (!field.editable) problems.push(`${module}.${field.name} read-only but offered`);
				if (field.type.name === 'picklist' && field.type.picklistValues?.length) {
					const offered = (mapped.options ?? []).map((o) => o.value);
					if (JSON.stringify(offered) !== JSON.stringify(field.type.picklistValues.map((v) => v.value))) {
						problems.push(`${module}.${field.name} picklist differs`);
					}
				}
			}
			const update = await h.resourceMapping('getUpdateFields', { resource: 'record', operation: 'update', module });
			if (update.fields.some((f) => f.required)) problems.push(`${module}: update requires a field`);
		}
		expect(problems).toEqual([]);
	});

	it('the record picker finds a contact by its name and shows its label', async () => {
		const lastname = liveTag('picker');
		const created = await raw.call<{ id: string }>('create', {
			elementType: 'Contacts',
			element: { lastname, firstname: 'Pia', assigned_user_id: raw.userId },
		});
		records.track(created.id);
		const found = await h.listSearch('searchRecords', lastname, undefined, { resource: 'record', operation: 'get', module: 'Contacts' });
		expect(found.results).toEqual([expect.objectContaining({ value: created.id, name: expect.stringContaining(lastname) })]);
		expect(found.results[0].name).toContain('Pia');
	});

	it('the lead picker (Convert Lead) and the user picker find what they should', async () => {
		const lastname = liveTag('leadpicker');
		const lead = await raw.call<{ id: string }>('create', {
			elementType: 'Leads',
			element: { lastname, company: lastname, assigned_user_id: raw.userId },
		});
		records.track(lead.id);
		const leads = await h.listSearch('searchLeads', lastname, undefined, { resource: 'record', operation: 'convertLead' });
		expect(leads.results.map((r) => r.value)).toEqual([lead.id]);
		const users = await h.listSearch('searchUsers', '', undefined, { resource: 'user', operation: 'delete' });
		expect(users.results.map((r) => r.value)).toEqual(expect.arrayContaining([raw.userId]));
	});

	it('the relation picker lists the relations relatedtypes gives, and line-item pickers the products and currencies', async () => {
		const relations = await h.loadOptions('getRelations', { resource: 'record', operation: 'getRelated', module: 'Accounts' });
		expect(relations.map((o) => String(o.value))).toEqual(expect.arrayContaining([expect.stringMatching(/^Contacts/)]));
		const currencies = await h.loadOptions('getCurrencies', { resource: 'record', operation: 'create', module: 'Quotes' });
		expect(currencies.length).toBeGreaterThan(0);
		const products = await h.listSearch('searchProductsAndServices', '', undefined, { resource: 'record', operation: 'create', module: 'Quotes' });
		expect(products.results.every((item) => / \((Product|Service)\)$/.test(item.name))).toBe(true);
	});
});
