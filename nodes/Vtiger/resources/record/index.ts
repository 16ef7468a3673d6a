import type { INodeProperties } from 'n8n-workflow';

import { modulePicker, operationPicker } from '../../shared/properties';
import type { VtigerResource } from '../../shared/properties';
import { RECORD } from './common';
import { createOption, createProperties } from './create';
import { deleteOption, deleteProperties } from './delete';
import { getOption, getProperties } from './get';
import { getAllOption, getAllProperties } from './getAll';
import { getChangesOption, getChangesProperties } from './getChanges';
import { queryOption, queryProperties } from './query';
import { replaceOption, replaceProperties } from './replace';
import { updateOption, updateProperties } from './update';

const properties: INodeProperties[] = [
	operationPicker(
		RECORD,
		[createOption, deleteOption, getOption, getAllOption, getChangesOption, queryOption, replaceOption, updateOption],
		'get',
	),
	modulePicker(RECORD, ['create', 'delete', 'get', 'getAll', 'getChanges', 'replace', 'update']),
	...createProperties,
	...getProperties,
	...deleteProperties,
	...updateProperties,
	...replaceProperties,
	...getAllProperties,
	...queryProperties,
	...getChangesProperties,
];

export const recordResource: VtigerResource = {
	option: { name: 'Record', value: RECORD, description: 'A record of any module, custom modules included' },
	properties,
};
