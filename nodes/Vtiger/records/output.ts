import type {
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
	IPollFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import { describeModule, findField } from './describe';
import type { VtigerField, VtigerModuleDescription } from './describe';
import { MULTIPICKLIST_SEPARATOR } from './fields';
import { labelFieldName, recordLabel, referenceFields, resolveReferenceLabels, unlessRefused } from './references';
import { routedRequest } from '../webservice/routing';
import { instantToIso, vtigerDateTimeToInstant } from './time';
import { moduleOfQuery } from './vtql';
import type { VtigerRequestData } from '../webservice/routing';

type OutputContext = IExecuteSingleFunctions | IPollFunctions | IWebhookFunctions;

/** postReceive: every output item points at the input item it came from. */
export async function pairWithInput(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const item = this.getItemIndex();
	return items.map((entry) => ({ ...entry, pairedItem: { item } }));
}

export function jsonItems(ctx: IExecuteSingleFunctions, records: IDataObject[]): INodeExecutionData[] {
	const item = ctx.getItemIndex();
	return records.map((json) => ({ json, pairedItem: { item } }));
}

export function simplifyParameter(ctx: IExecuteSingleFunctions): boolean {
	return ctx.getNodeParameter('simplify', true) !== false;
}

/** The node version from which record operations simplify their output by default. */
export const SIMPLIFY_VERSION = 2;

/** How records leave the node: the Simplify toggle and the output Options. */
export interface RecordOutput {
	/** Booleans as booleans, numbers as numbers, multi-select lists as arrays, no empty values, a `label`. */
	simplify: boolean;
	/** `<field>_label` next to every reference and owner field whose record the user may see. */
	referenceLabels: boolean;
	/** Vtiger's date-times (UTC without a zone) as ISO 8601 instants in the workflow's time zone. */
	isoDateTimes: boolean;
}

function option(ctx: OutputContext, name: string): boolean {
	try {
		return ctx.getNodeParameter(`options.${name}`, false) === true;
	} catch {
		return false;
	}
}

/** What the user chose for this node; typeVersion 1 never simplifies records (saved workflows keep their output). */
export function readRecordOutput(ctx: OutputContext): RecordOutput {
	let simplify = false;
	if (ctx.getNode().typeVersion >= SIMPLIFY_VERSION) {
		try {
			simplify = ctx.getNodeParameter('simplify', true) !== false;
		} catch {
			simplify = false;
		}
	}
	return { simplify, referenceLabels: option(ctx, 'referenceLabels'), isoDateTimes: option(ctx, 'isoDateTimes') };
}

function isEmpty(value: unknown): boolean {
	return value === '' || value === null || value === undefined;
}

const TRUE_TEXT = ['1', 'true', 'on', 'yes'];
const FALSE_TEXT = ['0', 'false', 'off', 'no'];
const NUMBER_TEXT = /^-?\d+(\.\d+)?$/;

/** One value as its describe type says (Vtiger answers every value as a string: "1", "0", "12.50000000"). */
function typedValue(field: VtigerField, value: unknown): unknown {
	if (typeof value !== 'string') return value;
	switch (field.type.name) {
		case 'boolean': {
			const text = value.trim().toLowerCase();
			if (TRUE_TEXT.includes(text)) return true;
			if (FALSE_TEXT.includes(text)) return false;
			return value;
		}
		case 'integer':
		case 'double':
		case 'currency': {
			const text = value.trim();
			if (!NUMBER_TEXT.test(text)) return value;
			const number = Number(text);
			return Number.isFinite(number) && (text.includes('.') || Number.isSafeInteger(number)) ? number : value;
		}
		case 'multipicklist':
			return value.split(MULTIPICKLIST_SEPARATOR).map((entry) => entry.trim()).filter((entry) => entry !== '');
		case 'time': {
			// Vtiger stores a time another client wrote as "10:00" as given (time-round-trip.live.test.ts, "a time
			// stored without seconds"); with seconds it reads back as Vtiger's own UTC text
			const clock = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
			return clock ? `${clock[1].padStart(2, '0')}:${clock[2]}:00` : value;
		}
		default:
			return value;
	}
}

/** Date fields that Calendar and Events complete with a time field of their own. */
const DATE_TIME_PAIRS: Array<[string, string]> = [
	['date_start', 'time_start'],
	['due_date', 'time_end'],
];

/** The date-time fields of a record as ISO 8601 instants; a date with its time field becomes one instant. */
function isoDateTimes(description: VtigerModuleDescription, record: IDataObject, timeZone: string): IDataObject {
	const result: IDataObject = { ...record };
	for (const field of description.fields) {
		if (field.type.name !== 'datetime') continue;
		const instant = vtigerDateTimeToInstant(record[field.name]);
		if (instant) result[field.name] = instantToIso(instant, timeZone);
	}
	for (const [dateField, timeField] of DATE_TIME_PAIRS) {
		if (findField(description, dateField)?.type.name !== 'date' || !findField(description, timeField)) continue;
		const instant = vtigerDateTimeToInstant(record[dateField], record[timeField]);
		if (!instant) continue;
		result[dateField] = instantToIso(instant, timeZone);
		delete result[timeField];
	}
	return result;
}

/**
 * Records as the user asked for them (see RecordOutput). Reference labels cost one query per
 * referenced module per 100 distinct ids of `records` (records/references.ts).
 */
export async function shapeRecords(
	ctx: OutputContext,
	description: VtigerModuleDescription,
	records: IDataObject[],
	output: RecordOutput,
	itemIndex?: number,
	known = new Map<string, string>(),
): Promise<IDataObject[]> {
	if (!output.simplify && !output.referenceLabels && !output.isoDateTimes) return records;
	const lineItems = await shapeLineItems(ctx, records, output, itemIndex, known);
	const labels = output.referenceLabels
		? await resolveReferenceLabels(ctx, description, records, itemIndex, known)
		: known;
	const linked = new Set(referenceFields(description).map(({ field }) => field.name));
	const timeZone = ctx.getTimezone();
	const shapedRecords = records.map((raw) => {
		const record = output.isoDateTimes ? isoDateTimes(description, raw, timeZone) : raw;
		const shaped: IDataObject = {};
		for (const [name, value] of Object.entries(record)) {
			if (name === 'LineItems' && lineItems.has(raw)) {
				shaped[name] = lineItems.get(raw);
				continue;
			}
			if (output.simplify && isEmpty(value)) continue;
			const field = findField(description, name);
			shaped[name] = (output.simplify && field ? typedValue(field, value) : value) as IDataObject[string];
			const label = linked.has(name) && typeof value === 'string' ? labels.get(value) : undefined;
			if (label !== undefined) shaped[labelFieldName(name)] = label;
		}
		if (output.simplify && shaped.label === undefined && shaped.id !== undefined) {
			const label = recordLabel(description, raw);
			if (label !== undefined) shaped.label = label;
		}
		return shaped;
	});
	return shapedRecords;
}

/**
 * The line items of inventory records (retrieve_inventory: `LineItems`, typed by the LineItem describe;
 * 07_other_ops_patched_8081.jsonl answers quantity "3.000"), by record; their products' labels land in `known`.
 */
async function shapeLineItems(
	ctx: OutputContext,
	records: IDataObject[],
	output: RecordOutput,
	itemIndex: number | undefined,
	known: Map<string, string>,
): Promise<Map<IDataObject, IDataObject[]>> {
	const shapedLines = new Map<IDataObject, IDataObject[]>();
	const owners = records.filter((record) => Array.isArray(record.LineItems) && (record.LineItems as unknown[]).length > 0);
	if (owners.length === 0 || (!output.simplify && !output.referenceLabels)) return shapedLines;
	const description = await unlessRefused(ctx, async () => await describeModule(ctx, 'LineItem', itemIndex));
	if (!description) return shapedLines;
	const lines = owners.flatMap((record) => record.LineItems as IDataObject[]);
	const shaped = await shapeRecords(ctx, description, lines, { ...output, isoDateTimes: false }, itemIndex, known);
	let next = 0;
	for (const record of owners) {
		const count = (record.LineItems as IDataObject[]).length;
		shapedLines.set(record, shaped.slice(next, next + count));
		next += count;
	}
	return shapedLines;
}

/** Which module an operation's records belong to. */
export type RecordModuleOf = (ctx: IExecutePaginationFunctions, requestData: VtigerRequestData) => string | undefined;

/** The `module` parameter (Get, Get Many, Create …). */
export const moduleParameterOf: RecordModuleOf = (ctx) => String(ctx.getNodeParameter('module', '') ?? '').trim() || undefined;

/** The module after FROM in the statement sent (Query, Query Related). */
export const moduleOfSentQuery: RecordModuleOf = (_ctx, requestData) =>
	moduleOfQuery(String((requestData.options.qs as IDataObject | undefined)?.query ?? ''));

type Pager = (this: IExecutePaginationFunctions, requestData: VtigerRequestData) => Promise<INodeExecutionData[]>;

/**
 * An operation's pagination with the record output applied to everything it returns: use it as
 * `routing.operations.pagination` of an operation that answers records, e.g.
 * `withRecordOutput(getManyPager)` or `withRecordOutput()` for one request.
 */
export function withRecordOutput(pager: Pager = routedRequest, moduleOf: RecordModuleOf = moduleParameterOf): Pager {
	return async function (this: IExecutePaginationFunctions, requestData: VtigerRequestData): Promise<INodeExecutionData[]> {
		const output = readRecordOutput(this);
		const items = await pager.call(this, requestData);
		if (!output.simplify && !output.referenceLabels && !output.isoDateTimes) return items;
		const module = moduleOf(this, requestData);
		if (!module || items.length === 0) return items;
		const description = await describeModule(this, module, this.getItemIndex());
		const shaped = await shapeRecords(
			this,
			description,
			items.map((item) => item.json),
			output,
			this.getItemIndex(),
		);
		return items.map((item, index) => ({ ...item, json: shaped[index] }));
	};
}

/** Simplify of record operations, from node version 2 on (version 1 keeps Vtiger's raw answer). */
export function recordSimplify(resource: string, operations: string[], description?: string): INodeProperties {
	return {
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		displayOptions: {
			show: { resource: [resource], operation: operations, '@version': [{ _cnd: { gte: SIMPLIFY_VERSION } }] },
		},
		description:
			description ??
			'Whether to return booleans as true/false, numbers as numbers and multi-select values as lists, leave out empty fields and add the record\'s label, instead of Vtiger\'s raw answer (every value a string)',
	};
}

/** The output entries of a record operation's Options collection. */
export const recordOutputOptions: INodeProperties[] = [
	{
		displayName: 'Date-Times as ISO 8601',
		name: 'isoDateTimes',
		type: 'boolean',
		default: false,
		description:
			'Whether to return created/modified times and start/end date-times as ISO 8601 instants in the workflow\'s time zone (2026-03-01T10:00:00+01:00). Vtiger answers them in UTC without a zone; start and end dates then carry their time and the separate time fields are left out.',
	},
	{
		displayName: 'Reference Labels',
		name: 'referenceLabels',
		type: 'boolean',
		default: false,
		description:
			'Whether to add the name of each linked record, user and group next to its ID (account_id_label: "Acme"). Costs one query per linked module per 100 records; records the user may not see get no label.',
	},
];

/** An Options collection holding the output entries, for record operations that have no Options of their own. */
export function recordOptionsCollection(resource: string, operations: string[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: [resource], operation: operations } },
		options: recordOutputOptions,
	};
}
