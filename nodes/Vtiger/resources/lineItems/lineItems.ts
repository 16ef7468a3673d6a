import type {
	IDataObject,
	IExecuteSingleFunctions,
	INodeProperties,
} from 'n8n-workflow';

import type { VtigerModuleDescription } from '../../shared/describe';
import type { ExplainFailure } from '../../shared/explain';
import { isRecordId } from '../../shared/ids';
import { inputError } from '../../shared/input';
import { vtigerApiRequest } from '../../shared/transport';
import { hasLineItems, INVENTORY_MODULES } from './inventory';

const WRITES = ['create', 'update', 'replace'];
/** Shown for the inventory modules (n8n shows them too when the module is an expression). */
const show = { show: { resource: ['record'], operation: WRITES, module: [...INVENTORY_MODULES] } };

export const lineItemsProperties: INodeProperties[] = [
	{
		displayName: 'Line Items',
		name: 'lineItems',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Line Item',
		default: {},
		displayOptions: show,
		description:
			'Only for modules with line items (quotes, invoices, sales and purchase orders). Create needs at least one. On Update and Replace they replace every line; without them the lines stay as they are.',
		options: [
			{
				displayName: 'Line Item',
				name: 'item',
				values: [
					{
						displayName: 'Comment',
						name: 'comment',
						type: 'string',
						default: '',
					},
					{
						displayName: 'Discount (%)',
						name: 'discountPercent',
						type: 'number',
						default: 0
					},
					{
						displayName: 'Discount Amount',
						name: 'discountAmount',
						type: 'number',
						default: 0,
						description: 'Used when Discount (%) is 0',
					},
					{
						displayName: 'List Price',
						name: 'listPrice',
						type: 'number',
						default: 0,
						description: 'Price of one unit. 0:	the product\'s unit price.',
					},
					{
						displayName: 'Product or Service Name or ID',
						name: 'productId',
						type: 'options',
						default: '',
						description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
					},
					{
						displayName: 'Quantity',
						name: 'quantity',
						type: 'number',
						default: 1
					},
					{
						displayName: 'Tax 1 (%)',
						name: 'tax1',
						type: 'number',
						default: 0,
						description: 'With the Individual tax mode',
					},
					{
						displayName: 'Tax 2 (%)',
						name: 'tax2',
						type: 'number',
						default: 0,
						description: 'With the Individual tax mode',
					},
					{
						displayName: 'Tax 3 (%)',
						name: 'tax3',
						type: 'number',
						default: 0,
						description: 'With the Individual tax mode',
					},
				],
			},
		],
	},
	{
		displayName: 'Line Item Totals',
		name: 'inventoryOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		description: 'Header values of a record with line items; they win over the same fields set above',
		options: [
			{
				displayName: 'Adjustment',
				name: 'adjustment',
				type: 'number',
				default: 0,
				description: 'Added to the grand total (negative to subtract)',
			},
			{
				displayName: 'Currency Name or ID',
				name: 'currency',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getCurrencies' },
				default: '',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			{ displayName: 'Overall Discount (%)', name: 'discountPercent', type: 'number', default: 0 },
			{ displayName: 'Overall Discount Amount', name: 'discountAmount', type: 'number', default: 0 },
			{ displayName: 'Shipping & Handling', name: 'shippingAmount', type: 'number', default: 0 },
			{
				displayName: 'Tax Mode',
				name: 'taxMode',
				type: 'options',
				options: [
					{ name: 'Group (One Tax for the Whole Record)', value: 'group' },
					{ name: 'Individual (Taxes per Line)', value: 'individual' },
				],
				default: 'group',
			},
		],
	},
];

const PRODUCT_MODULES = ['14', '26'];

async function lineFromRow(ctx: IExecuteSingleFunctions, row: IDataObject, index: number): Promise<IDataObject> {
	const label = `Line Items › ${index + 1}`;
	const productid = String(row.productId ?? '').trim();
	if (!isRecordId(productid)) throw inputError(ctx, `${label} › Product or Service`, productid ? `"${productid}" is not a product or service ID` : 'choose a product or service');
	if (!PRODUCT_MODULES.includes(productid.split('x')[0])) {
		throw inputError(ctx, `${label} › Product or Service`, `"${productid}" is not a product (14x…) or service (26x…) ID`);
	}
	const quantity = Number(row.quantity ?? 1);
	if (!Number.isFinite(quantity) || quantity <= 0) throw inputError(ctx, `${label} › Quantity`, 'must be more than 0');
	let listprice = Number(row.listPrice ?? 0);
	if (!listprice) {
		const product = ((await vtigerApiRequest.call(ctx, 'retrieve', { id: productid }, { itemIndex: ctx.getItemIndex() })) ?? {}) as IDataObject;
		listprice = Number(product.unit_price ?? 0);
	}
	const line: IDataObject = { productid, quantity, listprice };
	if (Number(row.discountPercent)) line.discount_percent = Number(row.discountPercent);
	else if (Number(row.discountAmount)) line.discount_amount = Number(row.discountAmount);
	if (row.comment) line.comment = String(row.comment);
	for (const tax of ['tax1', 'tax2', 'tax3']) if (Number(row[tax])) line[tax] = Number(row[tax]);
	return line;
}

/**
 * Adds the Line Items and Line Item Totals parameters to a write's element. Vtiger's inventory
 * `create` needs a non-empty `LineItems` (and `productid` among the mandatory header fields);
 * `update`/`revise` with `LineItems` replace every line and without it keep them (README,
 * SalesPlatform section; 07_other_ops_patched_8081.jsonl).
 */
export async function addLineItems(
	ctx: IExecuteSingleFunctions,
	description: VtigerModuleDescription,
	element: IDataObject,
	operation: 'create' | 'update',
): Promise<IDataObject> {
	const rows = ((ctx.getNodeParameter('lineItems', {}) as IDataObject).item ?? []) as IDataObject[];
	const options = (ctx.getNodeParameter('inventoryOptions', {}) ?? {}) as IDataObject;
	const inventory = hasLineItems(description);
	if (!inventory) {
		if (rows.length || Object.keys(options).length) {
			throw inputError(ctx, 'Line Items', `${description.label} records have no line items`);
		}
		return element;
	}
	if (options.taxMode) element.hdnTaxType = String(options.taxMode);
	if (options.currency) element.currency_id = String(options.currency);
	if (options.adjustment !== undefined) element.txtAdjustment = Number(options.adjustment);
	if (options.discountPercent !== undefined) element.hdnDiscountPercent = Number(options.discountPercent);
	if (options.discountAmount !== undefined) element.hdnDiscountAmount = Number(options.discountAmount);
	if (options.shippingAmount !== undefined) element.hdnS_H_Amount = Number(options.shippingAmount);
	if (rows.length === 0) {
		if (operation === 'create' && !Array.isArray(element.LineItems)) {
			throw inputError(ctx, 'Line Items', `a new ${description.label} record needs at least one line item`);
		}
		return element;
	}
	const lines: IDataObject[] = [];
	for (const [index, row] of rows.entries()) lines.push(await lineFromRow(ctx, row, index));
	element.LineItems = lines;
	element.productid = lines[0].productid;
	return element;
}

/**
 * Create's failures: Vtiger 8.3.0 refuses every inventory create with line items with
 * INVALID_ID_ATTRIBUTE (07_other_ops_*.jsonl, both lab servers), which says nothing by itself.
 */
export const explainLineItemCreate: ExplainFailure = (failure, requestData) => {
	const body = requestData.options.body;
	const element = String(typeof body === 'object' && body !== null ? ((body as IDataObject).element ?? '') : '');
	if (failure.code !== 'INVALID_ID_ATTRIBUTE' || !element.includes('"LineItems"')) return undefined;
	return 'Vtiger 8.3.0 refuses to create quotes, invoices, sales and purchase orders with line items through the webservice (INVALID_ID_ATTRIBUTE, a regression of that release; 7.x and SalesPlatform create them). Create the record in the CRM and add the lines with Update, or ask the administrator for the fix.';
};
