import { createHash } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

/** 8 base64url characters (48 bits): enough to tell two versions of one record apart, small in static data. */
const LENGTH = 8;

/**
 * A short digest of a record's content (keys sorted, so field order does not matter). Vtiger's
 * modifiedtime has one-second resolution: a record saved twice in one second keeps its modifiedtime
 * (test/live/trigger.live.test.ts, "an update saved in the same second"), so only its content tells the second save from a repeat of the first.
 */
export function recordFingerprint(record: IDataObject): string {
	const entries = Object.keys(record)
		.sort()
		.map((key) => [key, record[key]]);
	return createHash('sha256').update(JSON.stringify(entries)).digest('base64url').slice(0, LENGTH);
}
