import type {
	IDataObject,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { describeForOperation, resolveRecordId } from '../../records/input';
import { jsonItems } from '../../records/output';
import { showFor } from '../../records/properties';
import { describeRelated, readRelation, relationPicker } from '../../records/relation';
import type { VtigerRelation } from '../../records/relation';
import { RECORD, recordLocator } from './common';
import { vtigerRouting } from '../../webservice/routing';
import type { VtigerOperation } from '../../records/properties';

async function relatedRecordId(ctx: IExecuteSingleFunctions, relation: VtigerRelation): Promise<string> {
	const related = await describeRelated(ctx, relation);
	return resolveRecordId(ctx, related, {
		parameter: 'relatedRecordId',
		label: 'Related Record',
		wrongModule: (id) =>
			`"${id}" is not a ${related.name} ID: the related list "${relation.label}" holds ${related.name} records (IDs ${related.idPrefix}x…)`,
	});
}

async function addRelatedParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const description = await describeForOperation(this, 'retrieveable');
	const sourceRecordId = resolveRecordId(this, description);
	const relation = await readRelation(this, description);
	return {
		sourceRecordId,
		relatedRecordId: await relatedRecordId(this, relation),
		relationIdLabel: relation.label,
	};
}

/** Vtiger answers `{message: "successfull"}` (sic); the item also says what was linked. */
async function linked(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const description = await describeForOperation(this);
	const relation = await readRelation(this, description);
	const link = {
		id: resolveRecordId(this, description),
		relatedId: await relatedRecordId(this, relation),
		relatedModule: relation.module,
		relationLabel: relation.label,
	};
	return jsonItems(
		this,
		items.map((item) => ({ ...link, ...item.json })),
	);
}

const addRelatedOption: INodePropertyOptions = {
	name: 'Add Related',
	value: 'addRelated',
	action: 'Add a related record',
	description: 'Add a record to one of a record\'s related lists (add_related)',
	routing: vtigerRouting({ operation: 'add_related', params: addRelatedParams, postReceive: [linked] }),
};

const addRelatedProperties: INodeProperties[] = [
	recordLocator(['addRelated']),
	relationPicker(RECORD, ['addRelated']),
	{
		displayName: 'Related Record',
		name: 'relatedRecordId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		displayOptions: showFor(RECORD, ['addRelated']),
		description: 'The record to add to the related list',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a record…',
				typeOptions: { searchListMethod: 'searchRelatedRecords', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 12x87 or 87',
				hint: 'A Vtiger ID like 12x87, or the number after the "x" (87)',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^\\s*(\\d+x)?\\d+\\s*$', errorMessage: 'Not a Vtiger ID: use 12x87 or 87' },
					},
				],
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: 'https://crm.example.com/index.php?module=Contacts&view=Detail&record=87',
				validation: [
					{
						type: 'regex',
						properties: { regex: '.*[?&]record=\\d+.*', errorMessage: 'Not a link to a CRM record (it needs record=…)' },
					},
				],
			},
		],
	},
];

export const addRelatedOperation: VtigerOperation = { option: addRelatedOption, properties: addRelatedProperties, module: true };
