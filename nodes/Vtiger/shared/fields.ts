import type { FieldType, IDataObject } from 'n8n-workflow';

import type { VtigerField, VtigerModuleDescription } from './describe';
import { findField, writableFields } from './describe';
import { isRecordId, OWNER_ID_PREFIXES, prefixOf } from './ids';

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

const pad = (value: number): string => String(value).padStart(2, '0');

/** A value n8n gave for a date field: luxon DateTime (its toString is ISO), Date, or text. */
function toDate(value: unknown, field: string): Date {
	const text = value instanceof Date ? value.toISOString() : String(value).trim();
	const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
	if (Number.isNaN(date.getTime())) {
		throw new FieldValueError(field, `"${text}" is not a date`);
	}
	return date;
}

function dateOnly(value: unknown, field: string): string {
	const text = value instanceof Date ? value.toISOString() : String(value).trim();
	// the date as written (a luxon DateTime prints its own zone's date first), not shifted to UTC
	const written = /^(\d{4}-\d{2}-\d{2})/.exec(text);
	if (written) return written[1];
	const date = toDate(value, field);
	return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** Webservice datetimes are UTC `yyyy-mm-dd hh:mm:ss` (createdtime/modifiedtime in the recordings). */
function dateTimeUtc(value: unknown, field: string): string {
	const text = String(value).trim();
	if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return text;
	const date = toDate(value, field);
	return (
		`${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
		`${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
	);
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

/** One value in the form Vtiger's `element` JSON takes it. */
export function toVtigerValue(field: VtigerField, value: unknown): unknown {
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
			return dateTimeUtc(value, field.name);
		case 'time':
			return String(value).length === 5 ? `${String(value)}:00` : String(value);
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
 * Field values for `element`: known writable fields only, converted to Vtiger's formats;
 * `undefined` and `null` (a mapper field left empty) are dropped.
 */
export function toVtigerElement(description: VtigerModuleDescription, values: IDataObject): IDataObject {
	const element: IDataObject = {};
	for (const [name, value] of Object.entries(values)) {
		if (value === undefined || value === null) continue;
		const field = findField(description, name);
		if (!field) {
			throw new FieldValueError(name, `${description.name} has no field "${name}"`);
		}
		if (!field.editable || field.type.name === 'autogenerated') continue;
		element[name] = toVtigerValue(field, value) as IDataObject[string];
	}
	return element;
}

/** Mandatory writable fields the element does not fill. */
export function missingMandatory(description: VtigerModuleDescription, element: IDataObject): VtigerField[] {
	return writableFields(description).filter(
		(field) =>
			field.mandatory &&
			(element[field.name] === undefined || element[field.name] === null || element[field.name] === ''),
	);
}

/** How a field is shown to users: its label, with its name when another field has the same label. */
export function fieldDisplayName(description: VtigerModuleDescription, field: VtigerField): string {
	const label = (field.label || field.name).trim();
	const shared = description.fields.filter((other) => (other.label || other.name).trim() === label).length > 1;
	return shared ? `${label} (${field.name})` : label;
}
