/**
 * The Create/Update mapper as a user sees it (owners to pick, Start/End, quiet pre-adds, line items only
 * where they belong) and the values it writes: date-times as the instants the user meant, stored as
 * Vtiger's UTC text; Calendar records that are tasks Get can read back.
 */
import type { INodeParameters, ResourceMapperField } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { Vtiger } from '../../../nodes/Vtiger/Vtiger.node';
import { createHarness } from '../../support/harness';
import type { Harness } from '../../support/harness';
import { startSimulator } from '../../support/simulator';
import type { Simulator } from '../../support/simulator';

let sim: Simulator;
let h: Harness;
let user: Harness;

beforeAll(async () => {
	sim = await startSimulator();
	h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
	user = createHarness({ baseUrl: sim.baseUrl, username: sim.user.username, accessKey: sim.user.accessKey });
});

afterAll(async () => {
	await sim.stop();
});

beforeEach(() => sim.clearLog());

const byId = (fields: ResourceMapperField[], id: string) => fields.find((f) => f.id === id);
const written = (operation = 'create') => sim.log.filter((entry) => entry.operation === operation).map((entry) => JSON.parse(entry.params.element));
const rl = (value: string) => ({ __rl: true, mode: 'id', value });

async function createIn(module: string, value: Record<string, unknown>, timezone?: string, operation = 'create') {
	const schema = (await h.resourceMapping(operation === 'create' ? 'getCreateFields' : 'getUpdateFields', { module })).fields;
	return await h.runNode({
		type: 'vtiger',
		timezone,
		parameters: {
			resource: 'record',
			module,
			operation,
			columns: { mappingMode: 'defineBelow', value, matchingColumns: [], schema },
		} as unknown as INodeParameters,
	});
}

const meeting = { subject: 'Board meeting', assigned_user_id: '19x1', eventstatus: 'Planned', activitytype: 'Meeting' };

