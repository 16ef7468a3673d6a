import type { INodeProperties } from 'n8n-workflow';

import { recordOptionsCollection, recordSimplify } from '../../records/output';
import { modulePicker, operationPicker } from '../../records/properties';
import type { VtigerResource } from '../../records/properties';
import { addRelatedOption, addRelatedProperties } from './addRelated';
import { RECORD } from './common';
import { convertLeadOption, convertLeadProperties } from './convertLead';
import { createOption, createProperties } from './create';
import { deleteOption, deleteProperties } from './delete';
import { downloadFileOption, downloadFileProperties } from './downloadFile';
import { getOption, getProperties } from './get';
import { getAllOption, getAllProperties } from './getAll';
import { getChangesOption, getChangesProperties } from './getChanges';
import { getRelatedOption, getRelatedProperties } from './getRelated';
import { getWithLineItemsOption, getWithLineItemsProperties } from './getWithLineItems';
import { lineItemsProperties } from './lineItems';
import { queryOption, queryProperties } from './query';
import { queryRelatedOption, queryRelatedProperties } from './queryRelated';
import { replaceOption, replaceProperties } from './replace';
import { updateOption, updateProperties } from './update';
import { uploadFileOption, uploadFileProperties } from './uploadFile';
import { upsertOption, upsertProperties } from './upsert';

const properties: INodeProperties[] = [
	operationPicker(
		RECORD,
		[
			createOption,
			deleteOption,
			getOption,
			getAllOption,
			getChangesOption,
			queryOption,
			replaceOption,
			updateOption,
			getRelatedOption,
			queryRelatedOption,
			addRelatedOption,
			getWithLineItemsOption,
			convertLeadOption,
			downloadFileOption,
			upsertOption,
			uploadFileOption,
		],
		'get',
	),
	modulePicker(RECORD, [
		'create',
		'delete',
		'get',
		'getAll',
		'getChanges',
		'replace',
		'update',
		'getRelated',
		'queryRelated',
		'addRelated',
		'getWithLineItems',
		'upsert',
	]),
	...createProperties,
	...getProperties,
	...deleteProperties,
	...updateProperties,
	...replaceProperties,
	...lineItemsProperties,
	...getAllProperties,
	...queryProperties,
	...getChangesProperties,
	...getRelatedProperties,
	...queryRelatedProperties,
	...addRelatedProperties,
	...getWithLineItemsProperties,
	...convertLeadProperties,
	...downloadFileProperties,
	...upsertProperties,
	...uploadFileProperties,
	// Get Many and Get Changes place their own Simplify and Options
	recordSimplify(RECORD, ['get', 'query', 'getRelated', 'queryRelated', 'getWithLineItems', 'create', 'update', 'replace', 'upsert']),
	recordOptionsCollection(RECORD, ['get', 'query', 'getRelated', 'queryRelated', 'getChanges', 'getWithLineItems', 'create', 'update', 'replace']),
];

export const recordResource: VtigerResource = {
	option: { name: 'Record', value: RECORD, description: 'A record of any module, custom modules included' },
	properties,
};
