import type { IDataObject } from 'n8n-workflow';

import type { FetchedWindow } from './changes';
import { epochToVtigerDateTime, vtigerDateTimeToEpoch } from '../shared/time';

/** VTQL returns at most 100 rows whatever LIMIT says (04_query.jsonl). */
export const VTQL_PAGE = 100;
/**
 * Rows re-read at each page start: a record modified while a second is paged leaves that second and
 * shifts the rows after it forward; re-reading a few keeps them (duplicates are dropped later).
 */
export const VTQL_REREAD = 10;

function text(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

export function vtqlWindowQuery(module: string, from: string, offset: number): string {
	return `SELECT * FROM ${module} WHERE modifiedtime >= '${from}' ORDER BY modifiedtime LIMIT ${offset},${VTQL_PAGE};`;
}

/**
 * Fallback when `sync` is unusable: pages `query` on `modifiedtime` from the cursor's second
 * (inclusive, so the overlap is re-read) in ascending order. Rows before the last second of a full
 * page are complete; the next page restarts at that second, skipping the rows of it already read,
 * so a second holding more than 100 records is read page by page. Deletions are not visible.
 * Rows may come back twice; computeChanges keeps one per record.
 */
export async function fetchVtqlWindow(
	runQuery: (vtql: string) => Promise<IDataObject[]>,
	module: string,
	cursor: number,
): Promise<FetchedWindow> {
	let from = epochToVtigerDateTime(cursor);
	let offset = 0;
	const records: IDataObject[] = [];
	let maxTime = '';
	for (;;) {
		const rows = await runQuery(vtqlWindowQuery(module, from, offset));
		records.push(...rows);
		for (const row of rows) {
			if (text(row.modifiedtime) > maxTime) maxTime = text(row.modifiedtime);
		}
		if (rows.length < VTQL_PAGE) break;
		const last = text(rows[rows.length - 1].modifiedtime);
		if (!last) break;
		if (last === from) {
			offset += rows.length - VTQL_REREAD;
		} else {
			from = last;
			offset = Math.max(0, rows.filter((row) => text(row.modifiedtime) === last).length - VTQL_REREAD);
		}
	}
	return {
		records,
		deleted: [],
		endCursor: maxTime ? vtigerDateTimeToEpoch(maxTime) : undefined,
		lastPageDeleted: undefined,
	};
}
