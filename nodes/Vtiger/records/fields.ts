import type { FieldType, IDataObject } from 'n8n-workflow';

import type { VtigerField, VtigerModuleDescription } from './describe';
import { findField, writableFields } from './describe';
import { isRecordId, OWNER_ID_PREFIXES, prefixOf } from './ids';
import { instantToVtiger, userDateAndTimeToInstant, userDateTimeToInstant } from './time';

/** Vtiger stores several picklist choices in one value joined by this separator. */
export const MULTIPICKLIST_SEPARATOR = ' |##| ';

/** Thrown for a value that cannot go into a field; callers name the field in a NodeOperationError. */
export class FieldValueError extends Error {
	constructor(
		readonly field: string,
		message: string,
	) {
		super(message);
	}
}

/** The n8n type of a Vtiger field type in a resource mapper. */
export function n8nFieldType(field: VtigerField): FieldType {
	switch (field.type.name) {
		case 'integer':
		case 'double':
		case 'currency':
			return 'number';
		case 'boolean':
			return 'boolean';
		case 'date':
		case 'datetime':
			return 'dateTime';
		case 'time':
			return 'time';
		case 'picklist':
			return field.type.picklistValues?.length ? 'options' : 'string';
		case 'multipicklist':
			return 'array';
		default:
			return 'string';
	}
}

/** The date of a date-only value as written (a luxon DateTime prints its own zone's date first), never shifted. */
function dateOnly(value: unknown, field: string): string {
	const text = value instanceof Date ? value.toISOString() : String(value).trim();
	const written = /^(\d{4}-\d{2}-\d{2})/.exec(text);
	if (written) return written[1];
	const instant = userDateTimeToInstant(value, 'UTC');
	if (!instant) throw new FieldValueError(field, `"${text}" is not a date`);
	return instantToVtiger(instant).date;
}

/** A date-time field (`createdtime`-like): the instant the user meant, as Vtiger's UTC text. */
function dateTimeUtc(value: unknown, field: string, timeZone: string): string {
	const instant = userDateTimeToInstant(value, timeZone);
	if (!instant) throw new FieldValueError(field, `"${String(value)}" is not a date and time`);
	return instantToVtiger(instant).dateTime;
}

/**
 * A time field on its own (a custom one): Vtiger shows it to every user as stored (Vtiger_Time_UIType
 * converts nothing, unlike Calendar's time_start/time_end), so it is written as given, with seconds.
 */
function wallTime(value: unknown, field: string): string {
	const text = String(value).trim();
	const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
	if (!clock) {
		throw new FieldValueError(field, `"${text}" is not a time of day like 14:30 (this field keeps no time zone, so no offset)`);
	}
	return `${clock[1].padStart(2, '0')}:${clock[2]}:${clock[3] ?? '00'}`;
}

function toBoolean(value: unknown, field: string): string {
	if (value === true || value === 1) return '1';
	if (value === false || value === 0) return '0';
	const text = String(value).trim().toLowerCase();
	if (['1', 'true', 'yes', 'on'].includes(text)) return '1';
	if (['0', 'false', 'no', 'off'].includes(text)) return '0';
	throw new FieldValueError(field, `"${String(value)}" is not a boolean`);
}

function toMultipicklist(value: unknown): string {
	if (Array.isArray(value)) return value.map((entry) => String(entry)).join(MULTIPICKLIST_SEPARATOR);
	return String(value);
}

function checkReference(field: VtigerField, value: string): void {
	if (value === '') return;
	if (!isRecordId(value)) {
		throw new FieldValueError(
			field.name,
			`"${value}" is not a Vtiger record ID (like 11x2)${field.type.refersTo?.length ? ` of ${field.type.refersTo.join(', ')}` : ''}`,
		);
	}
	if (field.type.name === 'owner' && !OWNER_ID_PREFIXES.includes(prefixOf(value))) {
		throw new FieldValueError(
			field.name,
			`"${value}" is not a user (19x…) or group (20x…) ID`,
		);
	}
}

