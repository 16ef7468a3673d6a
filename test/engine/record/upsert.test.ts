import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { createHarness } from '../../support/harness';
import type { Harness } from '../../support/harness';
import { startSimulator } from '../../support/simulator';
import type { Simulator } from '../../support/simulator';

let sim: Simulator;
let h: Harness;

beforeAll(async () => {
	sim = await startSimulator({ latencyMs: 5 });
	h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
});
afterAll(async () => await sim.stop());
beforeEach(() => sim.clearLog());

const logOf = (operation: string) => sim.log.filter((e) => e.operation === operation);
const contacts = (lastname: string) => sim.store.all('Contacts').filter((r) => r.lastname === lastname);

function columns(value: IDataObject, matchingColumns: string[], mappingMode = 'defineBelow') {
	return { mappingMode, value, matchingColumns, schema: [], attemptToConvertTypes: false, convertFieldsToString: false };
}

async function upsert(parameters: IDataObject, items?: IDataObject[], continueOnFail = false) {
	return await h.runNode({
		type: 'vtiger',
		parameters: { resource: 'record', operation: 'upsert', module: 'Contacts', ...parameters } as INodeParameters,
		items,
		continueOnFail,
	});
}

describe('Record › Create or Update', () => {
	test('the mapper offers every field, the ID included, as a column to match on', async () => {
		const mapped = await h.resourceMapping('getUpsertFields', { resource: 'record', operation: 'upsert', module: 'Contacts' });
		const byId = Object.fromEntries(mapped.fields.map((field) => [field.id, field]));
		expect(byId.id).toMatchObject({ canBeUsedToMatch: true, displayName: 'ID (like 12x87)' });
		expect(byId.email).toMatchObject({ canBeUsedToMatch: true, required: false });
		// read-only: offered for matching, hidden from the values until chosen
		expect(byId.contact_no).toMatchObject({ canBeUsedToMatch: true, removed: true });
		expect(mapped.fields.every((field) => field.canBeUsedToMatch)).toBe(true);
	});

	test('creates when nothing matches, updates when one record does: one query and one write per item', async () => {
		const email = 'upsert.one@example.com';
		const first = await upsert({ columns: columns({ email, lastname: 'Upsert One', title: 'Buyer', assigned_user_id: '19x1' }, ['email']) });
		expect(first.error).toBeUndefined();
		expect(first.items[0].json).toMatchObject({ _operation: 'created', email, lastname: 'Upsert One', title: 'Buyer', assigned_user_id: '19x1' });
		expect(logOf('query')[0].params.query).toBe(`SELECT id FROM Contacts WHERE email = '${email}' LIMIT 0, 100;`);
		expect([logOf('query').length, logOf('create').length, logOf('revise').length]).toEqual([1, 1, 0]);
		sim.clearLog();

		const second = await upsert({ columns: columns({ email, lastname: 'Upsert One', title: 'Chief Buyer' }, ['email']) });
		expect(second.items[0].json).toMatchObject({ _operation: 'updated', id: first.items[0].json.id, title: 'Chief Buyer' });
		expect([logOf('query').length, logOf('create').length, logOf('revise').length]).toEqual([1, 0, 1]);
		expect(JSON.parse(String(logOf('revise')[0].params.element))).toMatchObject({ id: first.items[0].json.id, title: 'Chief Buyer' });
		expect(contacts('Upsert One')).toHaveLength(1);
	});

	test('20 items sharing 4 emails, run at once, create 4 records and update them 16 times', async () => {
		const items = Array.from({ length: 20 }, (_, i) => ({ email: `parallel${i % 4}@example.com`, lastname: 'Parallel', title: `T${i}`, assigned_user_id: '19x1' }));
		const r = await upsert({ columns: columns({}, ['email'], 'autoMapInputData'), maxConcurrency: 10 }, items);
		expect(r.error).toBeUndefined();
		expect(r.items).toHaveLength(20);
		expect(contacts('Parallel')).toHaveLength(4);
		expect(r.items.filter((item) => item.json._operation === 'created')).toHaveLength(4);
		expect(logOf('query')).toHaveLength(20);
		expect(logOf('create').length + logOf('revise').length).toBe(20);
		// the last item of each email wins
		for (let k = 0; k < 4; k++) {
			const stored = contacts('Parallel').find((c) => c.email === `parallel${k}@example.com`);
			expect(stored?.title).toBe(`T${16 + k}`);
		}
		expect(r.items.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
	});

	test('several matches fail the item naming the ids; Continue On Fail goes on with the others', async () => {
		const a = sim.store.insert('Contacts', { lastname: 'Twin', email: 'twin@example.com' });
		const b = sim.store.insert('Contacts', { lastname: 'Twin', email: 'twin@example.com' });
		const r = await upsert(
			{ columns: columns({}, ['email'], 'autoMapInputData') },
			[{ email: 'twin@example.com', title: 'X' }, { email: 'single@example.com', lastname: 'Single', assigned_user_id: '19x1' }],
			true,
		);
		expect(r.errors[0]).toBe(`Fields › Columns to Match On: 2 Contacts records have email = "twin@example.com": ${a.id}, ${b.id}`);
		expect(r.items[1].json).toMatchObject({ _operation: 'created', lastname: 'Single' });
		expect(logOf('revise')).toHaveLength(0);
	});

	test('"Update All of Them" revises every match', async () => {
		sim.store.insert('Contacts', { lastname: 'Triplet', email: 'triplet@example.com' });
		sim.store.insert('Contacts', { lastname: 'Triplet', email: 'triplet@example.com' });
		const r = await upsert({
			columns: columns({ email: 'triplet@example.com', department: 'Sales' }, ['email']),
			options: { multipleMatches: 'updateAll' },
		});
		expect(r.items.map((item) => [item.json._operation, item.json.department])).toEqual([
			['updated', 'Sales'],
			['updated', 'Sales'],
		]);
		expect(logOf('revise')).toHaveLength(2);
	});

	test('matching on several columns, the ID, or a read-only number', async () => {
		const rec = sim.store.insert('Contacts', { lastname: 'Multi', firstname: 'Ann', email: "o'hara\\@example.com" });
		const both = await upsert({ columns: columns({ lastname: 'Multi', email: "o'hara\\@example.com", title: 'Both' }, ['lastname', 'email']) });
		expect(both.items[0].json).toMatchObject({ _operation: 'updated', id: rec.id, title: 'Both' });
		expect(logOf('query')[0].params.query).toBe("SELECT id FROM Contacts WHERE lastname = 'Multi' AND email = 'o''hara\\\\@example.com' LIMIT 0, 100;");

		const byId = await upsert({ columns: columns({ id: String(rec.id).split('x')[1], title: 'ById' }, ['id']) });
		expect(byId.items[0].json).toMatchObject({ _operation: 'updated', id: rec.id, title: 'ById' });

		const byNumber = await upsert({ columns: columns({ contact_no: rec.contact_no, title: 'ByNumber' }, ['contact_no']) });
		expect(byNumber.items[0].json).toMatchObject({ _operation: 'updated', id: rec.id, title: 'ByNumber' });
	});

	test('bad input fails before any request', async () => {
		const cases: Array<[IDataObject, string]> = [
			[columns({ lastname: 'NoMatch' }, []), 'Fields › Columns to Match On: choose at least one field that identifies the record'],
			[columns({ lastname: 'X', email: '' }, ['email']), 'Fields › Columns to Match On: "Primary Email" has no value in this item, so no record can be looked up by it'],
			[columns({ id: '11x3' }, ['id']), 'Fields › Columns to Match On: "11x3" is not a Contacts ID (12x…)'],
			[columns({ email: 'ro@example.com', contact_no: 'CON9' }, ['email']), 'Fields › Contact Id: this field is read-only: use it only to match records'],
		];
		for (const [value, message] of cases) {
			sim.clearLog();
			const r = await upsert({ columns: value }, undefined, true);
			expect(r.errors).toEqual([message]);
			expect(sim.log.filter((e) => e.operation !== 'describe' && e.operation !== 'getchallenge' && e.operation !== 'login')).toHaveLength(0);
		}
	});

	test('no match and no mandatory fields, or an ID that does not exist: nothing is created', async () => {
		const missing = await upsert({ columns: columns({ email: 'nobody@example.com' }, ['email']) }, undefined, true);
		expect(missing.errors[0]).toBe('Fields: no Contacts record has email = "nobody@example.com", and a new one needs "Last Name", "Assigned To"');
		const gone = await upsert({ columns: columns({ id: '12x999999', lastname: 'Ghost' }, ['id']) }, undefined, true);
		expect(gone.errors[0]).toMatch(/^Fields › Columns to Match On: no Contacts record has id = "12x999999"; a new record cannot be given an ID/);
		expect(logOf('create')).toHaveLength(0);
	});

	test('node version 2 simplifies the answer like Create and Update, and keeps _operation', async () => {
		const account = sim.store.insert('Accounts', { accountname: 'Upsert Corp' });
		const r = await h.runNode({
			type: 'vtiger',
			typeVersion: 2,
			parameters: {
				resource: 'record',
				operation: 'upsert',
				module: 'Contacts',
				columns: columns({ email: 'v2@example.com', lastname: 'Version Two', account_id: account.id, assigned_user_id: '19x1' }, ['email']),
				options: { referenceLabels: true },
			} as INodeParameters,
		});
		expect(r.error).toBeUndefined();
		expect(r.items[0].json).toMatchObject({ _operation: 'created', lastname: 'Version Two', account_id: account.id, account_id_label: 'Upsert Corp' });
		expect(r.items[0].json).not.toHaveProperty('fax');
	});
});
