import type { IDataObject } from 'n8n-workflow';

import { computeChanges, type FetchedWindow } from '../../../nodes/Vtiger/trigger/changes';
import { initialState, readState, writeState, type TriggerState } from '../../../nodes/Vtiger/trigger/state';
import { recordFingerprint } from '../../../nodes/Vtiger/trigger/fingerprint';
import { fetchSyncWindow, parseSyncPage, type SyncPage } from '../../../nodes/Vtiger/trigger/syncPoller';
import { epochToVtigerDateTime, vtigerDateTimeToEpoch } from '../../../nodes/Vtiger/records/time';
import { fetchVtqlWindow } from '../../../nodes/Vtiger/trigger/vtqlPoller';

const T0 = 1795502781; // "2026-11-24 06:46:21" in 06_sync_patched_8081.jsonl
const at = (offset: number) => epochToVtigerDateTime(T0 + offset);
const rec = (id: string, created: number, modified: number): IDataObject => ({
	id,
	lastname: `L${id}`,
	createdtime: at(created),
	modifiedtime: at(modified),
});
/** A window read to the end; deletions listed on a page ending at `until`. */
const win = (records: IDataObject[], deleted: string[] = [], until = T0 + 10): FetchedWindow => ({
	records,
	deleted: deleted.map((id) => ({ id, until })),
	completeThrough: undefined,
});
/** Everything up to this second is settled. */
const SETTLED = T0 + 100;
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

	it('classifies created (createdtime from the cursor on) and updated, in modification order', () => {
		const { changes, next } = computeChanges(start, win([rec('12x2', 1, 3), rec('12x1', -100, 2)]), ALL, SETTLED);
		expect(changes.map((c) => [c.event, c.id])).toEqual([
			['updated', '12x1'],
			['created', '12x2'],
		]);
		expect(next).toEqual({ ...initialState('Contacts', SETTLED + 1) });
	});

	it('emits only settled seconds; the rest is read again, and emitted once, by a later poll', () => {
		const first = computeChanges(start, win([rec('12x1', 1, 1), rec('12x2', 2, 2), rec('12x3', 3, 3)]), ALL, T0 + 1);
		expect(first.changes.map((c) => [c.event, c.id])).toEqual([['created', '12x1']]);
		expect(first.next.cursor).toBe(T0 + 2);
		// the same records read again (12x3 saved again meanwhile): 12x1 is behind the cursor
		const second = computeChanges(first.next, win([rec('12x2', 2, 2), rec('12x3', 3, 5)]), ALL, T0 + 5);
		expect(second.changes.map((c) => [c.event, c.id])).toEqual([
			['created', '12x2'],
			['created', '12x3'],
		]);
		expect(second.next.cursor).toBe(T0 + 6);
	});

	it('a record created in a settled second but saved again in an unsettled one is still emitted as created', () => {
		const first = computeChanges(start, win([rec('12x9', 1, 4)]), ALL, T0 + 2);
		expect(first.changes).toEqual([]);
		expect(first.next).toMatchObject({ cursor: T0 + 3, pendingCreated: ['12x9'] });
		const second = computeChanges(first.next, win([rec('12x9', 1, 4)]), ALL, T0 + 4);
		expect(second.changes.map((c) => [c.event, c.id])).toEqual([['created', '12x9']]);
		expect(second.next.pendingCreated).toEqual([]);
	});

	it('a read cut short (sync\'s more race) moves the cursor only as far as it read', () => {
		const window: FetchedWindow = { ...win([rec('12x1', 1, 1), rec('12x2', 3, 3)]), completeThrough: T0 + 2 };
		const { changes, next } = computeChanges(start, window, ALL, SETTLED);
		expect(changes.map((c) => c.id)).toEqual(['12x1']);
		expect(next.cursor).toBe(T0 + 3);
	});

	it('emits a record created and updated between polls once, as created', () => {
		const { changes } = computeChanges(start, win([rec('12x9', 2, 7)]), ALL, SETTLED);
		expect(changes.map((c) => [c.event, c.id])).toEqual([['created', '12x9']]);
	});

	it('with only Updated selected, a new record counts only if it was changed after creation', () => {
		const { changes } = computeChanges(start, win([rec('12x9', 2, 7), rec('12x8', 3, 3)]), ['updated'], SETTLED);
		expect(changes.map((c) => [c.event, c.id])).toEqual([['updated', '12x9']]);
	});

	it('emits a deletion once: kept while its page may be read again', () => {
		const first = computeChanges(start, win([], ['12x5', '12x5'], T0 + 4), ALL, T0 + 2);
		expect(first.changes).toEqual([{ event: 'deleted', id: '12x5' }]);
		expect(first.next).toMatchObject({ cursor: T0 + 3, deletedIds: ['12x5'], deletedUntil: [T0 + 4] });
		const second = computeChanges(first.next, win([], ['12x5', '12x6'], T0 + 6), ALL, T0 + 5);
		expect(second.changes).toEqual([{ event: 'deleted', id: '12x6' }]);
		// listed again on a page ending at T0 + 6: kept as long as that page may be read again
		expect(second.next).toMatchObject({ cursor: T0 + 6, deletedIds: ['12x5', '12x6'], deletedUntil: [T0 + 6, T0 + 6] });
		const third = computeChanges(second.next, win([rec('12x1', 7, 7)]), ALL, T0 + 8);
		expect(third.next.deletedIds).toEqual([]);
	});

	it('never moves the cursor back, and skips records before it', () => {
		const stale = computeChanges(start, win([rec('12x1', -9, -1)]), ALL, T0 - 5);
		expect(stale.changes).toEqual([]);
		expect(stale.next.cursor).toBe(T0);
	});

	it('honours the event selection', () => {
		const { changes, next } = computeChanges(start, win([rec('12x1', -9, 1), rec('12x2', 1, 1)], ['12x3']), ['deleted'], T0 + 1);
		expect(changes).toEqual([{ event: 'deleted', id: '12x3' }]);
		expect(next.cursor).toBe(T0 + 2);
	});
});

