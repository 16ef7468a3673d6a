/**
 * Issue 15 item 5, issue 13 item 3, issue 11 defect 1 (output) against a real Vtiger: Simplify types values
 * by the server's own describe, reference labels of organizations, contacts, users and groups come from the
 * CRM, and date-times read as ISO instants are the instants Vtiger stored (UTC without a zone).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { Harness, RunNodeResult } from '../support/harness';
import { describeLive, liveCapabilities, liveClient, liveHarness, liveTag, LiveRecords, liveTarget } from './env';
import type { LiveClient } from './env';
import { rl } from './helpers';

let admin: LiveClient;
let h: Harness;
const records = new LiveRecords(['Contacts', 'Accounts', 'Potentials', 'Events']);
const fixture: Record<string, string> = {};
let group: { id: string; groupname: string } | undefined;
let serverTimeAtCreate = 0;

const run = async (parameters: IDataObject, harness: Harness = h): Promise<RunNodeResult> =>
	await harness.runNode({ type: 'vtiger', parameters: { resource: 'record', ...parameters } as INodeParameters, typeVersion: 2 });

async function create(module: string, element: IDataObject): Promise<IDataObject> {
	const record = await admin.call<IDataObject>('create', { elementType: module, element });
	records.track(String(record.id));
	return record;
}

describeLive('live: record output (Simplify, reference labels, ISO date-times)', () => {
	beforeAll(async () => {
		admin = await liveClient();
		h = liveHarness();
		const groups = await admin.call<Array<{ id: string; groupname: string }>>('query', { query: 'SELECT id, groupname FROM Groups;' });
		group = groups[0];
		const challenge = await admin.send('getchallenge', { username: admin.username });
		serverTimeAtCreate = Number((challenge.body?.result as { serverTime?: number } | undefined)?.serverTime);
		const account = await create('Accounts', { accountname: liveTag('Output Org'), assigned_user_id: admin.userId });
		const contact = await create('Contacts', {
			firstname: 'Ada',
			lastname: liveTag('output'),
			account_id: account.id,
			emailoptout: '1',
			assigned_user_id: admin.userId,
		});
		const deal = await create('Potentials', {
			potentialname: liveTag('Output Deal'),
			related_to: account.id,
			contact_id: contact.id,
			amount: '1234.50',
			probability: '40',
			sales_stage: 'Prospecting',
			closingdate: '2030-01-15',
			assigned_user_id: group?.id ?? admin.userId,
		});
		Object.assign(fixture, { account: String(account.id), contact: String(contact.id), deal: String(deal.id) });
	});

	afterAll(async () => {
		expect(await records.cleanup(admin)).toEqual([]);
	});

	test('Simplify: every value typed as the server\'s describe says, no empty values, the record\'s label', async () => {
		const describe = await admin.call<{ fields: Array<{ name: string; type: { name: string } }> }>('describe', { elementType: 'Potentials' });
		const r = await run({ operation: 'get', module: 'Potentials', recordId: rl(fixture.deal) });
		expect(r.error).toBeUndefined();
		const json = r.items[0].json;
		expect(json.label).toBe(liveTag('Output Deal'));
		expect(json.amount).toBe(1234.5);
		expect(json.probability).toBe(40);
		for (const [name, value] of Object.entries(json)) {
			expect(value).not.toBe('');
			expect(value).not.toBeNull();
			const type = describe.fields.find((field) => field.name === name)?.type.name;
			if (type === 'boolean') expect(typeof value).toBe('boolean');
			if (type === 'integer' || type === 'double' || type === 'currency') expect(typeof value).toBe('number');
		}
		const contact = await run({ operation: 'get', module: 'Contacts', recordId: rl(fixture.contact) });
		expect(contact.items[0].json).toMatchObject({ emailoptout: true, label: `Ada ${liveTag('output')}` });
		const raw = await run({ operation: 'get', module: 'Contacts', recordId: rl(fixture.contact), simplify: false });
		expect(raw.items[0].json.emailoptout).toBe('1');
	});

	test('reference labels: organization, contact, group and user names from the CRM', async () => {
		const r = await run({ operation: 'get', module: 'Potentials', recordId: rl(fixture.deal), options: { referenceLabels: true } });
		expect(r.error).toBeUndefined();
		const json = r.items[0].json;
		expect(json.related_to_label).toBe(liveTag('Output Org'));
		expect(json.contact_id_label).toBe(`Ada ${liveTag('output')}`);
		if (group) expect(json).toMatchObject({ assigned_user_id: group.id, assigned_user_id_label: group.groupname });
		const [me] = await admin.call<Array<{ first_name: string; last_name: string; user_name: string }>>('query', {
			query: `SELECT first_name, last_name, user_name FROM Users WHERE id = '${admin.userId}';`,
		});
		const myName = [me.first_name, me.last_name].filter(Boolean).join(' ') || me.user_name;
		expect(json.modifiedby_label).toBe(myName);

		const many = await run({
			operation: 'getAll',
			module: 'Contacts',
			returnAll: true,
			filters: { conditions: [{ field: 'lastname', operator: 'equal', value: liveTag('output') }] },
			options: { referenceLabels: true },
		});
		expect(many.items.map((item) => item.json)).toEqual([
			expect.objectContaining({ id: fixture.contact, account_id_label: liveTag('Output Org'), assigned_user_id_label: myName }),
		]);
		const query = await run({
			operation: 'query',
			query: `SELECT lastname, account_id FROM Contacts WHERE id = '${fixture.contact}';`,
			options: { referenceLabels: true },
		});
		expect(query.items[0].json.account_id_label).toBe(liveTag('Output Org'));
	});

	test('the second user: labels it may not read (Users; every module on stock 8.3.0) are left out, no error', async () => {
		if (!liveTarget()?.user2) return;
		const capabilities = await liveCapabilities();
		const user2 = liveHarness('user2');
		const other = await liveClient('user2');
		const users = await other.send('query', { query: `SELECT id FROM Users WHERE id = '${admin.userId}';` });
		const contact = await run({ operation: 'get', module: 'Contacts', recordId: rl(fixture.contact), options: { referenceLabels: true } }, user2);
		if (!capabilities.user2Entities) {
			// stock 8.3.0: the record itself is refused (Vtiger issue #1934), nothing to label
			expect(contact.error?.message).toMatch(/ACCESS_DENIED|not exist|may not/i);
			return;
		}
		expect(contact.error).toBeUndefined();
		const json = contact.items[0].json;
		if (users.body?.success) expect(json.assigned_user_id_label).toBeDefined();
		else expect(json).not.toHaveProperty('assigned_user_id_label');
		const account = await other.send('query', { query: `SELECT accountname FROM Accounts WHERE id = '${fixture.account}';` });
		const visible = account.body?.success && (account.body.result as unknown[]).length === 1;
		if (visible) expect(json.account_id_label).toBe(liveTag('Output Org'));
		else expect(json).not.toHaveProperty('account_id_label');
	});

	test('ISO 8601: createdtime is the instant the server stored, in UTC text without a zone', async () => {
		const raw = await admin.call<IDataObject>('retrieve', { id: fixture.contact });
		const r = await run({ operation: 'get', module: 'Contacts', recordId: rl(fixture.contact), options: { isoDateTimes: true } });
		const iso = String(r.items[0].json.createdtime);
		expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/);
		const instant = Date.parse(iso);
		// Vtiger's text is UTC: the same wall clock read as UTC
		expect(instant).toBe(Date.parse(`${String(raw.createdtime).replace(' ', 'T')}Z`));
		// and that is the server's own clock (getchallenge serverTime is epoch seconds) at creation
		expect(Math.abs(instant / 1000 - serverTimeAtCreate)).toBeLessThan(30);
	});

	test('ISO 8601: an event\'s start and end are the stored date and time read as UTC', async () => {
		const event = await create('Events', {
			subject: liveTag('Output Meeting'),
			date_start: '2030-01-15',
			time_start: '10:00:00',
			due_date: '2030-01-15',
			time_end: '11:30:00',
			duration_hours: '1',
			eventstatus: 'Planned',
			activitytype: 'Meeting',
			assigned_user_id: admin.userId,
		});
		const stored = await admin.call<IDataObject>('retrieve', { id: event.id });
		const r = await run({ operation: 'get', module: 'Events', recordId: rl(String(event.id)), options: { isoDateTimes: true } });
		expect(r.error).toBeUndefined();
		const json = r.items[0].json;
		expect(Date.parse(String(json.date_start))).toBe(Date.parse(`${String(stored.date_start)}T${String(stored.time_start)}Z`));
		expect(Date.parse(String(json.due_date))).toBe(Date.parse(`${String(stored.due_date)}T${String(stored.time_end)}Z`));
		expect(new Date(String(json.date_start)).toISOString()).toBe('2030-01-15T10:00:00.000Z');
		expect(json).not.toHaveProperty('time_start');
	});

	test('the trigger: polled records carry reference labels and ISO times (sync, or its VTQL fallback on stock 8.3.0)', async () => {
		const parameters = {
			module: 'Contacts',
			events: ['created', 'updated'],
			options: { referenceLabels: true, isoDateTimes: true, startFrom: new Date((serverTimeAtCreate - 5) * 1000).toISOString() },
		};
		// a change is emitted once its second is settled (README, Vtiger Trigger): poll until then, as n8n would
		const deadline = Date.now() + 20000;
		let mine: Array<{ json: IDataObject }> = [];
		while (mine.length === 0 && Date.now() < deadline) {
			const polled = await h.poll(parameters as never, {}, 'trigger');
			mine = (polled.items ?? []).filter((item) => item.json.id === fixture.contact);
			if (mine.length === 0) await new Promise((done) => setTimeout(done, 1000));
		}
		expect(mine).toHaveLength(1);
		expect(mine[0].json).toMatchObject({ account_id_label: liveTag('Output Org') });
		expect(String(mine[0].json.modifiedtime)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/);
	});
});
