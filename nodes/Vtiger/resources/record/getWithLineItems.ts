import type { IDataObject, IExecuteSingleFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { describeForOperation, inputError, resolveRecordId } from '../../records/input';
import { pairWithInput, withRecordOutput } from '../../records/output';
import { hasLineItems } from '../../records/inventory';
import { recordLocator } from './common';
import { vtigerRouting } from '../../webservice/routing';
import type { VtigerOperation } from '../../records/properties';

async function retrieveInventoryParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const description = await describeForOperation(this, 'retrieveable');
	if (!hasLineItems(description)) {
		throw inputError(
			this,
			'Module',
			`${description.label} records have no line items: choose Quotes, Invoices, Sales Orders, Purchase Orders or another module with line items`,
		);
	}
	return { id: resolveRecordId(this, description) };
}

const getWithLineItemsOption: INodePropertyOptions = {
	name: 'Get With Line Items',
	value: 'getWithLineItems',
	action: 'Get a record with its line items',
	description: 'Retrieve a quote, invoice, sales or purchase order with its line items (retrieve_inventory)',
	routing: vtigerRouting({
		operation: 'retrieve_inventory',
		params: retrieveInventoryParams,
		postReceive: [pairWithInput],
		send: withRecordOutput(),
	}),
};

const getWithLineItemsProperties: INodeProperties[] = [recordLocator(['getWithLineItems'])];

export const getWithLineItemsOperation: VtigerOperation = { option: getWithLineItemsOption, properties: getWithLineItemsProperties, module: true, simplify: true, outputOptions: true };
