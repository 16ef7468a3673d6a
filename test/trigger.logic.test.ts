import type { IDataObject } from 'n8n-workflow';

import { computeChanges, type FetchedWindow } from '../nodes/Vtiger/trigger/changes';
import { initialState, readState, writeState, type TriggerState } from '../nodes/Vtiger/trigger/state';
import { recordFingerprint } from '../nodes/Vtiger/trigger/fingerprint';
import { fetchSyncWindow, parseSyncPage, type SyncPage } from '../nodes/Vtiger/trigger/syncPoller';
import { epochToVtigerDateTime, vtigerDateTimeToEpoch } from '../nodes/Vtiger/shared/time';
import { fetchVtqlWindow } from '../nodes/Vtiger/trigger/vtqlPoller';

const T0 = 1795502781; // "2026-11-24 06:46:21" in 06_sync_patched_8081.jsonl
const at = (offset: number) => epochToVtigerDateTime(T0 + offset);
const rec = (id: string, created: number, modified: number): IDataObject => ({
	id,
	lastname: `L${id}`,
	createdtime: at(created),
	modifiedtime: at(modified),
});
const win = (records: IDataObject[], deleted: string[] = [], endCursor?: number): FetchedWindow => ({
	records,
	deleted,
	endCursor,
	lastPageDeleted: deleted,
});
const ALL = ['created', 'updated', 'deleted'] as const;

describe('time conversion', () => {
	it('matches the recording: 1795502781 is 2026-11-24 06:46:21', () => {
		expect(epochToVtigerDateTime(1795502781)).toBe('2026-11-24 06:46:21');
		expect(vtigerDateTimeToEpoch('2026-11-24 06:46:21')).toBe(1795502781);
		expect(vtigerDateTimeToEpoch('')).toBeUndefined();
		expect(vtigerDateTimeToEpoch(null)).toBeUndefined();
	});
});

describe('computeChanges', () => {
	const start: TriggerState = initialState('Contacts', T0);

	it('classifies created (createdtime after the cursor) and updated, in modification order', () => {
		const { changes, next } = computeChanges(
			start,
			win([rec('12x2', 1, 3), rec('12x1', -100, 2)], [], T0 + 3),
			ALL,
		);
		expect(changes.map((c) => [c.event, c.id])).toEqual([
			['updated', '12x1'],
			['created', '12x2'],
		]);
		expect(next).toEqual({
			module: 'Contacts',
			cursor: T0 + 3,
			boundaryTime: at(3),
			boundaryIds: ['12x2'],
			boundaryFingerprints: [recordFingerprint(rec('12x2', 1, 3))],
			deletedIds: [],
		});
	});

	it('drops records already emitted in the boundary second, keeps the ones added to it later', () => {
		const first = computeChanges(start, win([rec('12x1', 1, 1), rec('12x2', 1, 1)], [], T0 + 1), ALL);
		expect(first.changes).toHaveLength(2);
		// same second, one more record arrived after the poll; 12x1 was touched again later
		const second = computeChanges(
			first.next,
			win([rec('12x2', 1, 1), rec('12x3', 1, 1), rec('12x1', 1, 5)], [], T0 + 5),
			ALL,
		);
		expect(second.changes.map((c) => [c.event, c.id])).toEqual([
			['created', '12x3'],
			['updated', '12x1'],
		]);
		expect(second.next.boundaryIds).toEqual(['12x1']);
		expect(second.next.cursor).toBe(T0 + 5);
	});

	it('emits a record created and updated between polls once, as created', () => {
		const { changes } = computeChanges(start, win([rec('12x9', 2, 7)], [], T0 + 7), ALL);
		expect(changes.map((c) => [c.event, c.id])).toEqual([['created', '12x9']]);
	});

	it('with only Updated selected, a new record counts only if it was changed after creation', () => {
		const { changes } = computeChanges(
			start,
			win([rec('12x9', 2, 7), rec('12x8', 3, 3)], [], T0 + 7),
			['updated'],
		);
		expect(changes.map((c) => [c.event, c.id])).toEqual([['updated', '12x9']]);
	});

	it('drops deletions seen on the previous last page and repeated ids', () => {
		const first = computeChanges(start, win([], ['12x5', '12x5'], T0 + 2), ALL);
		expect(first.changes).toEqual([{ event: 'deleted', id: '12x5' }]);
		expect(first.next.deletedIds).toEqual(['12x5']);
		const second = computeChanges(first.next, win([], ['12x5', '12x6'], T0 + 4), ALL);
		expect(second.changes).toEqual([{ event: 'deleted', id: '12x6' }]);
	});

	it('leaves the state untouched when nothing came back, and never moves the cursor back', () => {
		const empty = computeChanges(start, win([], [], undefined), ALL);
		expect(empty.changes).toEqual([]);
		expect(empty.next).toBe(start);
		const stale = computeChanges(start, win([rec('12x1', -9, 0)], [], T0 - 1), ALL);
		expect(stale.next.cursor).toBe(T0);
	});

	it('honours the event selection', () => {
		const { changes, next } = computeChanges(
			start,
			win([rec('12x1', -9, 1), rec('12x2', 1, 1)], ['12x3'], T0 + 1),
			['deleted'],
		);
		expect(changes).toEqual([{ event: 'deleted', id: '12x3' }]);
		expect(next.cursor).toBe(T0 + 1);
	});
});

