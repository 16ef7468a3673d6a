/**
 * The node's own output is valid input for the same instant (README, "Date-times"): an Event stored
 * 10:00–11:00 UTC and a Calendar task, read in every output mode, written back with Map Automatically through
 * Update, Replace, Create or Update and Create, stay where they are in a New York and a Berlin workflow. And
 * which text means which instant: an offset wins, Vtiger's own text (with seconds) is UTC, other text the
 * workflow's wall clock.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { createHarness } from '../../support/harness';
import type { Harness } from '../../support/harness';
import { startSimulator } from '../../support/simulator';
import type { Simulator } from '../../support/simulator';
import { SETTLE_SECONDS } from '../../../nodes/Vtiger/trigger/poll';

let sim: Simulator;
let h: Harness;

beforeAll(async () => {
	sim = await startSimulator();
	h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
});
afterAll(async () => await sim.stop());
beforeEach(() => sim.clearLog());

const AUTO = { mappingMode: 'autoMapInputData', value: null, matchingColumns: [] };
const rl = (value: string) => ({ __rl: true, mode: 'id', value });
const TIMES = ['date_start', 'time_start', 'due_date', 'time_end'];
const times = (record: IDataObject | undefined) => Object.fromEntries(TIMES.map((name) => [name, record?.[name]]));
const sent = (operation: string) => sim.log.filter((entry) => entry.operation === operation).map((entry) => JSON.parse(String(entry.params.element)) as IDataObject);

/** The meeting (10:00–11:00 UTC) and a task from 10:00 to 16:00 UTC the next day (30 hours). */
function stored(module: 'Events' | 'Calendar', subject: string): IDataObject {
	return module === 'Events'
		? sim.store.insert('Events', { subject, assigned_user_id: '19x1', activitytype: 'Meeting', eventstatus: 'Planned', date_start: '2026-01-15', time_start: '10:00:00', due_date: '2026-01-15', time_end: '11:00:00', duration_hours: '1', duration_minutes: '0' })
		: sim.store.insert('Calendar', { subject, assigned_user_id: '19x1', activitytype: 'Task', taskstatus: 'Not Started', date_start: '2026-01-15', time_start: '10:00:00', due_date: '2026-01-16', time_end: '16:00:00', duration_hours: '30', duration_minutes: '0' });
}

async function run(timezone: string, typeVersion: number, parameters: IDataObject, items?: IDataObject[]) {
	const r = await h.runNode({ type: 'vtiger', timezone, typeVersion, parameters: { resource: 'record', ...parameters } as INodeParameters, items });
	expect(r.error?.message).toBeUndefined();
	return r.items.map((item) => item.json);
}

const MODES: Array<[string, number, IDataObject]> = [
	['version 1', 1, {}],
	['version 1, Date-Times as ISO 8601', 1, { options: { isoDateTimes: true } }],
	['version 2 (Simplify)', 2, {}],
	['version 2, Simplify and ISO 8601', 2, { options: { isoDateTimes: true } }],
	['version 2, Simplify off', 2, { simplify: false }],
	['version 2, Simplify off, ISO 8601', 2, { simplify: false, options: { isoDateTimes: true } }],
];

describe('every output mode written back through every write keeps start and end', () => {
	describe.each(['America/New_York', 'Europe/Berlin'])('%s', (timezone) => {
		test.each(MODES)('%s: Get Many → Update, Replace, Create or Update, Create', async (_name, typeVersion, mode) => {
			for (const module of ['Events', 'Calendar'] as const) {
				const subject = `Round trip ${module} ${timezone} ${_name}`;
				const before = stored(module, subject);
				const [item] = await run(timezone, typeVersion, { operation: 'getAll', module, returnAll: true, filters: { conditions: [{ field: 'subject', operator: 'equal', value: subject }] }, ...mode });
				expect(item.id).toBe(before.id);

				await run(timezone, typeVersion, { operation: 'update', module, recordId: rl(String(before.id)), columns: AUTO }, [{ ...item, location: 'Room 2', description: 'updated' }]);
				expect(sim.store.get(String(before.id))?.description).toBe('updated');
				expect(times(sim.store.get(String(before.id)))).toEqual(times(before));

				await run(timezone, typeVersion, { operation: 'replace', module, recordId: rl(String(before.id)), columns: AUTO }, [{ ...item, description: 'replaced' }]);
				expect(sim.store.get(String(before.id))?.description).toBe('replaced');
				expect(times(sim.store.get(String(before.id)))).toEqual(times(before));

				const [upserted] = await run(timezone, typeVersion, { operation: 'upsert', module, columns: { ...AUTO, matchingColumns: ['id'] } }, [{ ...item, description: 'upserted' }]);
				expect(upserted._operation).toBe('updated');
				expect(times(sim.store.get(String(before.id)))).toEqual(times(before));

				const { id: _id, ...copy } = item;
				const [created] = await run(timezone, typeVersion, { operation: 'create', module, columns: AUTO }, [{ ...copy, subject: `${subject} (copy)` }]);
				expect(times(sim.store.get(String(created.id)))).toEqual(times(before));
			}
		});

		test.each([
			['the trigger', {}],
			['the trigger, Date-Times as ISO 8601', { isoDateTimes: true }],
		])('%s → Update', async (_name, options) => {
			const since = sim.clock.now() - 1;
			const events = stored('Events', `Triggered ${timezone} ${_name}`);
			// the trigger emits a record once Vtiger's clock is past its second by the settle delay (trigger/poll.ts)
			sim.clock.advance(SETTLE_SECONDS + 1);
			const polled = await h.poll({ module: 'Events', events: ['created', 'updated'], options: { startFrom: String(since), ...options } }, {}, 'trigger', { timezone });
			const item = (polled.items ?? []).map((entry) => entry.json).find((json) => json.id === events.id);
			expect(item).toBeDefined();
			await run(timezone, 2, { operation: 'update', module: 'Events', recordId: rl(String(events.id)), columns: AUTO }, [{ ...item, description: 'from the trigger' }]);
			expect(sim.store.get(String(events.id))?.description).toBe('from the trigger');
			expect(times(sim.store.get(String(events.id)))).toEqual(times(events));
		});
	});
});

