import type { IDataObject, IExecuteSingleFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { explainingRequest, explainRecordAccess } from '../../webservice/explain';
import { describeForOperation, resolveRecordId } from '../../records/input';
import { pairWithInput, withRecordOutput } from '../../records/output';
import { recordLocator } from './common';
import { vtigerRouting } from '../../webservice/routing';

async function retrieveParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const description = await describeForOperation(this, 'retrieveable');
	return { id: resolveRecordId(this, description) };
}

export const getOption: INodePropertyOptions = {
	name: 'Get',
	value: 'get',
	action: 'Get a record',
	description: 'Retrieve one record',
	routing: vtigerRouting({
		operation: 'retrieve',
		params: retrieveParams,
		postReceive: [pairWithInput],
		send: withRecordOutput(explainingRequest(explainRecordAccess)),
	}),
};

export const getProperties: INodeProperties[] = [recordLocator(['get'])];