describe('state in static data', () => {
	it('round-trips, and is dropped when the module changes or it is malformed', () => {
		const data: IDataObject = { leftover: 1 };
		writeState(data, { ...initialState('Leads', 5), boundaryIds: ['10x1'], boundaryFingerprints: ['abcdefgh'] });
		expect(JSON.parse(JSON.stringify(data))).toEqual({
			vtigerTrigger: {
				module: 'Leads',
				cursor: 5,
				boundaryTime: '',
				boundaryIds: ['10x1'],
				boundaryFingerprints: ['abcdefgh'],
				deletedIds: [],
			},
		});
		expect(readState(data, 'Leads')?.boundaryIds).toEqual(['10x1']);
		expect(readState(data, 'Leads')?.boundaryFingerprints).toEqual(['abcdefgh']);
		expect(readState(data, 'Contacts')).toBeUndefined();
		expect(readState({ vtigerTrigger: { module: 'Leads', cursor: 'x' } }, 'Leads')).toBeUndefined();
	});
});

describe('state saved before fingerprints existed', () => {
	const old = { module: 'Contacts', cursor: T0 + 1, boundaryTime: at(1), boundaryIds: ['12x1'], deletedIds: [] };

	it('loads with unknown fingerprints, so the emitted record of that second is not repeated', () => {
		const state = readState({ vtigerTrigger: old }, 'Contacts');
		expect(state?.boundaryFingerprints).toEqual(['']);
		const again = computeChanges(state as TriggerState, win([rec('12x1', 1, 1), rec('12x2', 1, 1)], [], T0 + 1), ALL);
		expect(again.changes.map((c) => [c.event, c.id])).toEqual([['created', '12x2']]);
		// from now on the content is known: a later save in that second is emitted, as updated
		const saved = { ...rec('12x1', 1, 1), lastname: 'Changed' };
		const later = computeChanges(again.next, win([saved, rec('12x2', 1, 1)], [], T0 + 1), ALL);
		expect(later.changes.map((c) => [c.event, c.id])).toEqual([['updated', '12x1']]);
	});

	it('fingerprints that do not pair with the ids count as unknown', () => {
		expect(readState({ vtigerTrigger: { ...old, boundaryFingerprints: ['a', 'b'] } }, 'Contacts')?.boundaryFingerprints).toEqual(['']);
	});

	it('a fingerprint ignores field order and tells any changed value', () => {
		expect(recordFingerprint({ a: '1', b: '2' })).toBe(recordFingerprint({ b: '2', a: '1' }));
		expect(recordFingerprint({ a: '1', b: '2' })).not.toBe(recordFingerprint({ a: '1', b: '3' }));
		expect(recordFingerprint({ a: '1', b: '2' })).toHaveLength(8);
	});
});