describe('an output\'s modifiedtime as a column to match on', () => {
	test.each([
		['Vtiger\'s text', {}],
		['ISO 8601', { options: { isoDateTimes: true } }],
	])('Create or Update matched on modifiedtime (%s, Map Automatically and Map Each Field Below) updates that record', async (_name, mode) => {
		const at = Date.UTC(2026, 2, 29, 0, 59, 30) / 1000;
		const contact = sim.store.insert('Contacts', { lastname: `Matched ${_name}`, assigned_user_id: '19x1' }, { modifiedtime: at });
		const [item] = await run('Europe/Berlin', 2, { operation: 'get', module: 'Contacts', recordId: rl(String(contact.id)), ...mode });
		const [auto] = await run('Europe/Berlin', 2, { operation: 'upsert', module: 'Contacts', columns: { ...AUTO, matchingColumns: ['modifiedtime'] } }, [{ ...item, title: 'auto' }]);
		expect(auto).toMatchObject({ _operation: 'updated', id: contact.id, title: 'auto' });
		sim.store.touch(String(contact.id), at);
		const value = { modifiedtime: String(item.modifiedtime), title: 'mapped' };
		const [mapped] = await run('Europe/Berlin', 2, { operation: 'upsert', module: 'Contacts', columns: { mappingMode: 'defineBelow', value, matchingColumns: ['modifiedtime'], schema: [] } });
		expect(mapped).toMatchObject({ _operation: 'updated', id: contact.id, title: 'mapped' });
		expect(sim.log.filter((entry) => entry.operation === 'query').map((entry) => entry.params.query)).toContain("SELECT id FROM Contacts WHERE modifiedtime = '2026-03-29 00:59:30' LIMIT 0, 100;");
	});
});

describe('the mapper', () => {
	async function mapped(timezone: string, value: IDataObject, items?: IDataObject[], module = 'Events') {
		const schema = (await h.resourceMapping('getUpdateFields', { module })).fields;
		const events = stored('Events', `Mapped ${timezone}`);
		sim.clearLog();
		await run(timezone, 2, { operation: 'update', module, recordId: rl(String(events.id)), columns: { mappingMode: 'defineBelow', value, matchingColumns: [], schema } }, items);
		return { events, element: sent('revise')[0] };
	}

	test('the mapper reads Vtiger\'s own text as UTC: Start and End mapped from a record Get returned stay where they are', async () => {
		const source = stored('Events', 'Mapped from Get');
		const [item] = await run('Europe/Berlin', 2, { operation: 'get', module: 'Events', recordId: rl(String(source.id)) });
		const { events, element } = await mapped(
			'Europe/Berlin',
			{ date_start: '={{ $json.date_start }} {{ $json.time_start }}', due_date: '={{ $json.due_date }} {{ $json.time_end }}' },
			[item],
		);
		expect(element).toMatchObject({ date_start: '2026-01-15', time_start: '10:00:00', due_date: '2026-01-15', time_end: '11:00:00' });
		expect(times(sim.store.get(String(events.id)))).toEqual(times(source));
	});

	test('a date-time typed or picked without seconds, with a T or with an offset keeps its meaning', async () => {
		expect((await mapped('Europe/Berlin', { date_start: '2026-01-15 10:30', due_date: '2026-01-15T11:30:00' })).element).toMatchObject({ time_start: '09:30:00', time_end: '10:30:00' });
		expect((await mapped('America/New_York', { date_start: '2026-07-15T10:30:00+02:00', due_date: '={{ $now.set({ year: 2026, month: 7, day: 15, hour: 12, minute: 0, second: 0 }) }}' })).element).toMatchObject({
			date_start: '2026-07-15',
			time_start: '08:30:00',
			// $now is a date-time of the workflow's zone: noon in New York (EDT) is 16:00 UTC
			time_end: '16:00:00',
		});
	});
});

