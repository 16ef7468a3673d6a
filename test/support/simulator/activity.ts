/**
 * Calendar and Events as the lab's Vtiger 8.3.0 stores them (both servers):
 * - a Calendar record is a task only when activitytype is "Task" (vtws_getCalendarEntityType): Calendar's
 *   create with any other type, or none, makes an Event; the answer still shows Calendar's fields and a
 *   9x… id, which retrieve refuses (INVALID_ID_ATTRIBUTE) while 18x… reads it;
 * - every save derives duration_hours/duration_minutes from date_start time_start to due_date time_end
 *   (Activity::save_module, PHP strtotime: a time with an offset is read at that offset, one without as
 *   UTC; no end time means due_date + 1 day, 00:00);
 * - time_start/time_end are stored as given, an offset too ("10:00+01:00").
 */
import type { Values } from './store';

export const isActivityModule = (module: string): boolean => module === 'Calendar' || module === 'Events';

export function storedActivityModule(module: string, values: Values): string {
	return module === 'Calendar' && values.activitytype !== 'Task' ? 'Events' : module;
}

function instant(date: string | null | undefined, time: string | null | undefined): number | undefined {
	if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
	const clock = (time ?? '').trim();
	const text = /[+-]\d{2}:?\d{2}$|Z$/i.test(clock) ? `${date}T${clock}` : `${date}T${clock || '00:00:00'}Z`;
	const parsed = Date.parse(text);
	return Number.isNaN(parsed) ? undefined : parsed;
}

export function deriveDuration(module: string, values: Values): void {
	if (!isActivityModule(module)) return;
	const start = instant(values.date_start, values.time_start);
	const end = values.time_end
		? instant(values.due_date, values.time_end)
		: (instant(values.due_date, '00:00:00') ?? NaN) + 86_400_000;
	if (start === undefined || end === undefined || Number.isNaN(end)) return;
	const seconds = Math.trunc((end - start) / 1000);
	values.duration_hours = String(Math.trunc(seconds / 3600));
	values.duration_minutes = String(Math.trunc((seconds % 3600) / 60));
}
