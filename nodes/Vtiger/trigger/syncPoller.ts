import type { IDataObject } from 'n8n-workflow';

import type { FetchedWindow } from './changes';

export interface SyncPage {
	updated: IDataObject[];
	deleted: string[];
	more: boolean;
	lastModifiedTime: number;
}

/** `sync` answers `lastModifiedTime` as a number, or as a string for Users (06_sync_patched_8081.jsonl). */
export function parseSyncPage(result: unknown): SyncPage | undefined {
	if (typeof result !== 'object' || result === null || Array.isArray(result)) return undefined;
	const page = result as IDataObject;
	const lastModifiedTime = Number(page.lastModifiedTime);
	if (!Array.isArray(page.updated) || !Number.isFinite(lastModifiedTime)) return undefined;
	return {
		updated: (page.updated as unknown[]).filter(
			(entry): entry is IDataObject => typeof entry === 'object' && entry !== null && !Array.isArray(entry),
		),
		deleted: Array.isArray(page.deleted)
			? (page.deleted as unknown[]).filter((id): id is string => typeof id === 'string')
			: [],
		more: page.more === true || page.more === 'true' || page.more === 1,
		lastModifiedTime,
	};
}

/**
 * Reads every change after `cursor - 1` (sync's lower bound is exclusive, so the cursor's own second is
 * read), following `more` until the backlog is drained. A page holds every record up to its
 * `lastModifiedTime`, so the next page starts exactly there (06_sync_patched_8081.jsonl).
 * vtws_sync asks whether more exists in a query after the page's: a save committed between the two
 * answers `more=true` with `lastModifiedTime` equal to the time asked for (trigger.burst.test.ts). That
 * is a busy CRM, not a stall: the read stops there and the next poll goes on from it.
 */
export async function fetchSyncWindow(
	fetchPage: (modifiedTime: number) => Promise<SyncPage>,
	cursor: number,
): Promise<FetchedWindow> {
	// modifiedTime=0 gives HTTP 500 (06_sync_patched_8081.jsonl): 1 is "from the start".
	let from = Math.max(1, cursor - 1);
	const window: FetchedWindow = { records: [], deleted: [], completeThrough: undefined };
	for (;;) {
		const page = await fetchPage(from);
		window.records.push(...page.updated);
		for (const id of page.deleted) window.deleted.push({ id, until: Math.max(page.lastModifiedTime, from) });
		if (!page.more) break;
		if (page.lastModifiedTime <= from) {
			window.completeThrough = from;
			break;
		}
		from = page.lastModifiedTime;
	}
	return window;
}
