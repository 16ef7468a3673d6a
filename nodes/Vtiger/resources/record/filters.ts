import type { IDataObject, IExecuteSingleFunctions, INodeProperties } from 'n8n-workflow';

import type { VtigerModuleDescription } from '../../records/describe';
import { findField } from '../../records/describe';
import { inputError } from '../../records/input';
import { instantToVtiger, userDateTimeToInstant } from '../../records/time';
import type { VtqlCondition, VtqlOperator } from '../../records/vtql';
import { RECORD } from './common';

const OPERATORS: Record<string, VtqlOperator> = {
	equal: '=',
	notEqual: '!=',
	less: '<',
	greater: '>',
	lessOrEqual: '<=',
	greaterOrEqual: '>=',
	like: 'LIKE',
	in: 'IN',
};

export const filterProperties: INodeProperties[] = [
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show: { resource: [RECORD], operation: ['getAll'] } },
		options: [
			{
				displayName: 'Conditions',
				name: 'conditions',
				values: [
					{
						displayName: 'Field Name or ID',
						name: 'field',
						type: 'options',
						typeOptions: { loadOptionsMethod: 'getFields', loadOptionsDependsOn: ['module'] },
						default: '',
						description:
							'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
					},
					{
						displayName: 'Operator',
						name: 'operator',
						type: 'options',
						options: [
							{ name: '!= (Not Equal)', value: 'notEqual' },
							{ name: '< (Less)', value: 'less' },
							{ name: '<= (Less or Equal)', value: 'lessOrEqual' },
							{ name: '= (Equal)', value: 'equal' },
							{ name: '> (Greater)', value: 'greater' },
							{ name: '>= (Greater or Equal)', value: 'greaterOrEqual' },
							{ name: 'In List', value: 'in', description: 'Value: a comma-separated list or a JSON array' },
							{ name: 'Like', value: 'like', description: 'Value with % as wildcard, e.g. Smith% (not case-sensitive)' },
						],
						default: 'equal',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description:
							'The value to compare with: = matches the whole value exactly (not case-sensitive), Like takes a pattern with % as wildcard (e.g. %@acme.com), In List a comma-separated list. IDs look like 12x87.',
						hint: 'Vtiger cannot compare with an empty value (its query language has no empty string and no IS NULL)',
					},
				],
			},
		],
	},
	{
		displayName: 'Combine Filters',
		name: 'combine',
		type: 'options',
		options: [
			{ name: 'All Filters Must Match (AND)', value: 'AND' },
			{ name: 'Any Filter Must Match (OR)', value: 'OR' },
		],
		default: 'AND',
		description: 'Vtiger reads the conditions left to right without grouping, so they are joined by one word',
		displayOptions: { show: { resource: [RECORD], operation: ['getAll'] } },
	},
];

function listValues(ctx: IExecuteSingleFunctions, value: string): string[] {
	const text = value.trim();
	if (text.startsWith('[')) {
		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch {
			throw inputError(ctx, 'Filters › Value', `"${text}" is not valid JSON`);
		}
		if (!Array.isArray(parsed)) throw inputError(ctx, 'Filters › Value', 'the JSON must be an array');
		return parsed.map((entry) => String(entry));
	}
	return text.split(',').map((entry) => entry.trim());
}

function filterValue(ctx: IExecuteSingleFunctions, type: string, value: unknown, operator?: VtqlOperator): string {
	// a date-time (createdtime, modifiedtime) is compared as the instant meant, in Vtiger's UTC text
	if (type === 'datetime' && operator !== 'LIKE' && value !== undefined && value !== null && value !== '') {
		const instant = userDateTimeToInstant(value, ctx.getTimezone());
		if (!instant) throw inputError(ctx, 'Filters › Value', `"${String(value)}" is not a date and time`);
		return instantToVtiger(instant).dateTime;
	}
	if (type === 'boolean') {
		if (value === true || ['1', 'true', 'yes', 'on'].includes(String(value).toLowerCase())) return '1';
		if (value === false || ['0', 'false', 'no', 'off'].includes(String(value).toLowerCase())) return '0';
	}
	return value === undefined || value === null ? '' : String(value);
}

/** The Filters parameter as VTQL conditions, every field checked against describe. */
export function readConditions(ctx: IExecuteSingleFunctions, description: VtigerModuleDescription): VtqlCondition[] {
	const filters = ctx.getNodeParameter('filters', {}) as IDataObject;
	const rows = (filters.conditions ?? []) as IDataObject[];
	return rows.map((row) => {
		const name = String(row.field ?? '').trim();
		if (!name) throw inputError(ctx, 'Filters › Field', 'choose a field');
		const field = findField(description, name);
		if (!field) {
			throw inputError(ctx, 'Filters › Field', `${description.name} has no field "${name}"`);
		}
		const operator = OPERATORS[String(row.operator ?? 'equal')];
		if (!operator) throw inputError(ctx, 'Filters › Operator', `"${String(row.operator)}" is not an operator`);
		if (operator === 'IN') {
			const list = listValues(ctx, filterValue(ctx, 'string', row.value));
			return { field: name, operator, value: list.map((entry) => filterValue(ctx, field.type.name, entry, operator)) };
		}
		return { field: name, operator, value: filterValue(ctx, field.type.name, row.value, operator) };
	});
}
