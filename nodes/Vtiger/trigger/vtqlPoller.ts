import type { IDataObject } from 'n8n-workflow';

import type { FetchedWindow } from './changes';
import { epochToVtigerDateTime } from '../records/time';

/** VTQL returns at most 100 rows whatever LIMIT says (04_query.jsonl). */
export const VTQL_PAGE = 100;

function text(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

/**
 * Pages by id, not by modifiedtime: rows of one second come back in any order, and an offset skips a row
 * when a record before it is saved again while the window is paged. `id > '12x40'` compares the crmid
 * as a number on the lab (both servers), so each page starts after the last id read.
 */
export function vtqlWindowQuery(module: string, from: string, afterId: string | undefined): string {
	const after = afterId ? ` AND id > '${afterId}'` : '';
	return `SELECT * FROM ${module} WHERE modifiedtime >= '${from}'${after} ORDER BY id LIMIT ${VTQL_PAGE};`;
}

/**
 * Fallback when `sync` is unusable: every record modified from the cursor's second on, in id order.
 * A record saved again while the window is paged may be read twice or, if it moved behind the page
 * already read, not at all in this poll: its new modifiedtime is after the settled seconds, so the next
 * poll reads it. Deletions are not visible.
 */
export async function fetchVtqlWindow(
	runQuery: (vtql: string) => Promise<IDataObject[]>,
	module: string,
	cursor: number,
): Promise<FetchedWindow> {
	const from = epochToVtigerDateTime(cursor);
	const records: IDataObject[] = [];
	let afterId: string | undefined;
	for (;;) {
		const rows = await runQuery(vtqlWindowQuery(module, from, afterId));
		records.push(...rows);
		if (rows.length < VTQL_PAGE) break;
		const last = text(rows[rows.length - 1].id);
		if (!last || last === afterId) break;
		afterId = last;
	}
	return { records, deleted: [], completeThrough: undefined };
}
