import type { IDataObject, IExecuteSingleFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { explainEither, explainingRequest, explainRecordAccess } from '../../webservice/explain';
import { describeForOperation, inputError, resolveRecordId } from '../../records/input';
import { pairWithInput, withRecordOutput } from '../../records/output';
import { addLineItems, explainLineItemWrite, gatedLineWrite, inventoryOperation } from './lineItems';
import { fieldsMapper, recordLocator } from './common';
import { elementFromMapper } from './values';
import { vtigerRouting } from '../../webservice/routing';
import type { VtigerOperation } from '../../records/properties';

/** `revise` changes only the fields it is given (01_basic_crud.jsonl). */
async function reviseParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const description = await describeForOperation(this, 'updateable');
	const id = resolveRecordId(this, description);
	const element = await addLineItems(this, description, elementFromMapper(this, description), 'update');
	if (Object.keys(element).length === 0) {
		throw inputError(this, 'Fields', 'add at least one field to change');
	}
	const extension = await inventoryOperation(this, description, element, 'revise');
	return { ...(extension ? { operation: extension } : {}), element: JSON.stringify({ ...element, id }) };
}

const updateOption: INodePropertyOptions = {
	name: 'Update',
	value: 'update',
	action: 'Update a record',
	description: 'Change only the given fields of a record',
	routing: vtigerRouting({
		operation: 'revise',
		params: reviseParams,
		postReceive: [pairWithInput],
		send: withRecordOutput(gatedLineWrite(explainingRequest(explainEither(explainRecordAccess, explainLineItemWrite)))),
	}),
};

const updateProperties: INodeProperties[] = [
	recordLocator(['update']),
	fieldsMapper(['update'], 'getUpdateFields', false),
];

export const updateOperation: VtigerOperation = { option: updateOption, properties: updateProperties, module: true, simplify: true, outputOptions: true };
