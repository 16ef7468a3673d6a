/**
 * Events and tasks on a real Vtiger, and owners picked by name: an Event written at a Berlin time is
 * stored as its UTC instant (what the web UI converts to each user's zone), a Calendar task is read back
 * by the id Create returned, owners come from the CRM's users and groups. Every record carries this
 * run's tag in its subject/last name and is deleted in afterAll.
 */
import type { IDataObject, INodeParameters, ResourceMapperField } from 'n8n-workflow';

import type { Harness } from '../support/harness';
import { describeLive, liveClient, liveHarness, LiveRecords, liveTag, liveTarget } from './env';
import type { LiveClient } from './env';
import { rl, runVtiger, shown } from './helpers';

describeLive('live: calendar, events and owners', () => {
	const records = new LiveRecords(['Events', 'Calendar', 'Contacts']);
	let h: Harness;
	let raw: LiveClient;

	beforeAll(async () => {
		h = liveHarness();
		raw = await liveClient();
	});
	afterAll(async () => {
		expect(await records.cleanup(raw)).toEqual([]);
	});

	/** A write through the mapper as the editor saves it (the schema from the mapper's own method). */
	async function write(module: string, value: IDataObject, timezone: string, operation = 'create', extra: IDataObject = {}) {
		const method = operation === 'create' ? 'getCreateFields' : 'getUpdateFields';
		const schema = (await h.resourceMapping(method, { resource: 'record', operation, module })).fields;
		return await h.runNode({
			type: 'vtiger',
			timezone,
			parameters: {
				resource: 'record',
				module,
				operation,
				...extra,
				columns: { mappingMode: 'defineBelow', value, matchingColumns: [], schema },
			} as unknown as INodeParameters,
		});
	}

	const meeting = (suffix: string): IDataObject => ({
		subject: liveTag(suffix),
		assigned_user_id: raw.userId,
		eventstatus: 'Planned',
		activitytype: 'Meeting',
	});

	it('an Event written at 10:00 in a Berlin workflow is stored at 09:00 UTC in winter and 08:00 in summer', async () => {
		const winter = await write('Events', { ...meeting('winter'), date_start: '2026-01-15T10:00:00', due_date: '2026-01-15T11:30:00' }, 'Europe/Berlin');
		expect(shown(winter)).toBe('');
		const winterId = records.track(String(winter.items[0].json.id));
		expect(winterId).toMatch(/^18x\d+$/);
		expect(await raw.call<IDataObject>('retrieve', { id: winterId })).toMatchObject({
			date_start: '2026-01-15',
			time_start: '09:00:00',
			due_date: '2026-01-15',
			time_end: '10:30:00',
			duration_hours: '1',
			duration_minutes: '30',
		});
		const summer = await write('Events', { ...meeting('summer'), date_start: '2026-07-15T10:00:00', due_date: '2026-07-15T11:00:00' }, 'Europe/Berlin');
		expect(shown(summer)).toBe('');
		const summerId = records.track(String(summer.items[0].json.id));
		expect(await raw.call<IDataObject>('retrieve', { id: summerId })).toMatchObject({ date_start: '2026-07-15', time_start: '08:00:00', time_end: '09:00:00' });
	});

	it('a time with its own offset ("10:00+01:00" from an input item) lands at 09:00 UTC, no offset stored', async () => {
		const r = await runVtiger(h, { resource: 'record', module: 'Events', operation: 'create', columns: { mappingMode: 'autoMapInputData', value: null } }, [
			{ ...meeting('offset'), date_start: '2026-01-15', time_start: '10:00+01:00', due_date: '2026-01-15', time_end: '12:00+01:00' },
		]);
		expect(shown(r)).toBe('');
		const id = records.track(String(r.items[0].json.id));
		const stored = await raw.call<IDataObject>('retrieve', { id });
		expect(stored).toMatchObject({ time_start: '09:00:00', time_end: '11:00:00', duration_hours: '2', duration_minutes: '0' });
		// a query compares them as Vtiger's own calendar views do: as UTC date and time text
		const found = await raw.call<IDataObject[]>('query', {
			query: `SELECT id FROM Events WHERE subject = '${liveTag('offset')}' AND time_start = '09:00:00';`,
		});
		expect(found.map((row) => row.id)).toEqual([id]);
	});

	it('Update moves Start to the instant meant and Vtiger derives the duration again', async () => {
		const created = await write('Events', { ...meeting('move'), date_start: '2026-03-02T14:00:00Z', due_date: '2026-03-02T15:00:00Z' }, 'UTC');
		const id = records.track(String(created.items[0].json.id));
		const moved = await write('Events', { date_start: '2026-03-02T14:30:00' }, 'Europe/Berlin', 'update', { recordId: rl(id) });
		expect(shown(moved)).toBe('');
		expect(await raw.call<IDataObject>('retrieve', { id })).toMatchObject({ time_start: '13:30:00', time_end: '15:00:00', duration_hours: '1', duration_minutes: '30' });
	});

	it('a task created in Calendar with the mandatory fields is found by Get with the id Create returned', async () => {
		const r = await write('Calendar', {
			subject: liveTag('task'),
			assigned_user_id: raw.userId,
			taskstatus: 'Not Started',
			date_start: '2026-01-15T10:00:00',
			due_date: '2026-01-16T17:00:00',
		}, 'Europe/Berlin');
		expect(shown(r)).toBe('');
		const id = records.track(String(r.items[0].json.id));
		expect(id).toMatch(/^9x\d+$/);
		const got = await runVtiger(h, { resource: 'record', module: 'Calendar', operation: 'get', recordId: rl(id) });
		expect(shown(got)).toBe('');
		expect(got.items[0].json).toMatchObject({ id, subject: liveTag('task'), activitytype: 'Task', time_start: '09:00:00', due_date: '2026-01-16', time_end: '16:00:00' });
	});

	it('Vtiger itself: Calendar create without activitytype makes an Event its 9x id cannot read (why the node says "Task")', async () => {
		const element = { subject: liveTag('bare'), assigned_user_id: raw.userId, date_start: '2026-01-15', time_start: '10:00:00', due_date: '2026-01-16', taskstatus: 'Not Started' };
		const created = await raw.call<IDataObject>('create', { elementType: 'Calendar', element });
		const crmid = String(created.id).split('x')[1];
		records.track(`18x${crmid}`);
		expect(created.id).toBe(`9x${crmid}`);
		expect((await raw.send('retrieve', { id: created.id })).body?.error?.code).toBe('INVALID_ID_ATTRIBUTE');
		expect((await raw.send('retrieve', { id: `18x${crmid}` })).body?.success).toBe(true);
	});

	it('owners are picked by name from the CRM\'s users and groups; the pick is written as the id', async () => {
		const { fields } = await h.resourceMapping('getCreateFields', { resource: 'record', operation: 'create', module: 'Contacts' });
		const owner = fields.find((field) => field.id === 'assigned_user_id') as ResourceMapperField;
		expect(owner).toMatchObject({ type: 'options', displayName: 'Assigned To', defaultValue: raw.userId });
		const users = await raw.call<IDataObject[]>('query', { query: 'SELECT id, user_name FROM Users;' });
		const groups = await raw.call<IDataObject[]>('query', { query: 'SELECT id, groupname FROM Groups;' });
		const values = (owner.options ?? []).map((option) => option.value);
		expect(values[0]).toBe(raw.userId);
		expect(values).toEqual(expect.arrayContaining([...users, ...groups].map((row) => row.id)));
		const group = (owner.options ?? []).find((option) => option.name === `${String(groups[0].groupname)} (group)`);
		expect(group).toBeDefined();
		const r = await write('Contacts', { lastname: liveTag('owner'), assigned_user_id: group!.value }, 'UTC');
		expect(shown(r)).toBe('');
		const id = records.track(String(r.items[0].json.id));
		expect(await raw.call<IDataObject>('retrieve', { id })).toMatchObject({ assigned_user_id: group!.value });
	});

	it('a non-admin is offered itself and the groups (Vtiger refuses it the Users list)', async () => {
		if (!liveTarget()?.user2) return;
		const user = liveHarness('user2');
		const self = await liveClient('user2');
		let fields: ResourceMapperField[];
		try {
			fields = (await user.resourceMapping('getCreateFields', { resource: 'record', operation: 'create', module: 'Contacts' })).fields;
		} catch (error) {
			// stock 8.3.0 refuses a non-admin every entity module, describe too (Vtiger issue #1934)
			expect(String((error as Error).message)).toMatch(/ACCESS_DENIED/);
			return;
		}
		const options = fields.find((field) => field.id === 'assigned_user_id')?.options ?? [];
		expect(options[0]?.value).toBe(self.userId);
		expect(options.filter((option) => String(option.value).startsWith('19x')).map((option) => option.value)).toEqual([self.userId]);
		expect(options.some((option) => String(option.value).startsWith('20x'))).toBe(true);
	});
});