/** One value in the form Vtiger's `element` JSON takes it; date-times without an offset are read in `timeZone`. */
export function toVtigerValue(field: VtigerField, value: unknown, timeZone: string): unknown {
	if (value === null || value === undefined) return value;
	if (typeof value === 'string' && value === '' && field.type.name !== 'reference' && field.type.name !== 'owner') {
		return '';
	}
	switch (field.type.name) {
		case 'boolean':
			return toBoolean(value, field.name);
		case 'date':
			return dateOnly(value, field.name);
		case 'datetime':
			return dateTimeUtc(value, field.name, timeZone);
		case 'time':
			return wallTime(value, field.name);
		case 'multipicklist':
			return toMultipicklist(value);
		case 'integer':
		case 'double':
		case 'currency':
			if (typeof value === 'number') return value;
			if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) {
				return Number(value);
			}
			throw new FieldValueError(field.name, `"${String(value)}" is not a number`);
		case 'reference':
		case 'owner': {
			const id = String(value).trim();
			checkReference(field, id);
			return id;
		}
		default:
			return typeof value === 'object' ? JSON.stringify(value) : value;
	}
}

/**
 * Calendar and Events keep a date and a time of day apart (describe: `date_start` + `time_start`,
 * `due_date` + `time_end`), both in UTC like every Vtiger date-time; the web UI shows them in the
 * user's zone. The mapper offers one date-time for each pair, under the date field's name.
 */
const DATE_TIME_PAIRS: ReadonlyArray<{ date: string; time: string; label: string }> = [
	{ date: 'date_start', time: 'time_start', label: 'Start' },
	{ date: 'due_date', time: 'time_end', label: 'End' },
];

export interface DateTimePair {
	date: VtigerField;
	time: VtigerField;
	/** what the mapper calls the pair */
	label: string;
}

/** The date + time pairs of a module (Calendar, Events), both fields writable. */
export function dateTimePairs(description: VtigerModuleDescription): DateTimePair[] {
	const pairs: DateTimePair[] = [];
	for (const { date, time, label } of DATE_TIME_PAIRS) {
		const dateField = findField(description, date);
		const timeField = findField(description, time);
		if (dateField?.editable && timeField?.editable) pairs.push({ date: dateField, time: timeField, label });
	}
	return pairs;
}

/** Duration fields Vtiger derives from Start and End on every save of an activity (Activity.php save_module). */
export const DURATION_FIELDS: readonly string[] = ['duration_hours', 'duration_minutes'];

const isBlank = (value: unknown): boolean => value === undefined || value === null || value === '';

/** One pair's values: the instant the user meant, split into Vtiger's UTC date and time. */
function splitPair(pair: DateTimePair, values: IDataObject, timeZone: string): { element: IDataObject; instant?: Date } {
	const dateValue = values[pair.date.name];
	const timeValue = values[pair.time.name];
	if (isBlank(dateValue)) {
		if (isBlank(timeValue)) {
			const element: IDataObject = {};
			if (dateValue === '') element[pair.date.name] = '';
			if (timeValue === '') element[pair.time.name] = '';
			return { element };
		}
		throw new FieldValueError(pair.time.name, `a time needs its date: give ${pair.label} as a date and time`);
	}
	let instant: Date | undefined;
	if (!isBlank(timeValue)) {
		instant = userDateAndTimeToInstant(dateOnly(dateValue, pair.date.name), String(timeValue), timeZone);
		if (!instant) throw new FieldValueError(pair.time.name, `"${String(timeValue)}" is not a time of day (like 14:30)`);
	} else if (typeof dateValue === 'string' && /^\s*\d{4}-\d{2}-\d{2}\s*$/.test(dateValue)) {
		if (pair.time.mandatory) {
			throw new FieldValueError(pair.date.name, `"${dateValue.trim()}" has no time of day: ${pair.label} needs a date and time`);
		}
		return { element: { [pair.date.name]: dateValue.trim() } };
	} else {
		instant = userDateTimeToInstant(dateValue, timeZone);
		if (!instant) throw new FieldValueError(pair.date.name, `"${String(dateValue)}" is not a date and time`);
	}
	const text = instantToVtiger(instant);
	return { element: { [pair.date.name]: text.date, [pair.time.name]: text.time }, instant };
}

