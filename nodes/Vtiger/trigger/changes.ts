import type { IDataObject } from 'n8n-workflow';

import { recordFingerprint } from './fingerprint';
import type { TriggerState } from './state';
import { vtigerDateTimeToEpoch } from '../shared/time';

export type TriggerEvent = 'created' | 'updated' | 'deleted';

/** What one poll read from Vtiger, before de-duplication. */
export interface FetchedWindow {
	/** Records in the order Vtiger returned them; one id may appear twice if it changed while paging. */
	records: IDataObject[];
	/** Deleted ids in the order Vtiger returned them. */
	deleted: string[];
	/** Vtiger's clock at the end of what was read; undefined when nothing came back. */
	endCursor: number | undefined;
	/** The deletions of the page that ends the window (sync only; VTQL cannot see deletions). */
	lastPageDeleted: string[] | undefined;
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
 * Turns a window into the changes to emit and the state for the next poll.
 * The window overlaps the previous one by the cursor's second; records already emitted there
 * (same id, same modifiedtime, same content) and deletions already emitted are dropped. A record
 * emitted there and saved again within that second keeps its modifiedtime: its content tells.
 */
export function computeChanges(
	previous: TriggerState,
	window: FetchedWindow,
	events: readonly TriggerEvent[],
): { changes: Change[]; next: TriggerState } {
	// id -> fingerprint emitted at the boundary second ('' = unknown, from an older state: any content)
	const seenAtBoundary = new Map(
		previous.boundaryIds.map((id, index) => [id, previous.boundaryFingerprints[index] ?? '']),
	);
	const isRepeat = (record: IDataObject): boolean => {
		const id = text(record.id);
		if (text(record.modifiedtime) !== previous.boundaryTime || !seenAtBoundary.has(id)) return false;
		const seen = seenAtBoundary.get(id);
		return seen === '' || seen === recordFingerprint(record);
	};
	const seenDeleted = new Set(previous.deletedIds);

	const latest = new Map<string, IDataObject>();
	let maxTime = '';
	for (const record of window.records) {
		const id = text(record.id);
		if (!id) continue;
		const modified = text(record.modifiedtime);
		if (modified > maxTime) maxTime = modified;
		const known = latest.get(id);
		if (!known || modified >= text(known.modifiedtime)) {
			latest.delete(id);
			latest.set(id, record);
		}
	}

	const fresh = [...latest.values()]
		.filter((record) => !isRepeat(record))
		.sort((a, b) => (text(a.modifiedtime) < text(b.modifiedtime) ? -1 : text(a.modifiedtime) > text(b.modifiedtime) ? 1 : 0));

	const changes: Change[] = [];
	for (const record of fresh) {
		const id = text(record.id);
		const created = vtigerDateTimeToEpoch(record.createdtime);
		const isNew =
			created !== undefined &&
			(created > previous.cursor || (created === previous.cursor && !seenAtBoundary.has(id)));
		let event: TriggerEvent | undefined;
		if (isNew && events.includes('created')) event = 'created';
		else if (!isNew && events.includes('updated')) event = 'updated';
		else if (isNew && events.includes('updated') && text(record.modifiedtime) !== text(record.createdtime)) {
			event = 'updated';
		}
		if (event) changes.push({ event, id, record });
	}

	const deletedInWindow = new Set<string>();
	for (const id of window.deleted) {
		if (seenDeleted.has(id) || deletedInWindow.has(id)) continue;
		deletedInWindow.add(id);
		if (events.includes('deleted')) changes.push({ event: 'deleted', id });
	}

	if (window.records.length === 0 && window.deleted.length === 0) {
		return { changes, next: previous };
	}

	const endCursor = Math.max(previous.cursor, window.endCursor ?? previous.cursor);
	const moved = endCursor !== previous.cursor;
	const next: TriggerState = {
		module: previous.module,
		cursor: endCursor,
		boundaryTime: previous.boundaryTime,
		boundaryIds: previous.boundaryIds,
		boundaryFingerprints: previous.boundaryFingerprints,
		deletedIds: previous.deletedIds,
	};
	if (maxTime) {
		next.boundaryTime = maxTime;
		const boundary = [...latest.values()].filter((record) => text(record.modifiedtime) === maxTime);
		next.boundaryIds = boundary.map((record) => text(record.id));
		next.boundaryFingerprints = boundary.map((record) => recordFingerprint(record));
	} else if (moved) {
		next.boundaryTime = '';
		next.boundaryIds = [];
		next.boundaryFingerprints = [];
	}
	if (window.lastPageDeleted !== undefined) {
		next.deletedIds = [...new Set(window.lastPageDeleted)];
	} else if (moved) {
		next.deletedIds = [];
	}
	return { changes, next };
}
