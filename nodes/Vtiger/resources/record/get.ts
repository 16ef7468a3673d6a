import type { IDataObject, IExecuteSingleFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { explainingRequest, explainRecordAccess } from '../../webservice/explain';
import { describeForOperation, resolveRecordId } from '../../records/input';
import { pairWithInput, withRecordOutput } from '../../records/output';
import { recordLocator } from './common';
import { vtigerRouting } from '../../webservice/routing';
import type { VtigerOperation } from '../../records/properties';

async function retrieveParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const description = await describeForOperation(this, 'retrieveable');
	return { id: resolveRecordId(this, description) };
}

const getOption: INodePropertyOptions = {
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

const getProperties: INodeProperties[] = [recordLocator(['get'])];

export const getOperation: VtigerOperation = { option: getOption, properties: getProperties, module: true, simplify: true, outputOptions: true };
