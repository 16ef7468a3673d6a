import type {
	IDataObject,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { explainingRequest, explainRecordAccess } from '../../webservice/explain';
import { describeForOperation, resolveRecordId } from '../../records/input';
import { jsonItems } from '../../records/output';
import { recordLocator } from './common';
import { inventoryDeleteOperation } from './lineItems';
import { vtigerRouting } from '../../webservice/routing';
import type { VtigerOperation } from '../../records/properties';

async function deleteParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const description = await describeForOperation(this, 'deleteable');
	const id = resolveRecordId(this, description);
	const extension = await inventoryDeleteOperation(this, description, id);
	// the extension's operation replaces delete for inventory records (inventoryDeleteOperation)
	return { ...(extension ? { operation: extension } : {}), id };
}

/** Vtiger answers `{status: "successful"}`; the item also says which record went. */
async function deletedRecord(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const id = resolveRecordId(this, await describeForOperation(this));
	return jsonItems(this, items.map((item) => ({ id, ...item.json })));
}

const deleteOption: INodePropertyOptions = {
	name: 'Delete',
	value: 'delete',
	action: 'Delete a record',
	description: 'Delete one record',
	routing: vtigerRouting({
		operation: 'delete',
		params: deleteParams,
		postReceive: [deletedRecord],
		send: explainingRequest(explainRecordAccess),
	}),
};

const deleteProperties: INodeProperties[] = [recordLocator(['delete'])];

export const deleteOperation: VtigerOperation = { option: deleteOption, properties: deleteProperties, module: true };
