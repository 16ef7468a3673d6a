import type {
	IDataObject,
	IExecuteSingleFunctions,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { findField } from '../../records/describe';
import { describeForOperation, inputError } from '../../records/input';
import { pairWithInput, recordOutputOptions, recordSimplify, withRecordOutput } from '../../records/output';
import { getManyPager } from '../../records/paging';
import { returnAllAndLimit } from '../../records/properties';
import { buildSelect, VtqlInputError } from '../../records/vtql';
import { RECORD } from './common';
import { filterProperties, readConditions } from './filters';
import { vtigerRouting } from '../../webservice/routing';
import type { VtigerOperation } from '../../records/properties';

async function queryParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const description = await describeForOperation(this, 'retrieveable');
	const conditions = readConditions(this, description);
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const fields = ((options.fields as string[] | undefined) ?? []).filter((name) => name !== '');
	for (const name of fields) {
		if (!findField(description, name)) {
			throw inputError(this, 'Options › Fields to Return', `${description.name} has no field "${name}"`);
		}
	}
	const sortField = String(options.sortField ?? '').trim();
	if (sortField && !findField(description, sortField)) {
		throw inputError(this, 'Options › Sort By', `${description.name} has no field "${sortField}"`);
	}
	let statement: string;
	try {
		statement = buildSelect({
			module: description.name,
			fields,
			conditions,
			combine: this.getNodeParameter('combine', 'AND') === 'OR' ? 'OR' : 'AND',
			orderBy: sortField
				? { field: sortField, direction: options.sortDirection === 'DESC' ? 'DESC' : 'ASC' }
				: undefined,
		});
	} catch (error) {
		throw inputError(this, 'Filters › Value', (error as VtqlInputError).message);
	}
	return { query: statement };
}

const getAllOption: INodePropertyOptions = {
	name: 'Get Many',
	value: 'getAll',
	action: 'Get many records',
	description: 'Find records of a module by filters',
	routing: vtigerRouting({
		operation: 'query',
		params: queryParams,
		postReceive: [pairWithInput],
		send: withRecordOutput(getManyPager),
	}),
};

const getAllProperties: INodeProperties[] = [
	...returnAllAndLimit(RECORD, ['getAll']),
	...filterProperties,
	recordSimplify(RECORD, ['getAll']),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: [RECORD], operation: ['getAll'] } },
		options: [
			{
				displayName: 'Fields to Return Names or IDs',
				name: 'fields',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getFields', loadOptionsDependsOn: ['module'] },
				default: [],
				description:
					'Only these fields (and the ID). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Sort By Name or ID',
				name: 'sortField',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getFields', loadOptionsDependsOn: ['module'] },
				default: '',
				description:
					'Vtiger returns no rows at all when sorting by a field stored outside the module\'s main table (addresses, custom fields). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Sort Direction',
				name: 'sortDirection',
				type: 'options',
				options: [
					{ name: 'Ascending', value: 'ASC' },
					{ name: 'Descending', value: 'DESC' },
				],
				default: 'ASC',
			},
			...recordOutputOptions,
		],
	},
];

export const getAllOperation: VtigerOperation = { option: getAllOption, properties: getAllProperties, module: true };
