import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { explainingRequest, explainRecordAccess } from '../../webservice/explain';
import { describeForOperation, resolveRecordId, setVtigerParams } from '../../records/input';
import { pairWithInput, withRecordOutput } from '../../records/output';
import { recordLocator } from './common';

async function sendRetrieve(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const description = await describeForOperation(this, 'retrieveable');
	return setVtigerParams(requestOptions, 'retrieve', { id: resolveRecordId(this, description) });
}

export const getOption: INodePropertyOptions = {
	name: 'Get',
	value: 'get',
	action: 'Get a record',
	description: 'Retrieve one record',
	routing: {
		request: { method: 'GET', qs: { operation: 'retrieve' } },
		send: { paginate: true, preSend: [sendRetrieve] },
		output: { postReceive: [pairWithInput] },
		operations: { pagination: withRecordOutput(explainingRequest(explainRecordAccess)) },
	},
};

export const getProperties: INodeProperties[] = [recordLocator(['get'])];