describe('which text means which instant (Map Automatically, Berlin, winter)', () => {
	const meeting = { subject: 'Texts', assigned_user_id: '19x1', activitytype: 'Meeting', eventstatus: 'Planned' };
	const created = async (item: IDataObject, timezone = 'Europe/Berlin') => {
		sim.clearLog();
		await run(timezone, 2, { operation: 'create', module: 'Events', columns: AUTO }, [{ ...meeting, ...item }]);
		return sent('create')[0];
	};

	test('a time field with seconds is Vtiger\'s UTC; without seconds the workflow\'s wall clock; with an offset that instant', async () => {
		expect(await created({ date_start: '2026-01-15', time_start: '10:00:00', due_date: '2026-01-15', time_end: '11:00' })).toMatchObject({ time_start: '10:00:00', time_end: '10:00:00', duration_hours: '0', duration_minutes: '0' });
		expect(await created({ date_start: '2026-01-15', time_start: '10:00+01:00', due_date: '2026-01-15', time_end: '11:00:00Z' })).toMatchObject({ time_start: '09:00:00', time_end: '11:00:00', duration_hours: '2' });
	});

	test('a date-time as Vtiger writes it (space, seconds) is UTC; with a T, without seconds or a date only, the workflow\'s wall clock', async () => {
		expect(await created({ date_start: '2026-01-15 10:00:00', due_date: '2026-01-15 11:30' })).toMatchObject({ time_start: '10:00:00', time_end: '10:30:00' });
		expect(await created({ date_start: '2026-01-15T10:00:00', due_date: '2026-01-16T00:00:00.000' })).toMatchObject({ time_start: '09:00:00', due_date: '2026-01-15', time_end: '23:00:00' });
	});

	test('a date-only field is the date written, whatever the zone and the form', async () => {
		sim.clearLog();
		await run('Pacific/Kiritimati', 2, { operation: 'create', module: 'Contacts', columns: AUTO }, [
			{ lastname: 'Dates 1', assigned_user_id: '19x1', birthday: '1990-03-01' },
			{ lastname: 'Dates 2', assigned_user_id: '19x1', birthday: '1990-03-01 23:30:00' },
			{ lastname: 'Dates 3', assigned_user_id: '19x1', birthday: '1990-03-01T00:00:00-10:00' },
		]);
		expect(sent('create').map((element) => element.birthday)).toEqual(['1990-03-01', '1990-03-01', '1990-03-01']);
	});

	test('a Calendar task\'s own duration (30 hours, which Calendar\'s describe calls a time) is not read: Vtiger derives it from Start and End', async () => {
		const task = stored('Calendar', 'Thirty hours');
		const [item] = await run('Europe/Berlin', 1, { operation: 'get', module: 'Calendar', recordId: rl(String(task.id)) });
		expect(item).toMatchObject({ duration_hours: '30' });
		sim.clearLog();
		await run('Europe/Berlin', 1, { operation: 'update', module: 'Calendar', recordId: rl(String(task.id)), columns: AUTO }, [{ ...item, description: 'read back' }]);
		expect(sent('revise')[0]).toMatchObject({ time_start: '10:00:00', time_end: '16:00:00', duration_hours: '30', duration_minutes: '0' });
	});

	test('a time stored without seconds (another program wrote "10:00") comes out of Simplify with them, and goes back as the same instant', async () => {
		const events = sim.store.insert('Events', { ...meeting, subject: 'No seconds', date_start: '2026-01-15', time_start: '10:00', due_date: '2026-01-15', time_end: '11:30' });
		const [simplified] = await run('Europe/Berlin', 2, { operation: 'get', module: 'Events', recordId: rl(String(events.id)) });
		expect(simplified).toMatchObject({ time_start: '10:00:00', time_end: '11:30:00' });
		const [raw] = await run('Europe/Berlin', 2, { operation: 'get', module: 'Events', recordId: rl(String(events.id)), simplify: false });
		expect(raw).toMatchObject({ time_start: '10:00', time_end: '11:30' });
		await run('Europe/Berlin', 2, { operation: 'update', module: 'Events', recordId: rl(String(events.id)), columns: AUTO }, [simplified]);
		expect(times(sim.store.get(String(events.id)))).toEqual({ date_start: '2026-01-15', time_start: '10:00:00', due_date: '2026-01-15', time_end: '11:30:00' });
	});
});
