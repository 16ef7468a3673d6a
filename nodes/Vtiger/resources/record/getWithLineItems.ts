import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { describeForOperation, inputError, resolveRecordId, setVtigerParams } from '../../records/input';
import { pairWithInput, withRecordOutput } from '../../records/output';
import { hasLineItems } from '../../records/inventory';
import { recordLocator } from './common';

async function sendRetrieveInventory(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const description = await describeForOperation(this, 'retrieveable');
	if (!hasLineItems(description)) {
		throw inputError(
			this,
			'Module',
			`${description.label} records have no line items: choose Quotes, Invoices, Sales Orders, Purchase Orders or another module with line items`,
		);
	}
	return setVtigerParams(requestOptions, 'retrieve_inventory', { id: resolveRecordId(this, description) });
}

export const getWithLineItemsOption: INodePropertyOptions = {
	name: 'Get With Line Items',
	value: 'getWithLineItems',
	action: 'Get a record with its line items',
	description: 'Retrieve a quote, invoice, sales or purchase order with its line items (retrieve_inventory)',
	routing: {
		request: { method: 'GET', qs: { operation: 'retrieve_inventory' } },
		send: { paginate: true, preSend: [sendRetrieveInventory] },
		output: { postReceive: [pairWithInput] },
		operations: { pagination: withRecordOutput() },
	},
};

export const getWithLineItemsProperties: INodeProperties[] = [recordLocator(['getWithLineItems'])];