describe('mapper fields', () => {
	test('owners are a list of the CRM\'s users and groups, the credential\'s own user first and pre-selected', async () => {
		const { fields } = await h.resourceMapping('getCreateFields', { module: 'Contacts' });
		const owner = byId(fields, 'assigned_user_id');
		expect(owner).toMatchObject({ type: 'options', displayName: 'Assigned To', required: true, defaultValue: '19x1' });
		expect(owner?.options?.[0]).toEqual({ name: 'Lab Administrator (admin) (you)', value: '19x1' });
		expect(owner?.options).toContainEqual({ name: 'Lab User (labuser)', value: '19x5' });
		expect(owner?.options).toContainEqual({ name: 'Team Selling (group)', value: '20x2' });
	});

	test('a non-admin, who may not query Users, gets itself and the groups', async () => {
		const { fields } = await user.resourceMapping('getCreateFields', { module: 'Contacts' });
		const options = byId(fields, 'assigned_user_id')?.options ?? [];
		// Vtiger refuses a non-admin their own user record too: the login name stands for it
		expect(options[0]).toEqual({ name: 'labuser (you)', value: '19x5' });
		expect(options.map((option) => option.value)).not.toContain('19x1');
		expect(options.map((option) => option.value)).toEqual(expect.arrayContaining(['20x2', '20x3', '20x4']));
	});

	test('references say which module they point to in a short label', async () => {
		const contact = (await h.resourceMapping('getCreateFields', { module: 'Contacts' })).fields;
		expect(byId(contact, 'account_id')?.displayName).toBe('Organization (Accounts)');
		expect(byId(contact, 'contact_id')?.displayName).toBe('Reports To (Contacts ID)');
		const events = (await h.resourceMapping('getCreateFields', { module: 'Events' })).fields;
		expect(byId(events, 'parent_id')?.displayName).toBe('Related To (Accounts +8)');
		for (const field of [...contact, ...events].filter((entry) => entry.id.endsWith('_id'))) {
			expect(field.displayName.length).toBeLessThanOrEqual(24);
		}
	});

	test('Create pre-adds the mandatory and common fields; the rest are one click away, with human labels', async () => {
		const { fields } = await h.resourceMapping('getCreateFields', { module: 'Contacts' });
		const shown = fields.filter((field) => !field.removed).map((field) => field.id);
		expect(shown).toEqual(expect.arrayContaining(['lastname', 'assigned_user_id', 'firstname', 'email', 'account_id']));
		for (const quiet of ['modifiedby', 'isconvertedfromlead', 'starred', 'tags', 'donotcall', 'notify_owner']) {
			expect(byId(fields, quiet)?.removed).toBe(true);
		}
		expect(shown.length).toBeLessThan(fields.length / 2);
		expect(byId(fields, 'starred')?.displayName).toBe('Starred');
		expect(byId(fields, 'tags')?.displayName).toBe('Tags');
		const update = (await h.resourceMapping('getUpdateFields', { module: 'Contacts' })).fields;
		expect(update.every((field) => !field.removed && !field.required)).toBe(true);
	});

	test('Events and Calendar: one Start and one End date-time; time and duration fields are derived', async () => {
		for (const module of ['Events', 'Calendar']) {
			const { fields } = await h.resourceMapping('getCreateFields', { module });
			expect(byId(fields, 'date_start')).toMatchObject({ displayName: 'Start', type: 'dateTime', required: true, removed: false });
			expect(byId(fields, 'due_date')).toMatchObject({ displayName: 'End', type: 'dateTime', required: true, removed: false });
			for (const derived of ['time_start', 'time_end', 'duration_hours', 'duration_minutes']) {
				expect(byId(fields, derived)).toBeUndefined();
			}
		}
		const calendar = (await h.resourceMapping('getCreateFields', { module: 'Calendar' })).fields;
		expect(byId(calendar, 'activitytype')).toBeUndefined();
		expect(byId(calendar, 'eventstatus')).toBeUndefined();
		expect(byId(calendar, 'taskstatus')).toMatchObject({ required: true, removed: false });
		const events = (await h.resourceMapping('getCreateFields', { module: 'Events' })).fields;
		expect(byId(events, 'activitytype')?.options?.map((option) => option.value)).toEqual(['Call', 'Meeting', 'Mobile Call']);
	});

	test('a date-only field is written as the date picked, never shifted', async () => {
		const { fields } = await h.resourceMapping('getCreateFields', { module: 'Contacts' });
		expect(byId(fields, 'birthday')?.type).toBe('dateTime');
		const r = await createIn('Contacts', { lastname: 'Born', assigned_user_id: '19x1', birthday: '1990-03-01T00:00:00' }, 'Pacific/Auckland');
		expect(r.error).toBeUndefined();
		expect(written()[0].birthday).toBe('1990-03-01');
	});

	test('Line Items and Line Item Totals show only for modules with line items (or a module given by an expression)', () => {
		const description = new Vtiger().description;
		const visible = (parameters: INodeParameters) =>
			description.properties
				.filter((property) => ['lineItems', 'inventoryOptions'].includes(property.name))
				.filter((property) => NodeHelpers.displayParameter(parameters, property, null, null))
				.map((property) => property.name);
		expect(visible({ resource: 'record', operation: 'create', module: 'Invoice' })).toEqual(['lineItems', 'inventoryOptions']);
		expect(visible({ resource: 'record', operation: 'update', module: 'SalesOrder' })).toHaveLength(2);
		expect(visible({ resource: 'record', operation: 'create', module: 'Contacts' })).toEqual([]);
		expect(visible({ resource: 'record', operation: 'update', module: '' })).toEqual([]);
		expect(visible({ resource: 'record', operation: 'create', module: '={{ $json.module }}' })).toHaveLength(2);
	});
});

