/**
 * The one place that turns date-times into instants and back. Vtiger's webservice stores and answers
 * date-times as UTC text without a zone and converts nothing (`time_start` "10:00+01:00" written
 * through `create` is stored literally: test/live/calendar-activities.live.test.ts, "a time with its own offset"); its web UI
 * shows them in each user's zone. `sync` turns its `modifiedTime` epoch into that text in the same zone
 * (06_sync_patched_8081.jsonl: lastModifiedTime 1795502781 is modifiedtime "2026-11-24 06:46:21").
 *
 * The rule for every value the nodes read (README, "Date-times"): an offset or `Z` (or a Date, a luxon
 * DateTime, epoch seconds) is that instant; Vtiger's own text — `2026-01-15 10:00:00` with seconds, or a
 * date beside a time field's `10:00:00` — is UTC, as Vtiger stores and answers it (so the nodes' own
 * output is read back as the instant it was); any other text without an offset (`2026-01-15T10:00:00`,
 * `2026-01-15 10:00`, a time `10:00`) is the wall clock of the workflow's zone.
 */

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?$/;
const VTIGER_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const VTIGER_TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const VTIGER_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?$/;
/** Vtiger's own date-time text (createdtime, modifiedtime): UTC. */
const STORED_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{1,2}):(\d{2}):(\d{2})$/;
/** Vtiger's own time of day (time_start, time_end as it answers them, web UI saves included): UTC. */
const STORED_TIME = /^(\d{1,2}):(\d{2}):(\d{2})$/;
/** A time of day with an offset, e.g. `10:00+01:00`, `10:00:00Z` or `10:00+0100`. */
const TIME_WITH_OFFSET = /^(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$/i;

/** Milliseconds the wall clock of `timeZone` is ahead of UTC at `epochMs`. */
function zoneOffsetMs(epochMs: number, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
	}).formatToParts(new Date(epochMs));
	const part = (type: string): number => Number(parts.find((entry) => entry.type === type)?.value ?? 0);
	const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
	return wall - Math.floor(epochMs / 1000) * 1000;
}

/** `timeZone` when Intl knows it, else UTC. */
function knownZone(timeZone: string | undefined): string {
	if (!timeZone) return 'UTC';
	try {
		zoneOffsetMs(0, timeZone);
		return timeZone;
	} catch {
		return 'UTC';
	}
}

/** The instant a wall-clock time (given as if it were UTC) has in `timeZone`, DST gaps moved forward. */
function wallToInstant(wallMs: number, timeZone: string): number {
	const zone = knownZone(timeZone);
	const first = wallMs - zoneOffsetMs(wallMs, zone);
	return wallMs - zoneOffsetMs(first, zone);
}

function offsetMinutes(offset: string): number {
	if (offset.toUpperCase() === 'Z') return 0;
	const digits = offset.slice(1).replace(':', '');
	const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
	return offset.startsWith('-') ? -minutes : minutes;
}

/** A luxon DateTime (what n8n's dateTime fields give) without importing luxon. */
function isLuxonDateTime(value: unknown): value is { toMillis(): number; isValid: boolean } {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as { toMillis?: unknown }).toMillis === 'function' &&
		'isValid' in value
	);
}

/**
 * The instant a date-time value means: a luxon DateTime or Date as it is; epoch seconds or
 * milliseconds; ISO text with an offset or `Z` at that offset; Vtiger's own `2026-01-15 10:00:00` as
 * UTC; other text without an offset (`2026-01-15 10:00`, `2026-01-15T10:00:00`, `2026-01-15`) as the
 * wall clock of `timeZone` (the workflow's). Undefined when it is none of those.
 */
export function userDateTimeToInstant(value: unknown, timeZone: string): Date | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
	if (isLuxonDateTime(value)) return value.isValid ? new Date(value.toMillis()) : undefined;
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return undefined;
		return new Date(value > 1e11 ? value : value * 1000);
	}
	const text = String(value ?? '').trim();
	if (text === '') return undefined;
	if (/^\d+$/.test(text)) return userDateTimeToInstant(Number(text), timeZone);
	if (STORED_DATE_TIME.test(text)) return vtigerDateTimeToInstant(text);
	const local = LOCAL_DATE_TIME.exec(text);
	if (local) {
		const [, y, mo, d, h = '0', mi = '0', s = '0'] = local;
		return new Date(wallToInstant(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)), timeZone));
	}
	const parsed = Date.parse(text.replace(/^(\d{4}-\d{2}-\d{2}) /, '$1T'));
	return Number.isNaN(parsed) ? undefined : new Date(parsed);
}