/** Start and End split into their fields, and the duration Vtiger derives from them when both are given. */
function pairedValues(description: VtigerModuleDescription, pairs: DateTimePair[], values: IDataObject, timeZone: string): IDataObject {
	const element: IDataObject = {};
	const instants: Array<Date | undefined> = [];
	for (const pair of pairs) {
		const split = splitPair(pair, values, timeZone);
		Object.assign(element, split.element);
		instants.push(split.instant);
	}
	const [start, end] = instants;
	if (pairs.length === 2 && start && end) {
		const minutes = Math.floor((end.getTime() - start.getTime()) / 60000);
		if (minutes < 0) {
			throw new FieldValueError(pairs[1].date.name, `${pairs[1].label} is before ${pairs[0].label}`);
		}
		if (findField(description, 'duration_hours')) element.duration_hours = String(Math.floor(minutes / 60));
		if (findField(description, 'duration_minutes')) element.duration_minutes = String(minutes % 60);
	}
	return element;
}

/**
 * Field values for `element`: known writable fields only, converted to Vtiger's formats, date-times
 * without an offset read in `timeZone` (the workflow's); `undefined` and `null` (a mapper field left
 * empty) are dropped.
 */
export function toVtigerElement(description: VtigerModuleDescription, values: IDataObject, timeZone: string): IDataObject {
	const element: IDataObject = {};
	const pairs = dateTimePairs(description);
	const paired = new Set(pairs.flatMap((pair) => [pair.date.name, pair.time.name]));
	// Vtiger derives the duration from Start and End on every save (Activity::save_module), so a record's own
	// is not read: Calendar's describe calls duration_hours a time, and a task's is "30" (time.roundTrip.test.ts,
	// "a Calendar task's own duration")
	if (pairs.length === 2) DURATION_FIELDS.forEach((name) => paired.add(name));
	for (const [name, value] of Object.entries(values)) {
		if (value === undefined || value === null) continue;
		const field = findField(description, name);
		if (!field) {
			throw new FieldValueError(name, `${description.name} has no field "${name}"`);
		}
		if (!field.editable || field.type.name === 'autogenerated' || paired.has(name)) continue;
		element[name] = toVtigerValue(field, value, timeZone) as IDataObject[string];
	}
	return { ...element, ...pairedValues(description, pairs, values, timeZone) };
}

/** Mandatory writable fields the element does not fill. */
export function missingMandatory(description: VtigerModuleDescription, element: IDataObject): VtigerField[] {
	return writableFields(description).filter(
		(field) =>
			field.mandatory &&
			(element[field.name] === undefined || element[field.name] === null || element[field.name] === ''),
	);
}

/** Describe gives some labels as raw field names (`starred`, `tags`): those become words. */
function humanized(label: string, name: string): string {
	if (label !== name || !/^[a-z0-9_]+$/.test(label)) return label;
	const words = label.replace(/_/g, ' ');
	return words.charAt(0).toUpperCase() + words.slice(1);
}

/** How a field is shown to users: its label, with its name when another field has the same label. */
export function fieldDisplayName(description: VtigerModuleDescription, field: VtigerField): string {
	const label = (field.label || field.name).trim();
	const shared = description.fields.filter((other) => (other.label || other.name).trim() === label).length > 1;
	return shared ? `${label} (${field.name})` : humanized(label, field.name);
}

/** How a write names a field: Start or End for an activity's date and time fields, else its display name. */
export function writeLabel(description: VtigerModuleDescription, field: VtigerField): string {
	const pair = dateTimePairs(description).find((entry) => entry.date.name === field.name || entry.time.name === field.name);
	return pair ? pair.label : fieldDisplayName(description, field);
}
