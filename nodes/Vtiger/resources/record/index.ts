import { recordOptionsCollection, recordSimplify } from '../../records/output';
import { modulePicker, operationPicker, operationsWith } from '../../records/properties';
import type { VtigerOperation, VtigerResource } from '../../records/properties';
import { addRelatedOperation } from './addRelated';
import { RECORD } from './common';
import { convertLeadOperation } from './convertLead';
import { createOperation } from './create';
import { deleteOperation } from './delete';
import { downloadFileOperation } from './downloadFile';
import { getOperation } from './get';
import { getAllOperation } from './getAll';
import { getChangesOperation } from './getChanges';
import { getRelatedOperation } from './getRelated';
import { getWithLineItemsOperation } from './getWithLineItems';
import { lineItemsProperties } from './lineItems';
import { queryOperation } from './query';
import { queryRelatedOperation } from './queryRelated';
import { replaceOperation } from './replace';
import { updateOperation } from './update';
import { uploadFileOperation } from './uploadFile';
import { upsertOperation } from './upsert';

/** An operation is added here once; the pickers, Simplify and Options follow from its flags. */
const operations: VtigerOperation[] = [
	createOperation,
	getOperation,
	deleteOperation,
	updateOperation,
	replaceOperation,
	getAllOperation,
	queryOperation,
	getChangesOperation,
	getRelatedOperation,
	queryRelatedOperation,
	addRelatedOperation,
	getWithLineItemsOperation,
	convertLeadOperation,
	downloadFileOperation,
	upsertOperation,
	uploadFileOperation,
];

export const recordResource: VtigerResource = {
	option: { name: 'Record', value: RECORD, description: 'A record of any module, custom modules included' },
	properties: [
		operationPicker(RECORD, operations.map((operation) => operation.option), 'get'),
		modulePicker(RECORD, operationsWith(operations, 'module')),
		...operations.flatMap((operation) => operation.properties ?? []),
		...lineItemsProperties,
		recordSimplify(RECORD, operationsWith(operations, 'simplify')),
		recordOptionsCollection(RECORD, operationsWith(operations, 'outputOptions')),
	],
};
