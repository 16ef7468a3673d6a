/**
 * Vtiger's `createdtime`/`modifiedtime` are `YYYY-MM-DD HH:MM:SS` in the server's PHP time zone, and
 * `sync` turns its `modifiedTime` epoch into that format with the same zone (06_sync_patched_8081.jsonl:
 * lastModifiedTime 1795502781 is modifiedtime "2026-11-24 06:46:21", i.e. UTC, Vtiger's default
 * `$default_timezone`). Conversions here assume that zone is UTC.
 */
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/;

export function vtigerTimeToEpoch(value: unknown): number | undefined {
	if (typeof value !== 'string') return undefined;
	const match = DATETIME.exec(value);
	if (!match) return undefined;
	const [, y, mo, d, h, mi, s] = match;
	return Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) / 1000;
}

export function epochToVtigerTime(epochSeconds: number): string {
	return new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}
