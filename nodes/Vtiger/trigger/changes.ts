import type { IDataObject } from 'n8n-workflow';

import { recordFingerprint } from './fingerprint';
import type { TriggerState } from './state';
import { vtigerDateTimeToEpoch } from '../records/time';

export type TriggerEvent = 'created' | 'updated' | 'deleted';

export interface WindowDeletion {
	id: string;
	/** The end of the sync page that listed it: the deletion happened in that second or before. */
	until: number;
}

/** What one poll read from Vtiger (every change from the cursor's second on), before de-duplication. */
export interface FetchedWindow {
	/** Records in the order Vtiger returned them; one id may appear twice if it changed while paging. */
	records: IDataObject[];
	/** Deleted ids in the order Vtiger returned them (sync only; VTQL cannot see deletions). */
	deleted: WindowDeletion[];
	/**
	 * Every change modified up to this second (epoch) has been read; undefined when the read went to
	 * the end. A read cut short (sync's `more` race) says how far it got.
	 */
	completeThrough: number | undefined;
}

export interface Change {
	event: TriggerEvent;
	id: string;
	record?: IDataObject;
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

/**
 * Turns a window into the changes to emit and the state for the next poll. Only records modified up
 * to `settledThrough` (an epoch second some seconds behind Vtiger's clock, see poll.ts) are emitted:
 * a save goes on after its rows are readable, so a newer record may be incomplete, or not yet visible
 * beside others of its second. The rest is read again by the next poll (the cursor stops after the
 * settled seconds), so each version of a record is emitted once, when it is complete.
 */
export function computeChanges(
	previous: TriggerState,
	window: FetchedWindow,
	events: readonly TriggerEvent[],
	settledThrough: number,
): { changes: Change[]; next: TriggerState } {
	const through = Math.min(settledThrough, window.completeThrough ?? settledThrough);
	const cursor = Math.max(previous.cursor, through + 1);

	// older state: records of the boundary second it emitted (fingerprint '' = any content)
	const legacyTime = previous.boundaryTime;
	const legacy = new Map(previous.boundaryIds.map((id, index) => [id, previous.boundaryFingerprints[index] ?? '']));
	const isLegacyRepeat = (record: IDataObject): boolean => {
		const id = text(record.id);
		if (!legacy.has(id) || text(record.modifiedtime) !== legacyTime) return false;
		const seen = legacy.get(id);
		return seen === '' || seen === recordFingerprint(record);
	};
	const pending = new Set(previous.pendingCreated);
	const isNew = (record: IDataObject): boolean => {
		const id = text(record.id);
		if (pending.has(id)) return true;
		const created = vtigerDateTimeToEpoch(record.createdtime);
		return created !== undefined && created >= previous.cursor && !legacy.has(id);
	};

	const latest = new Map<string, IDataObject>();
	for (const record of window.records) {
		const id = text(record.id);
		if (!id) continue;
		const known = latest.get(id);
		if (!known || text(record.modifiedtime) >= text(known.modifiedtime)) {
			latest.delete(id);
			latest.set(id, record);
		}
	}
	const deletedNow = new Set(window.deleted.map((deletion) => deletion.id));

	const changes: Change[] = [];
	const pendingNext = new Set<string>();
	const ordered = [...latest.values()].sort((a, b) =>
		text(a.modifiedtime) < text(b.modifiedtime) ? -1 : text(a.modifiedtime) > text(b.modifiedtime) ? 1 : 0,
	);
	for (const record of ordered) {
		const id = text(record.id);
		const modified = vtigerDateTimeToEpoch(record.modifiedtime) ?? previous.cursor;
		if (modified < previous.cursor) continue;
		const created = isNew(record);
		if (modified > through) {
			// unsettled: read again next poll; remember a creation the cursor is about to pass
			const createdAt = vtigerDateTimeToEpoch(record.createdtime);
			if (created && !deletedNow.has(id) && (createdAt === undefined || createdAt < cursor)) pendingNext.add(id);
			continue;
		}
		if (isLegacyRepeat(record)) continue;
		let event: TriggerEvent | undefined;
		if (created && events.includes('created')) event = 'created';
		else if (!created && events.includes('updated')) event = 'updated';
		else if (created && events.includes('updated') && text(record.modifiedtime) !== text(record.createdtime)) {
			event = 'updated';
		}
		if (event) changes.push({ event, id, record });
	}
	if (window.completeThrough !== undefined) {
		// a read cut short may not have reached them: keep them for the next poll
		for (const id of pending) if (!latest.has(id) && !deletedNow.has(id)) pendingNext.add(id);
	}

	const emittedDeletions = new Map<string, number>();
	previous.deletedIds.forEach((id, index) => emittedDeletions.set(id, previous.deletedUntil[index] ?? previous.cursor));
	for (const { id, until } of window.deleted) {
		const known = emittedDeletions.get(id);
		if (known === undefined && events.includes('deleted')) changes.push({ event: 'deleted', id });
		emittedDeletions.set(id, Math.max(known ?? until, until));
	}
	const keptDeletions = [...emittedDeletions].filter(([, until]) => until >= cursor);

	const legacyKept = cursor === previous.cursor && legacyTime !== '';
	const next: TriggerState = {
		module: previous.module,
		cursor,
		pendingCreated: [...pendingNext],
		deletedIds: keptDeletions.map(([id]) => id),
		deletedUntil: keptDeletions.map(([, until]) => until),
		boundaryTime: legacyKept ? previous.boundaryTime : '',
		boundaryIds: legacyKept ? previous.boundaryIds : [],
		boundaryFingerprints: legacyKept ? previous.boundaryFingerprints : [],
	};
	return { changes, next };
}
