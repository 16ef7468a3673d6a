const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?$/;

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

/**
 * Epoch seconds of a user's "since": epoch seconds or milliseconds, an ISO date/time with a zone, or a
 * date/time without one, read in `timeZone` (the workflow's). Undefined when it is none of those.
 */
export function toEpochSeconds(value: unknown, timeZone: string): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) {
		return Math.floor(value > 1e11 ? value / 1000 : value);
	}
	const text = String(value ?? '').trim();
	if (/^\d+$/.test(text)) return toEpochSeconds(Number(text), timeZone);
	const local = LOCAL_DATE_TIME.exec(text);
	if (local) {
		const [, y, mo, d, h = '0', mi = '0', s = '0'] = local;
		const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
		let zone = 'UTC';
		try {
			zoneOffsetMs(wall, timeZone);
			zone = timeZone;
		} catch {
			zone = 'UTC';
		}
		const first = wall - zoneOffsetMs(wall, zone);
		return Math.floor((wall - zoneOffsetMs(first, zone)) / 1000);
	}
	const parsed = Date.parse(text);
	return Number.isNaN(parsed) ? undefined : Math.floor(parsed / 1000);
}