describe('fetchSyncWindow', () => {
	const page = (p: Partial<SyncPage>): SyncPage => ({
		updated: [],
		deleted: [],
		more: false,
		lastModifiedTime: 0,
		...p,
	});

	it('starts one second before the cursor (never below 1) and follows more', async () => {
		const asked: number[] = [];
		const answers = [
			page({ updated: [rec('12x1', 0, 0)], more: true, lastModifiedTime: T0 }),
			page({ updated: [rec('12x2', 4, 4)], deleted: ['12x7'], more: true, lastModifiedTime: T0 + 4 }),
			page({ more: false, lastModifiedTime: T0 + 4 }),
		];
		const window = await fetchSyncWindow(async (from) => {
			asked.push(from);
			return answers.shift() as SyncPage;
		}, T0);
		expect(asked).toEqual([T0 - 1, T0, T0 + 4]);
		expect(window.records.map((r) => r.id)).toEqual(['12x1', '12x2']);
		expect(window.endCursor).toBe(T0 + 4);
		expect(window.lastPageDeleted).toEqual(['12x7']);

		const fromStart: number[] = [];
		await fetchSyncWindow(async (from) => {
			fromStart.push(from);
			return page({ lastModifiedTime: from });
		}, 1);
		expect(fromStart).toEqual([1]);
	});

	it('refuses to loop when more=true does not advance', async () => {
		await expect(
			fetchSyncWindow(async (from) => page({ more: true, lastModifiedTime: from }), T0),
		).rejects.toThrow('without moving past');
	});

	it('parses the recorded page shapes, including the Users answer with a string time', () => {
		expect(
			parseSyncPage({ updated: [], deleted: [], lastModifiedTime: '1', more: false }),
		).toEqual({ updated: [], deleted: [], more: false, lastModifiedTime: 1 });
		expect(parseSyncPage('')).toBeUndefined();
	});
});

describe('fetchVtqlWindow', () => {
	const engine = (rows: IDataObject[], queries: string[], onQuery?: (n: number) => void) => async (vtql: string) => {
		queries.push(vtql);
		onQuery?.(queries.length);
		const m = /modifiedtime >= '([^']+)' ORDER BY modifiedtime LIMIT (\d+),100;$/.exec(vtql);
		if (!m) throw new Error(vtql);
		return rows
			.filter((r) => (r.modifiedtime as string) >= m[1])
			.sort((a, b) => ((a.modifiedtime as string) < (b.modifiedtime as string) ? -1 : (a.modifiedtime as string) > (b.modifiedtime as string) ? 1 : 0))
			.slice(+m[2], +m[2] + 100)
			.map((r) => ({ ...r }));
	};
	const build = () => {
		const rows: IDataObject[] = [];
		for (let i = 0; i < 40; i++) rows.push(rec(`12x${i}`, 0, 1));
		for (let i = 40; i < 290; i++) rows.push(rec(`12x${i}`, 0, 2));
		for (let i = 290; i < 300; i++) rows.push(rec(`12x${i}`, 0, 3));
		return rows;
	};

	it('pages through a second holding more than 100 records without losing any', async () => {
		const queries: string[] = [];
		const window = await fetchVtqlWindow(engine(build(), queries), 'Contacts', T0);
		expect(queries[0]).toBe(
			`SELECT * FROM Contacts WHERE modifiedtime >= '${at(0)}' ORDER BY modifiedtime LIMIT 0,100;`,
		);
		expect(new Set(window.records.map((r) => r.id)).size).toBe(300);
		expect(window.endCursor).toBe(T0 + 3);
		expect(window.deleted).toEqual([]);
		const { changes } = computeChanges(initialState('Contacts', T0), window, ALL);
		expect(changes).toHaveLength(300);
	});

	it('keeps every record when records of the paged second are modified meanwhile', async () => {
		const rows = build();
		const queries: string[] = [];
		const window = await fetchVtqlWindow(
			engine(rows, queries, (n) => {
				// after each page, three records of the busy second are saved again (they move to second 4)
				if (n > 1) for (const r of rows.filter((row) => row.modifiedtime === at(2)).slice(0, 3)) r.modifiedtime = at(4);
			}),
			'Contacts',
			T0,
		);
		const { changes } = computeChanges(initialState('Contacts', T0), window, ALL);
		expect(new Set(changes.map((c) => c.id)).size).toBe(300);
		expect(changes).toHaveLength(300);
	});
});
