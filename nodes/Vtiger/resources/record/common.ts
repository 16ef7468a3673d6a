import type { INodeProperties, ResourceMapperTypeOptionsBase } from 'n8n-workflow';

import { showFor } from '../../records/properties';

export const RECORD = 'record';

/** The record a Get, Update, Replace or Delete works on: from a searchable list, by ID or by CRM link. */
export function recordLocator(operations: string[]): INodeProperties {
	return {
		displayName: 'Record',
		name: 'recordId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		displayOptions: showFor(RECORD, operations),
		description: 'The record to work on. A Vtiger ID is the module prefix, an x and the record number (e.g. 12x87 for a Contact).',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a record…',
				typeOptions: { searchListMethod: 'searchRecords', searchable: true },
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
						properties: {
							regex: '^\\s*(\\d+x)?\\d+\\s*$',
							errorMessage: 'Not a Vtiger ID: use 12x87 or 87',
						},
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
						properties: {
							regex: '.*[?&]record=\\d+.*',
							errorMessage: 'Not a link to a CRM record (it needs record=…)',
						},
					},
				],
			},
		],
	};
}

/** The fields of a write, described by the module's describe through a resource mapper. */
export function fieldsMapper(
	operations: string[],
	method: string,
	addAllFields: boolean,
	more: Partial<ResourceMapperTypeOptionsBase> = {},
): INodeProperties {
	return {
		displayName: 'Fields',
		name: 'columns',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		displayOptions: showFor(RECORD, operations),
		typeOptions: {
			loadOptionsDependsOn: ['module'],
			resourceMapper: {
				resourceMapperMethod: method,
				mode: 'add',
				fieldWords: { singular: 'field', plural: 'fields' },
				addAllFields,
				multiKeyMatch: false,
				supportAutoMap: true,
				...more,
			},
		},
	};
}
