import type { IDataObject, IExecuteSingleFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { missingMandatory, writeLabel } from '../../records/fields';
import { explainingRequest } from '../../webservice/explain';
import { describeForOperation, inputError } from '../../records/input';
import { pairWithInput, withRecordOutput } from '../../records/output';
import { addLineItems, explainLineItemCreate, inventoryOperation } from './lineItems';
import { fieldsMapper } from './common';
import { asCalendarTask, elementFromMapper } from './values';
import { vtigerRouting } from '../../webservice/routing';
import type { VtigerOperation } from '../../records/properties';

async function createParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const description = await describeForOperation(this, 'createable');
	const element = await addLineItems(this, description, asCalendarTask(this, description, elementFromMapper(this, description)), 'create');
	const missing = missingMandatory(description, element);
	if (missing.length) {
		throw inputError(
			this,
			'Fields',
			`${description.label} needs ${[...new Set(missing.map((field) => `"${writeLabel(description, field)}"`))].join(', ')}`,
			'Vtiger refuses a record without its mandatory fields (MANDATORY_FIELDS_MISSING)',
		);
	}
	const extension = await inventoryOperation(this, description, element, 'create');
	// the extension's operation replaces create where it writes the lines (inventoryOperation)
	return { ...(extension ? { operation: extension } : {}), elementType: description.name, element: JSON.stringify(element) };
}

const createOption: INodePropertyOptions = {
	name: 'Create',
	value: 'create',
	action: 'Create a record',
	description: 'Create a record in a module',
	routing: vtigerRouting({
		operation: 'create',
		params: createParams,
		postReceive: [pairWithInput],
		send: withRecordOutput(explainingRequest(explainLineItemCreate)),
	}),
};

const createProperties: INodeProperties[] = [fieldsMapper(['create'], 'getCreateFields', true)];

export const createOperation: VtigerOperation = { option: createOption, properties: createProperties, module: true, simplify: true, outputOptions: true };
