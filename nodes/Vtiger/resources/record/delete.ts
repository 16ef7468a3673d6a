import type {
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { explainingRequest, explainRecordAccess } from '../../webservice/explain';
import { describeForOperation, resolveRecordId, setVtigerParams } from '../../records/input';
import { jsonItems } from '../../records/output';
import { recordLocator } from './common';

async function sendDelete(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const description = await describeForOperation(this, 'deleteable');
	return setVtigerParams(requestOptions, 'delete', { id: resolveRecordId(this, description) });
}

/** Vtiger answers `{status: "successful"}`; the item also says which record went. */
async function deletedRecord(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const id = resolveRecordId(this, await describeForOperation(this));
	return jsonItems(this, items.map((item) => ({ id, ...item.json })));
}

export const deleteOption: INodePropertyOptions = {
	name: 'Delete',
	value: 'delete',
	action: 'Delete a record',
	description: 'Delete one record',
	routing: {
		request: { method: 'POST', body: { operation: 'delete' } },
		send: { paginate: true, preSend: [sendDelete] },
		output: { postReceive: [deletedRecord] },
		operations: { pagination: explainingRequest(explainRecordAccess) },
	},
};

export const deleteProperties: INodeProperties[] = [recordLocator(['delete'])];
