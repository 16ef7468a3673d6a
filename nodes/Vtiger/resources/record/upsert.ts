import type {
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import type { VtigerModuleDescription } from '../../records/describe';
import { findField } from '../../records/describe';
import { fieldDisplayName, missingMandatory } from '../../records/fields';
import { completeRecordId, prefixOf } from '../../records/ids';
import { describeForOperation, inputError } from '../../records/input';
import { runSerially } from '../../webservice/keyedLock';
import { pairWithInput, recordOutputOptions, withRecordOutput } from '../../records/output';
import { showFor } from '../../records/properties';
import { sendRoutedRequest, vtigerRouting, withVtigerParams } from '../../webservice/routing';
import { instantToVtiger, userDateTimeToInstant } from '../../records/time';
import { vtigerApiRequest } from '../../webservice/transport';
import { buildSelect, VtqlInputError, withLimit, VTQL_PAGE_SIZE } from '../../records/vtql';
import type { VtqlCondition } from '../../records/vtql';
import { fieldsMapper, RECORD } from './common';
import { hasLineItems } from '../../records/inventory';
import { addLineItems, inventoryOperation } from './lineItems';
import { elementFromMapper } from './values';
import type { VtigerOperation } from '../../records/properties';
import type { VtigerRequestData } from '../../webservice/routing';

const MATCH = 'Fields › Columns to Match On';

interface Plan {
	description: VtigerModuleDescription;
	conditions: VtqlCondition[];
	element: IDataObject;
	byId: boolean;
}

/** What the mapper holds for a field, as written (before n8n parses a date): the input item's key when mapping automatically. */
function rawValue(ctx: IExecuteSingleFunctions, name: string): unknown {
	if (ctx.getNodeParameter('columns.mappingMode', 'defineBelow') === 'autoMapInputData') {
		return ctx.getInputData().json[name];
	}
	return ((ctx.getNodeParameter('columns.value', {}, { skipValidation: true }) ?? {}) as IDataObject)[name];
}

function isEmpty(value: unknown): boolean {
	return value === undefined || value === null || String(value).trim() === '';
}

/**
 * The match conditions and the values to write. A writable match column is compared in the very form
 * Create and Update write it (the element), so a date or a boolean matches what Vtiger stored.
 */
function plan(ctx: IExecuteSingleFunctions, description: VtigerModuleDescription): Plan {
	const columns = ((ctx.getNodeParameter('columns.matchingColumns', []) ?? []) as string[]).filter(Boolean);
	if (columns.length === 0) throw inputError(ctx, MATCH, 'choose at least one field that identifies the record');
	const element = elementFromMapper(ctx, description);
	if (ctx.getNodeParameter('columns.mappingMode', 'defineBelow') !== 'autoMapInputData') {
		const values = (ctx.getNodeParameter('columns.value', {}) ?? {}) as IDataObject;
		for (const [name, value] of Object.entries(values)) {
			const field = findField(description, name);
			if (isEmpty(value) || columns.includes(name) || !field || field.editable) continue;
			throw inputError(ctx, `Fields › ${fieldDisplayName(description, field)}`, 'this field is read-only: use it only to match records');
		}
	}
	const conditions: VtqlCondition[] = [];
	for (const name of columns) {
		const raw = rawValue(ctx, name);
		const field = findField(description, name);
		const label = name === 'id' ? 'ID' : field ? fieldDisplayName(description, field) : name;
		if (!field && name !== 'id') throw inputError(ctx, MATCH, `${description.name} has no field "${name}"`);
		if (isEmpty(raw)) {
			throw inputError(ctx, MATCH, `"${label}" has no value in this item, so no record can be looked up by it`);
		}
		let value: string;
		if (name === 'id') {
			const id = completeRecordId(String(raw), description.idPrefix);
			if (!id || prefixOf(id) !== description.idPrefix) {
				throw inputError(ctx, MATCH, `"${String(raw)}" is not a ${description.name} ID (${description.idPrefix}x…)`);
			}
			value = id;
		} else if (element[name] === undefined && field?.type.name === 'datetime') {
			// a read-only date-time (modifiedtime) is compared as the instant it means, like a Get Many filter
			const instant = userDateTimeToInstant(raw, ctx.getTimezone());
			if (!instant) throw inputError(ctx, MATCH, `"${String(raw)}" is not a date and time`);
			value = instantToVtiger(instant).dateTime;
		} else {
			value = String(element[name] ?? raw).trim();
		}
		conditions.push({ field: name, operator: '=', value });
	}
	return { description, conditions, element, byId: columns.includes('id') };
}

/** At most one page of ids: enough to update, or to name them in the error. */
async function findMatches(ctx: IExecuteSingleFunctions, { description, conditions }: Plan, all: boolean): Promise<string[]> {
	let statement: string;
	try {
		statement = buildSelect({ module: description.name, fields: ['id'], conditions });
	} catch (error) {
		throw inputError(ctx, MATCH, (error as VtqlInputError).message);
	}
	const ids: string[] = [];
	for (let offset = 0; ; offset += VTQL_PAGE_SIZE) {
		const rows = (await vtigerApiRequest.call(ctx, 'query', { query: withLimit(statement, offset, VTQL_PAGE_SIZE) }, { itemIndex: ctx.getItemIndex() })) as IDataObject[];
		ids.push(...(rows ?? []).map((row) => String(row.id)));
		if (!all || (rows ?? []).length < VTQL_PAGE_SIZE) return ids;
	}
}

function describeMatch(conditions: VtqlCondition[]): string {
	return conditions.map((condition) => `${condition.field} = "${String(condition.value)}"`).join(' and ');
}

function marked(items: INodeExecutionData[], operation: 'created' | 'updated'): INodeExecutionData[] {
	return items.map((item) => ({ ...item, json: { ...item.json, _operation: operation } }));
}

/**
 * One VTQL query for the match, then `create` or `revise` (one write per record). Items of the same
 * execution with the same match values run one after the other, so the second finds what the first
 * created instead of creating it again.
 */
async function upsertRequest(this: IExecutePaginationFunctions, requestData: VtigerRequestData): Promise<INodeExecutionData[]> {
	const description = await describeForOperation(this, 'updateable');
	const planned = plan(this, description);
	const element = await addLineItems(this, description, { ...planned.element }, 'update');
	const updateAll = (this.getNodeParameter('options.multipleMatches', 'error') as string) === 'updateAll';
	const key = [this.getExecutionId(), this.getNode().id, description.name, describeMatch(planned.conditions).toLowerCase()].join('\u0000');
	return await runSerially(key, async () => {
		const ids = await findMatches(this, planned, updateAll);
		if (ids.length === 0) {
			if (planned.byId) {
				throw inputError(this, MATCH, `no ${description.name} record has ${describeMatch(planned.conditions)}; a new record cannot be given an ID, so none was created`);
			}
			if (description.createable === false) {
				throw inputError(this, 'Module', `no record matches and ${description.name} does not allow you to create records`);
			}
			if (hasLineItems(description) && !Array.isArray(element.LineItems)) {
				throw inputError(this, 'Line Items', `no ${description.name} record has ${describeMatch(planned.conditions)}, and a new one needs at least one line item`);
			}
			const missing = missingMandatory(description, element);
			if (missing.length) {
				throw inputError(
					this,
					'Fields',
					`no ${description.name} record has ${describeMatch(planned.conditions)}, and a new one needs ${missing.map((field) => `"${fieldDisplayName(description, field)}"`).join(', ')}`,
					'Vtiger refuses a record without its mandatory fields (MANDATORY_FIELDS_MISSING)',
				);
			}
			const operation = (await inventoryOperation(this, description, element, 'create')) ?? 'create';
			const body = { operation, elementType: description.name, element: JSON.stringify(element) };
			return marked(await sendRoutedRequest(this, withVtigerParams(requestData, body)), 'created');
		}
		if (ids.length > 1 && !updateAll) {
			throw inputError(
				this,
				MATCH,
				`${ids.length === VTQL_PAGE_SIZE ? `${VTQL_PAGE_SIZE} or more` : ids.length} ${description.name} records have ${describeMatch(planned.conditions)}: ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''}`,
				'Match on fields that identify one record, or set Options › If Several Records Match to "Update All of Them"',
			);
		}
		const output: INodeExecutionData[] = [];
		const operation = (await inventoryOperation(this, description, element, 'revise')) ?? 'revise';
		for (const id of ids) {
			const body = { operation, element: JSON.stringify({ ...element, id }) };
			output.push(...marked(await sendRoutedRequest(this, withVtigerParams(requestData, body)), 'updated'));
		}
		return output;
	});
}

const upsertOption: INodePropertyOptions = {
	name: 'Create or Update',
	value: 'upsert',
	action: 'Create or update a record',
	description: 'Create a new record, or update the current one if it already exists (upsert)',
	routing: vtigerRouting({
		operation: 'create',
		postReceive: [pairWithInput],
		send: withRecordOutput(upsertRequest),
	}),
};

const upsertProperties: INodeProperties[] = [
	fieldsMapper(['upsert'], 'getUpsertFields', true, {
		mode: 'upsert',
		multiKeyMatch: true,
		matchingFieldsLabels: {
			title: 'Columns to Match On',
			description: 'The fields whose values identify the record (compared exactly, e.g. Email)',
			hint: 'The record with these values is updated; when there is none, a record is created',
		},
	}),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: showFor(RECORD, ['upsert']),
		options: [
			{
				displayName: 'If Several Records Match',
				name: 'multipleMatches',
				type: 'options',
				default: 'error',
				options: [
					{ name: 'Fail the Item', value: 'error', description: 'Stop with an error that names the matching records' },
					{ name: 'Update All of Them', value: 'updateAll', description: 'Revise every matching record (one output item each)' },
				],
			},
			...recordOutputOptions,
		],
	},
];

export const upsertOperation: VtigerOperation = { option: upsertOption, properties: upsertProperties, module: true, simplify: true };