/**
 * Epoch seconds of a user's "since": epoch seconds or milliseconds, an ISO date/time with a zone, or a
 * date/time without one, read in `timeZone` (the workflow's). Undefined when it is none of those.
 */
export function toEpochSeconds(value: unknown, timeZone: string): number | undefined {
	const instant = userDateTimeToInstant(value, timeZone);
	return instant ? Math.floor(instant.getTime() / 1000) : undefined;
}

/**
 * A date-time Vtiger answered, as the UTC instant it is: `createdtime`/`modifiedtime`-style
 * `yyyy-mm-dd hh:mm:ss`, or a date field with its time field (`date_start` + `time_start`,
 * `due_date` + `time_end`). Undefined when there is no full date-time (an empty value, a date whose
 * time is empty, or text of another shape).
 */
export function vtigerDateTimeToInstant(dateOrDateTime: unknown, time?: unknown): Date | undefined {
	const text = String(dateOrDateTime ?? '').trim();
	if (time !== undefined) {
		const date = VTIGER_DATE.exec(text);
		const clock = VTIGER_TIME.exec(String(time ?? '').trim());
		if (!date || !clock) return undefined;
		return new Date(
			Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)),
		);
	}
	const full = VTIGER_DATE_TIME.exec(text);
	if (!full) return undefined;
	const [, y, mo, d, h, mi, s = '0'] = full;
	return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
}

/** Epoch seconds (sync's cursor unit) of a Vtiger date-time, or undefined. */
export function vtigerDateTimeToEpoch(value: unknown): number | undefined {
	const instant = vtigerDateTimeToInstant(value);
	return instant ? instant.getTime() / 1000 : undefined;
}

const pad = (value: number): string => String(value).padStart(2, '0');

export interface VtigerDateTimeText {
	/** `yyyy-mm-dd` in UTC */
	date: string;
	/** `hh:mm:ss` in UTC */
	time: string;
	/** `yyyy-mm-dd hh:mm:ss` in UTC, the form of Vtiger's datetime fields */
	dateTime: string;
}

/** An instant as Vtiger stores it: UTC text without a zone, whole and split into date and time. */
export function instantToVtiger(instant: Date): VtigerDateTimeText {
	const date = `${instant.getUTCFullYear()}-${pad(instant.getUTCMonth() + 1)}-${pad(instant.getUTCDate())}`;
	const time = `${pad(instant.getUTCHours())}:${pad(instant.getUTCMinutes())}:${pad(instant.getUTCSeconds())}`;
	return { date, time, dateTime: `${date} ${time}` };
}

/** Epoch seconds as Vtiger's UTC `yyyy-mm-dd hh:mm:ss`. */
export function epochToVtigerDateTime(epochSeconds: number): string {
	return instantToVtiger(new Date(epochSeconds * 1000)).dateTime;
}

/** An instant as ISO 8601 with the offset of `timeZone` (UTC when unknown), e.g. `2026-01-15T10:00:00+01:00`. */
export function instantToIso(instant: Date, timeZone: string): string {
	const zone = knownZone(timeZone);
	const offset = zoneOffsetMs(instant.getTime(), zone);
	const wall = instantToVtiger(new Date(Math.floor(instant.getTime() / 1000) * 1000 + offset));
	const minutes = Math.round(offset / 60000);
	const sign = minutes < 0 ? '-' : '+';
	const abs = Math.abs(minutes);
	return `${wall.date}T${wall.time}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * The instant a date and a separate time of day mean (a Vtiger module that keeps them apart): the
 * time's own offset (`10:00+01:00`); a time in Vtiger's own form with seconds (`10:00:00`) as UTC;
 * else (`10:00`) the wall clock of `timeZone`. Undefined when either is unreadable.
 */
export function userDateAndTimeToInstant(date: string, time: string, timeZone: string): Date | undefined {
	const day = VTIGER_DATE.exec(date.trim());
	if (!day) return undefined;
	const [y, mo, d] = [Number(day[1]), Number(day[2]) - 1, Number(day[3])];
	const withOffset = TIME_WITH_OFFSET.exec(time.trim());
	if (withOffset) {
		const [, h, mi, s = '0', offset] = withOffset;
		return new Date(Date.UTC(y, mo, d, Number(h), Number(mi), Number(s)) - offsetMinutes(offset) * 60000);
	}
	if (STORED_TIME.test(time.trim())) return vtigerDateTimeToInstant(date.trim(), time.trim());
	const clock = VTIGER_TIME.exec(time.trim());
	if (!clock) return undefined;
	return new Date(wallToInstant(Date.UTC(y, mo, d, Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)), timeZone));
}