describe('state in static data', () => {
	it('round-trips, and is dropped when the module changes or it is malformed', () => {
		const data: IDataObject = { leftover: 1 };
		writeState(data, { ...initialState('Leads', 5), pendingCreated: ['10x2'], deletedIds: ['10x1'], deletedUntil: [7] });
		expect(JSON.parse(JSON.stringify(data))).toEqual({
			vtigerTrigger: { version: 2, module: 'Leads', cursor: 5, pendingCreated: ['10x2'], deletedIds: ['10x1'], deletedUntil: [7] },
		});
		expect(readState(data, 'Leads')).toEqual({
			...initialState('Leads', 5),
			pendingCreated: ['10x2'],
			deletedIds: ['10x1'],
			deletedUntil: [7],
		});
		expect(readState(data, 'Contacts')).toBeUndefined();
		expect(readState({ vtigerTrigger: { module: 'Leads', cursor: 'x' } }, 'Leads')).toBeUndefined();
	});
});

describe('state saved by versions before the settle delay', () => {
	// as the previous version saved it after emitting 12x1 (modified in second T0 + 1) and deleting 12x4
	const emitted = rec('12x1', 1, 1);
	const old = {
		module: 'Contacts',
		cursor: T0 + 1,
		boundaryTime: at(1),
		boundaryIds: ['12x1'],
		boundaryFingerprints: [recordFingerprint(emitted)],
		deletedIds: ['12x4'],
	};

	it('loads: nothing of the boundary second repeated, later saves of it and newer records emitted', () => {
		const state = readState({ vtigerTrigger: old }, 'Contacts') as TriggerState;
		expect(state).toMatchObject({ cursor: T0 + 1, deletedIds: ['12x4'], deletedUntil: [T0 + 1] });
		const again = computeChanges(state, win([emitted, rec('12x2', 1, 1), rec('12x3', 2, 2)], ['12x4'], T0 + 1), ALL, SETTLED);
		expect(again.changes.map((c) => [c.event, c.id])).toEqual([
			['created', '12x2'],
			['created', '12x3'],
		]);
		expect(again.next).toEqual(initialState('Contacts', SETTLED + 1));
		// saved again in that second after the old version emitted it: its content tells
		const changed = computeChanges(state, win([{ ...emitted, lastname: 'Changed' }]), ALL, SETTLED);
		expect(changed.changes.map((c) => [c.event, c.id])).toEqual([['updated', '12x1']]);
	});

	it('without fingerprints (older still), the boundary records are not repeated', () => {
		const { boundaryFingerprints: _unused, ...older } = old;
		void _unused;
		const state = readState({ vtigerTrigger: older }, 'Contacts') as TriggerState;
		expect(state.boundaryFingerprints).toEqual(['']);
		expect(computeChanges(state, win([{ ...emitted, lastname: 'Any' }]), ALL, SETTLED).changes).toEqual([]);
		expect(readState({ vtigerTrigger: { ...old, boundaryFingerprints: ['a', 'b'] } }, 'Contacts')?.boundaryFingerprints).toEqual(['']);
	});

	it('keeps the boundary while nothing is settled past it', () => {
		const state = readState({ vtigerTrigger: old }, 'Contacts') as TriggerState;
		const { next } = computeChanges(state, win([emitted, rec('12x2', 3, 3)]), ALL, T0);
		const data: IDataObject = {};
		writeState(data, next);
		expect(readState(data, 'Contacts')).toMatchObject({ cursor: T0 + 1, boundaryIds: ['12x1'], pendingCreated: [] });
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
		expect(window.deleted).toEqual([{ id: '12x7', until: T0 + 4 }]);
		expect(window.completeThrough).toBeUndefined();

		const fromStart: number[] = [];
		await fetchSyncWindow(async (from) => {
			fromStart.push(from);
			return page({ lastModifiedTime: from });
		}, 1);
		expect(fromStart).toEqual([1]);
	});

	it('more=true without moving on (a save committed between sync\'s two queries) ends the read there', async () => {
		const asked: number[] = [];
		const answers = [
			page({ updated: [rec('12x1', 2, 2)], more: true, lastModifiedTime: T0 + 2 }),
			page({ more: true, lastModifiedTime: T0 + 2 }),
		];
		const window = await fetchSyncWindow(async (from) => {
			asked.push(from);
			return answers.shift() as SyncPage;
		}, T0);
		expect(asked).toEqual([T0 - 1, T0 + 2]);
		expect(window.records.map((r) => r.id)).toEqual(['12x1']);
		expect(window.completeThrough).toBe(T0 + 2);
	});

	it('parses the recorded page shapes, including the Users answer with a string time', () => {
		expect(
			parseSyncPage({ updated: [], deleted: [], lastModifiedTime: '1', more: false }),
		).toEqual({ updated: [], deleted: [], more: false, lastModifiedTime: 1 });
		expect(parseSyncPage('')).toBeUndefined();
	});
});

