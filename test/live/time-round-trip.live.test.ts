/**
 * The node's own output is valid input for the same instant, on a real Vtiger: an Event or a Calendar task
 * read with Get (Get Many, Query) in any output mode, any node version, in a New York or a Berlin workflow,
 * and written back with Map Automatically through Update, Replace, Create or Update or Create keeps its
 * start and end exactly as Vtiger stored them. Every record carries this run's tag and is deleted in afterAll.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { Harness } from '../support/harness';
import { describeLive, liveClient, liveHarness, LiveRecords, liveTag } from './env';
import type { LiveClient } from './env';
import { rl, shown } from './helpers';

const ZONES = ['America/New_York', 'Europe/Berlin'];

/** Every way the node can hand a record on: node version, Simplify, Date-Times as ISO 8601. */
const MODES: Array<{ name: string; typeVersion: number; parameters: IDataObject }> = [
	{ name: 'version 1', typeVersion: 1, parameters: {} },
	{ name: 'version 1, ISO 8601', typeVersion: 1, parameters: { options: { isoDateTimes: true } } },
	{ name: 'version 2 (Simplify)', typeVersion: 2, parameters: {} },
	{ name: 'version 2, Simplify off', typeVersion: 2, parameters: { simplify: false } },
	{ name: 'version 2, ISO 8601', typeVersion: 2, parameters: { options: { isoDateTimes: true } } },
];

const TIMES = ['date_start', 'time_start', 'due_date', 'time_end'];
const AUTO = { mappingMode: 'autoMapInputData', value: null, matchingColumns: [] };

