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

export class SyncStalledError extends Error {}

/**
 * Reads every change after `cursor - 1` (sync's lower bound is exclusive, so the cursor's own second is
 * read again), following `more` until the backlog is drained. A page holds every record up to its
 * `lastModifiedTime`, so the next page starts exactly there (06_sync_patched_8081.jsonl).
 */
export async function fetchSyncWindow(
	fetchPage: (modifiedTime: number) => Promise<SyncPage>,
	cursor: number,
): Promise<FetchedWindow> {
	// modifiedTime=0 gives HTTP 500 (06_sync_patched_8081.jsonl): 1 is "from the start".
	let from = Math.max(1, cursor - 1);
	const window: FetchedWindow = { records: [], deleted: [], endCursor: undefined, lastPageDeleted: undefined };
	for (;;) {
		const page = await fetchPage(from);
		if (page.updated.length > 0 || page.deleted.length > 0) {
			window.records.push(...page.updated);
			window.deleted.push(...page.deleted);
			window.endCursor = page.lastModifiedTime;
			window.lastPageDeleted = page.deleted;
		}
		if (!page.more) break;
		if (page.lastModifiedTime <= from) {
			throw new SyncStalledError(
				`sync answered more=true without moving past ${from} (lastModifiedTime ${page.lastModifiedTime})`,
			);
		}
		from = page.lastModifiedTime;
	}
	return window;
}