describe('fetchVtqlWindow', () => {
	const crmid = (row: IDataObject) => Number(String(row.id).split('x')[1]);
	const engine = (rows: IDataObject[], queries: string[], onQuery?: (n: number) => void) => async (vtql: string) => {
		queries.push(vtql);
		onQuery?.(queries.length);
		const m = /modifiedtime >= '([^']+)'(?: AND id > '12x(\d+)')? ORDER BY id LIMIT 100;$/.exec(vtql);
		if (!m) throw new Error(vtql);
		return rows
			.filter((r) => (r.modifiedtime as string) >= m[1] && crmid(r) > Number(m[2] ?? -1))
			.sort((a, b) => crmid(a) - crmid(b))
			.slice(0, 100)
			.map((r) => ({ ...r }));
	};
	const build = () => {
		const rows: IDataObject[] = [];
		for (let i = 0; i < 40; i++) rows.push(rec(`12x${i}`, 0, 1));
		for (let i = 40; i < 290; i++) rows.push(rec(`12x${i}`, 0, 2));
		for (let i = 290; i < 300; i++) rows.push(rec(`12x${i}`, 0, 3));
		return rows;
	};

	it('pages by id through a second holding more than 100 records without losing any', async () => {
		const queries: string[] = [];
		const window = await fetchVtqlWindow(engine(build(), queries), 'Contacts', T0);
		expect(queries).toEqual([
			`SELECT * FROM Contacts WHERE modifiedtime >= '${at(0)}' ORDER BY id LIMIT 100;`,
			`SELECT * FROM Contacts WHERE modifiedtime >= '${at(0)}' AND id > '12x99' ORDER BY id LIMIT 100;`,
			`SELECT * FROM Contacts WHERE modifiedtime >= '${at(0)}' AND id > '12x199' ORDER BY id LIMIT 100;`,
			`SELECT * FROM Contacts WHERE modifiedtime >= '${at(0)}' AND id > '12x299' ORDER BY id LIMIT 100;`,
		]);
		expect(new Set(window.records.map((r) => r.id)).size).toBe(300);
		expect(window.deleted).toEqual([]);
		const { changes } = computeChanges(initialState('Contacts', T0), window, ALL, SETTLED);
		expect(changes).toHaveLength(300);
	});

	it('keeps every record when records are saved again while it pages', async () => {
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
		const { changes } = computeChanges(initialState('Contacts', T0), window, ALL, SETTLED);
		expect(new Set(changes.map((c) => c.id)).size).toBe(300);
		expect(changes).toHaveLength(300);
	});
});