describe('date-times land as the instants the user meant', () => {
	test('a Berlin workflow writing a meeting at 10:00 stores 09:00 UTC in winter and 08:00 in summer', async () => {
		const winter = await createIn('Events', { ...meeting, date_start: '2026-01-15T10:00:00', due_date: '2026-01-15T11:30:00' }, 'Europe/Berlin');
		expect(winter.error).toBeUndefined();
		const summer = await createIn('Events', { ...meeting, date_start: '2026-07-15T10:00:00', due_date: '2026-07-15T11:00:00' }, 'Europe/Berlin');
		expect(summer.error).toBeUndefined();
		const [first, second] = written();
		expect(first).toMatchObject({ date_start: '2026-01-15', time_start: '09:00:00', due_date: '2026-01-15', time_end: '10:30:00', duration_hours: '1', duration_minutes: '30' });
		expect(second).toMatchObject({ date_start: '2026-07-15', time_start: '08:00:00', due_date: '2026-07-15', time_end: '09:00:00' });
		const stored = await h.runNode({ type: 'vtiger', parameters: { resource: 'record', operation: 'get', module: 'Events', recordId: rl(String(winter.items[0].json.id)) } });
		expect(stored.items[0].json).toMatchObject({ date_start: '2026-01-15', time_start: '09:00:00', time_end: '10:30:00', duration_hours: '1', duration_minutes: '30' });
	});

	test('a value\'s own offset wins over the workflow\'s zone; no offset is ever stored', async () => {
		const r = await createIn('Events', { ...meeting, date_start: '2026-01-15T10:00:00+01:00', due_date: '2026-01-15T12:00:00Z' }, 'America/New_York');
		expect(r.error).toBeUndefined();
		expect(written()[0]).toMatchObject({ time_start: '09:00:00', time_end: '12:00:00', duration_hours: '3' });
	});

	test('input items with Vtiger\'s own fields (a date and "10:00+01:00") are combined the same way', async () => {
		const r = await h.runNode({
			type: 'vtiger',
			timezone: 'Europe/Berlin',
			parameters: { resource: 'record', module: 'Events', operation: 'create', columns: { mappingMode: 'autoMapInputData', value: null } },
			items: [{ ...meeting, date_start: '2026-01-15', time_start: '10:00+01:00', due_date: '2026-01-15', time_end: '11:00' }],
		});
		expect(r.error).toBeUndefined();
		expect(written()[0]).toMatchObject({ date_start: '2026-01-15', time_start: '09:00:00', time_end: '10:00:00', duration_hours: '1', duration_minutes: '0' });
	});

	test('a time crossing midnight moves the date; an End before Start and a date without a time are refused before any write', async () => {
		await createIn('Events', { ...meeting, date_start: '2026-01-15T00:30:00', due_date: '2026-01-15T01:30:00' }, 'Europe/Berlin');
		expect(written()[0]).toMatchObject({ date_start: '2026-01-14', time_start: '23:30:00', due_date: '2026-01-15', time_end: '00:30:00' });
		sim.clearLog();
		const backwards = await createIn('Events', { ...meeting, date_start: '2026-01-15T10:00:00', due_date: '2026-01-15T09:00:00' }, 'Europe/Berlin');
		expect(backwards.error?.message).toBe('Fields › End: End is before Start');
		const noTime = await h.runNode({
			type: 'vtiger',
			parameters: { resource: 'record', module: 'Events', operation: 'create', columns: { mappingMode: 'autoMapInputData', value: null } },
			items: [{ ...meeting, date_start: '2026-01-15', due_date: '2026-01-15' }],
		});
		expect(noTime.error?.message).toBe('Fields › Start: "2026-01-15" has no time of day: Start needs a date and time');
		expect(written()).toHaveLength(0);
	});

	test('Update of Start alone writes its UTC date and time', async () => {
		const created = await createIn('Events', { ...meeting, date_start: '2026-01-15T10:00:00Z', due_date: '2026-01-15T11:00:00Z' });
		const id = String(created.items[0].json.id);
		const schema = (await h.resourceMapping('getUpdateFields', { module: 'Events' })).fields;
		const r = await h.runNode({
			type: 'vtiger',
			timezone: 'Europe/Berlin',
			parameters: {
				resource: 'record',
				module: 'Events',
				operation: 'update',
				recordId: rl(id),
				columns: { mappingMode: 'defineBelow', value: { date_start: '2026-01-15T10:30:00' }, matchingColumns: [], schema },
			} as unknown as INodeParameters,
		});
		expect(r.error).toBeUndefined();
		expect(written('revise')[0]).toEqual({ id, date_start: '2026-01-15', time_start: '09:30:00' });
		expect(r.items[0].json).toMatchObject({ time_start: '09:30:00', duration_hours: '1', duration_minutes: '30' });
	});
});