describeLive('live: date-times survive a round trip through the node', () => {
	const records = new LiveRecords(['Events', 'Calendar']);
	let h: Harness;
	let raw: LiveClient;

	beforeAll(async () => {
		h = liveHarness();
		raw = await liveClient();
	});
	afterAll(async () => {
		expect(await records.cleanup(raw)).toEqual([]);
	});

	/**
	 * Stored by the raw client (no node involved): an event from 23:30 to 01:15 UTC on a summer night (the
	 * next day in Berlin, the same evening in New York) and a task from 10:00 to 16:00 UTC over two winter days.
	 */
	async function stored(module: 'Events' | 'Calendar', suffix: string): Promise<IDataObject> {
		const element: IDataObject =
			module === 'Events'
				? { subject: liveTag(suffix), assigned_user_id: raw.userId, activitytype: 'Meeting', eventstatus: 'Planned', date_start: '2026-07-15', time_start: '23:30:00', due_date: '2026-07-16', time_end: '01:15:00', duration_hours: '1', duration_minutes: '45' }
				: { subject: liveTag(suffix), assigned_user_id: raw.userId, activitytype: 'Task', taskstatus: 'Not Started', date_start: '2026-01-15', time_start: '10:00:00', due_date: '2026-01-16', time_end: '16:00:00' };
		const created = await raw.call<IDataObject>('create', { elementType: module, element });
		records.track(String(created.id));
		return await raw.call<IDataObject>('retrieve', { id: created.id });
	}

	const pick = (record: IDataObject) => Object.fromEntries(TIMES.map((name) => [name, record[name]]));

	async function run(timezone: string, typeVersion: number, parameters: IDataObject, items?: IDataObject[]) {
		return await h.runNode({ type: 'vtiger', timezone, typeVersion, parameters: { resource: 'record', ...parameters } as INodeParameters, items });
	}

	it('a time stored without seconds ("10:00", written by another client) is kept as given; read with Simplify it goes back as the same instant', async () => {
		const element = { subject: liveTag('rt-no-seconds'), assigned_user_id: raw.userId, activitytype: 'Meeting', eventstatus: 'Planned', date_start: '2026-01-15', time_start: '10:00', due_date: '2026-01-15', time_end: '11:30', duration_hours: '1', duration_minutes: '30' };
		const created = await raw.call<IDataObject>('create', { elementType: 'Events', element });
		const id = records.track(String(created.id));
		expect(pick(await raw.call<IDataObject>('retrieve', { id }))).toEqual({ date_start: '2026-01-15', time_start: '10:00', due_date: '2026-01-15', time_end: '11:30' });
		const got = await run('Europe/Berlin', 2, { operation: 'get', module: 'Events', recordId: rl(id) });
		expect(got.items[0].json).toMatchObject({ time_start: '10:00:00', time_end: '11:30:00' });
		const updated = await run('Europe/Berlin', 2, { operation: 'update', module: 'Events', recordId: rl(id), columns: AUTO }, [got.items[0].json]);
		expect(shown(updated)).toBe('');
		expect(pick(await raw.call<IDataObject>('retrieve', { id }))).toEqual({ date_start: '2026-01-15', time_start: '10:00:00', due_date: '2026-01-15', time_end: '11:30:00' });
	});

	it('Start and End mapped from a record Get returned ({{ $json.date_start }} {{ $json.time_start }}) stay where they are', async () => {
		const before = await stored('Events', 'rt-mapped');
		const got = await run('America/New_York', 1, { operation: 'get', module: 'Events', recordId: rl(String(before.id)) });
		const schema = (await h.resourceMapping('getUpdateFields', { resource: 'record', operation: 'update', module: 'Events' })).fields;
		const value = { date_start: '={{ $json.date_start }} {{ $json.time_start }}', due_date: '={{ $json.due_date }} {{ $json.time_end }}', description: 'mapped' };
		const updated = await run('America/New_York', 1, { operation: 'update', module: 'Events', recordId: rl(String(before.id)), columns: { mappingMode: 'defineBelow', value, matchingColumns: [], schema } }, [got.items[0].json]);
		expect(shown(updated)).toBe('');
		const after = await raw.call<IDataObject>('retrieve', { id: before.id });
		expect(after.description).toBe('mapped');
		expect(pick(after)).toEqual(pick(before));
	});

	for (const module of ['Events', 'Calendar'] as const) {
		for (const timezone of ZONES) {
			for (const [index, mode] of MODES.entries()) {
				it(`${module}, ${timezone}, ${mode.name}: Get → Update (Map Automatically, only the description changed) keeps start and end`, async () => {
					const before = await stored(module, `rt-${module}-${timezone.split('/')[1]}-${index}`);
					const got = await run(timezone, mode.typeVersion, { operation: 'get', module, recordId: rl(String(before.id)), ...mode.parameters });
					expect(shown(got)).toBe('');
					const updated = await run(timezone, mode.typeVersion, { operation: 'update', module, recordId: rl(String(before.id)), columns: AUTO }, [
						{ ...got.items[0].json, description: 'moved room' },
					]);
					expect(shown(updated)).toBe('');
					const after = await raw.call<IDataObject>('retrieve', { id: before.id });
					expect(after.description).toBe('moved room');
					expect(pick(after)).toEqual(pick(before));
				});
			}

			it(`${module}, ${timezone}: Get Many → Replace, Query → Create or Update (by ID) and Get → Create keep start and end`, async () => {
				const before = await stored(module, `rt-${module}-${timezone.split('/')[1]}-ops`);
				for (const mode of [MODES[0], MODES[2]]) {
					const many = await run(timezone, mode.typeVersion, {
						operation: 'getAll',
						module,
						limit: 1,
						filters: { conditions: [{ field: 'subject', operator: 'equal', value: before.subject }] },
					});
					expect(shown(many)).toBe('');
					expect(many.items).toHaveLength(1);
					const replaced = await run(timezone, mode.typeVersion, { operation: 'replace', module, recordId: rl(String(before.id)), columns: AUTO }, [many.items[0].json]);
					expect(shown(replaced)).toBe('');
					expect(pick(await raw.call<IDataObject>('retrieve', { id: before.id }))).toEqual(pick(before));

					const queried = await run(timezone, mode.typeVersion, { operation: 'query', query: `SELECT * FROM ${module} WHERE subject = '${String(before.subject)}';` });
					expect(shown(queried)).toBe('');
					const upserted = await run(timezone, mode.typeVersion, { operation: 'upsert', module, columns: { ...AUTO, matchingColumns: ['id'] } }, [queried.items[0].json]);
					expect(shown(upserted)).toBe('');
					expect(upserted.items[0].json._operation).toBe('updated');
					expect(pick(await raw.call<IDataObject>('retrieve', { id: before.id }))).toEqual(pick(before));

					const got = await run(timezone, mode.typeVersion, { operation: 'get', module, recordId: rl(String(before.id)) });
					const { id: _id, ...copy } = got.items[0].json;
					const created = await run(timezone, mode.typeVersion, { operation: 'create', module, columns: AUTO }, [{ ...copy, subject: liveTag(`rt-copy-${timezone.split('/')[1]}`) }]);
					expect(shown(created)).toBe('');
					const copyId = records.track(String(created.items[0].json.id));
					expect(pick(await raw.call<IDataObject>('retrieve', { id: copyId }))).toEqual(pick(before));
				}
			});
		}
	}
});
