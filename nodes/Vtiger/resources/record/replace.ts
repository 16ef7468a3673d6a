import type {
	IDataObject,
	IExecuteSingleFunctions,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { explainedRecordError, explainEither, explainingRequest, explainRecordAccess } from '../../webservice/explain';
import { missingMandatory } from '../../records/fields';
import { describeForOperation, resolveRecordId } from '../../records/input';
import { pairWithInput, withRecordOutput } from '../../records/output';
import { vtigerApiRequest } from '../../webservice/transport';
import { addLineItems, explainLineItemWrite, gatedLineWrite, inventoryOperation } from './lineItems';
import { fieldsMapper, recordLocator } from './common';
import { asCalendarTask, elementFromMapper } from './values';
import { vtigerRouting } from '../../webservice/routing';
import type { VtigerOperation } from '../../records/properties';

/**
 * `update` needs the id and every mandatory field (01_basic_crud.jsonl: MANDATORY_FIELDS_MISSING for a
 * partial element). Mandatory fields the user did not give keep the record's current values.
 */
async function updateParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const description = await describeForOperation(this, 'updateable');
	const id = resolveRecordId(this, description);
	const element: IDataObject = await addLineItems(
		this,
		description,
		asCalendarTask(this, description, elementFromMapper(this, description)),
		'update',
	);
	const missing = missingMandatory(description, element);
	if (missing.length) {
		const current = (await vtigerApiRequest
			.call(this, 'retrieve', { id }, { itemIndex: this.getItemIndex() })
			.catch(async (error: unknown) => {
				throw await explainedRecordError(this, error, id);
			})) as IDataObject;
		for (const field of missing) {
			if (current[field.name] !== undefined) element[field.name] = current[field.name];
		}
	}
	// the extension's revise keeps the fields it is not given, as update does on 8.3.0 (README, Replace)
	const extension = await inventoryOperation(this, description, element, 'revise');
	return { ...(extension ? { operation: extension } : {}), element: JSON.stringify({ ...element, id }) };
}

const replaceOption: INodePropertyOptions = {
	name: 'Replace',
	value: 'replace',
	action: 'Replace a record',
	description: 'Write a record with Vtiger\'s "update": mandatory fields not given keep their current values',
	routing: vtigerRouting({
		operation: 'update',
		params: updateParams,
		postReceive: [pairWithInput],
		send: withRecordOutput(gatedLineWrite(explainingRequest(explainEither(explainRecordAccess, explainLineItemWrite)))),
	}),
};

const replaceProperties: INodeProperties[] = [
	recordLocator(['replace']),
	fieldsMapper(['replace'], 'getUpdateFields', false),
];

export const replaceOperation: VtigerOperation = { option: replaceOption, properties: replaceProperties, module: true, simplify: true, outputOptions: true };