describe('Calendar tasks', () => {
	test('create in Calendar with the mandatory fields makes a task that Get finds by the returned id', async () => {
		const r = await createIn('Calendar', {
			subject: 'Call back',
			assigned_user_id: '19x1',
			taskstatus: 'Not Started',
			date_start: '2026-01-15T10:00:00',
			due_date: '2026-01-16T00:00:00',
		}, 'Europe/Berlin');
		expect(r.error).toBeUndefined();
		// the End picker gives midnight of the 16th in Berlin
		expect(written()[0]).toMatchObject({ activitytype: 'Task', date_start: '2026-01-15', time_start: '09:00:00', due_date: '2026-01-15', time_end: '23:00:00' });
		const id = String(r.items[0].json.id);
		expect(id).toMatch(/^9x\d+$/);
		const got = await h.runNode({ type: 'vtiger', parameters: { resource: 'record', operation: 'get', module: 'Calendar', recordId: rl(id) } });
		expect(got.error).toBeUndefined();
		expect(got.items[0].json).toMatchObject({ id, subject: 'Call back', activitytype: 'Task' });
	});

	test('a call or meeting in Calendar is refused with a pointer to Events', async () => {
		const r = await h.runNode({
			type: 'vtiger',
			parameters: { resource: 'record', module: 'Calendar', operation: 'create', columns: { mappingMode: 'autoMapInputData', value: null } },
			items: [{ subject: 'Call', assigned_user_id: '19x1', taskstatus: 'Planned', date_start: '2026-01-15 10:00', due_date: '2026-01-15', activitytype: 'Call' }],
		});
		expect(r.error?.message).toBe('Fields › Activity Type: Calendar holds tasks; a "Call" is an event: choose the module Events for it');
		expect(written()).toHaveLength(0);
	});

	test('the simulator, like the lab, makes an Event of a Calendar create without "Task": its 9x id cannot be read', async () => {
		const login = await h.runNode({ type: 'vtiger', parameters: { resource: 'session', operation: 'extend' } });
		expect(login.error).toBeUndefined();
		const sessionName = h.store.sessionName;
		const element = JSON.stringify({ subject: 'x', assigned_user_id: '19x1', date_start: '2026-01-15', time_start: '10:00:00', due_date: '2026-01-16', taskstatus: 'Planned' });
		const created = (await (
			await fetch(sim.url, { method: 'POST', body: new URLSearchParams({ operation: 'create', sessionName, elementType: 'Calendar', element }) })
		).json()) as { result: { id: string; duration_hours: string } };
		expect(created.result.id).toMatch(/^9x/);
		expect(created.result.duration_hours).toBe('38');
		const crmid = created.result.id.split('x')[1];
		const read = async (id: string) => (await (await fetch(`${sim.url}?operation=retrieve&sessionName=${sessionName}&id=${id}`)).json()) as { success: boolean; error?: { code: string } };
		expect((await read(created.result.id)).error?.code).toBe('INVALID_ID_ATTRIBUTE');
		expect((await read(`18x${crmid}`)).success).toBe(true);
	});
});

describe('reading an activity in the wrong module', () => {
	test('Get of an event as Calendar says that events live in Events (Vtiger only answers INVALID_ID_ATTRIBUTE)', async () => {
		const created = await createIn('Events', { ...meeting, date_start: '2026-01-15T10:00:00Z', due_date: '2026-01-15T11:00:00Z' });
		expect(created.error).toBeUndefined();
		const eventId = String(created.items[0].json.id);
		const crmid = eventId.split('x')[1];
		const r = await h.runNode({ type: 'vtiger', parameters: { resource: 'record', operation: 'get', module: 'Calendar', recordId: rl(`9x${crmid}`) } });
		expect(r.error?.message).toContain('INVALID_ID_ATTRIBUTE');
		expect(r.error?.description).toContain('meetings and calls in Events (18x…)');
	});
});

describe('date-times a user filters by are the same instants', () => {
	test('Get Many compares a date-time field with the UTC text of the instant meant; dates and LIKE stay as written', async () => {
		const r = await h.runNode({
			type: 'vtiger',
			timezone: 'Europe/Berlin',
			parameters: {
				resource: 'record',
				operation: 'getAll',
				module: 'Contacts',
				limit: 5,
				filters: {
					conditions: [
						{ field: 'modifiedtime', operator: 'greaterOrEqual', value: '2026-07-01 10:00' },
						{ field: 'createdtime', operator: 'less', value: '2026-01-15T10:00:00Z' },
						{ field: 'birthday', operator: 'equal', value: '1990-03-01' },
						{ field: 'createdtime', operator: 'like', value: '2026-01%' },
					],
				},
				options: { fields: ['lastname'] },
			},
		});
		expect(r.error).toBeUndefined();
		const [query] = sim.log.filter((entry) => entry.operation === 'query');
		expect(query.params.query).toBe(
			"SELECT lastname FROM Contacts WHERE modifiedtime >= '2026-07-01 08:00:00' AND createdtime < '2026-01-15 10:00:00' AND birthday = '1990-03-01' AND createdtime LIKE '2026-01%' LIMIT 0, 5;",
		);
		const bad = await h.runNode({
			type: 'vtiger',
			parameters: { resource: 'record', operation: 'getAll', module: 'Contacts', filters: { conditions: [{ field: 'modifiedtime', operator: 'greater', value: 'yesterday' }] } },
		});
		expect(bad.error?.message).toBe('Filters › Value: "yesterday" is not a date and time');
	});

	test('Get Changes reads "since" without an offset in the workflow\'s zone', async () => {
		const r = await h.runNode({
			type: 'vtiger',
			timezone: 'Europe/Berlin',
			parameters: { resource: 'record', operation: 'getChanges', module: 'HelpDesk', since: '2026-01-15 10:00' },
		});
		expect(r.error).toBeUndefined();
		const [sync] = sim.log.filter((entry) => entry.operation === 'sync');
		expect(sync.params.modifiedTime).toBe(String(Date.UTC(2026, 0, 15, 9) / 1000));
	});
});

describe('the trigger\'s Start From', () => {
	test('a date-time without an offset is read in the workflow\'s zone', async () => {
		const noon = Date.UTC(2026, 0, 15, 12) / 1000;
		sim.clock.freeze(noon);
		try {
			const inBerlinWindow = sim.store.insert('Contacts', { lastname: 'AfterTenBerlin' }, { modifiedtime: Date.UTC(2026, 0, 15, 9, 30) / 1000 });
			sim.store.insert('Contacts', { lastname: 'BeforeTenBerlin' }, { modifiedtime: Date.UTC(2026, 0, 15, 8, 30) / 1000 });
			const parameters = { module: 'Contacts', events: ['created', 'updated'], options: { startFrom: '2026-01-15T10:00:00' } };
			const polled = await h.poll(parameters, {}, 'trigger', { timezone: 'Europe/Berlin' });
			const names = (polled.items ?? []).map((item) => item.json.lastname);
			expect(names).toContain(inBerlinWindow.lastname);
			expect(names).not.toContain('BeforeTenBerlin');
		} finally {
			sim.clock.unfreeze();
		}
	});
});
