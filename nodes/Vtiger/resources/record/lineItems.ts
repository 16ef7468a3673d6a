import type {
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { VtigerModuleDescription } from '../../records/describe';
import { requestedId } from '../../webservice/explain';
import type { ExplainFailure } from '../../webservice/explain';
import { failureOf } from '../../webservice/errors';
import { isRecordId } from '../../records/ids';
import { inputError } from '../../records/input';
import { VTIGER_CREDENTIAL_TYPE } from '../../webservice/session';
import { routedOperation, routedParams } from '../../webservice/routing';
import { vtigerApiRequest } from '../../webservice/transport';
import { normalizeBaseUrl } from '../../webservice/url';
import { EXTENSION_REMEDY, extensionOffers } from '../../webservice/extension';
import { hasLineItems, INVENTORY_MODULES, TOTALS_INPUT_FIELDS } from '../../records/inventory';

const WRITES = ['create', 'update', 'replace', 'upsert'];
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
						displayName: 'Product or Service',
						name: 'productId',
						type: 'resourceLocator',
						default: { mode: 'list', value: '' },
						description: 'The product (14x…) or service of the line',
						modes: [
							{
								displayName: 'From List',
								name: 'list',
								type: 'list',
								placeholder: 'Search products and services…',
								typeOptions: { searchListMethod: 'searchProductsAndServices', searchable: true },
							},
							{
								displayName: 'By ID',
								name: 'id',
								type: 'string',
								placeholder: 'e.g. 14x42',
								validation: [
									{
										type: 'regex',
										properties: { regex: '^\\s*\\d+x\\d+\\s*$', errorMessage: 'Not a Vtiger ID: use 14x42 (a product) or 26x7 (a service)' },
									},
								],
							},
						],
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
	const picked = row.productId;
	// a resource locator since line items have a picker; a plain string in workflows saved before
	const productid = String((typeof picked === 'object' && picked !== null ? (picked as IDataObject).value : picked) ?? '').trim();
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
	const totals = ['taxMode', 'adjustment', 'discountPercent', 'discountAmount', 'shippingAmount'].filter((name) => options[name] !== undefined);
	if (rows.length === 0 && totals.length > 0 && !(operation === 'update' && (await extensionOffers(ctx, 'n8n_inventory_revise', ctx.getItemIndex())))) {
		throw inputError(
			ctx,
			'Line Item Totals',
			'only together with Line Items: Vtiger applies discounts, adjustment, shipping and tax mode only while it writes the lines',
			`Without LineItems Vtiger ignores the discounts and stores adjustment, shipping and tax mode without recomputing the totals, so the record would show totals that do not add up. With the n8n Connector extension the node changes them alone (it writes the current lines again). ${EXTENSION_REMEDY}`,
		);
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
 * The extension's operation for this write, when the CRM has the n8n Connector extension and the write touches
 * lines or their totals of an inventory record (n8n_inventory_create / n8n_inventory_revise: Vtiger's own
 * inventory code without 8.3.0's PHP 8 failures); otherwise undefined and the write goes to Vtiger's own operation.
 */
export async function inventoryOperation(
	ctx: IExecuteSingleFunctions,
	description: VtigerModuleDescription,
	element: IDataObject,
	write: 'create' | 'revise',
): Promise<string | undefined> {
	if (!hasLineItems(description)) return undefined;
	const touchesLines = element.LineItems !== undefined || TOTALS_INPUT_FIELDS.some((name) => element[name] !== undefined);
	if (!touchesLines) return undefined;
	const operation = write === 'create' ? 'n8n_inventory_create' : 'n8n_inventory_revise';
	return (await extensionOffers(ctx, operation, ctx.getItemIndex())) ? operation : undefined;
}

/**
 * The operation that deletes a record of an inventory module: the extension's n8n_inventory_delete when the CRM has
 * it (deleted as the web UI does, the lines kept for a restore), otherwise Vtiger's own delete. That one removes the
 * lines first and then, on PHP 8, crashes on a record with individual taxes, which stays behind without its lines
 * and can no longer be read (test/live/inventory-delete.live.test.ts): such a record is refused before anything is
 * written. Other records (and anything the read cannot tell) go to Vtiger's delete, which reports its own errors.
 */
export async function inventoryDeleteOperation(
	ctx: IExecuteSingleFunctions,
	description: VtigerModuleDescription,
	id: string,
): Promise<string | undefined> {
	if (!hasLineItems(description)) return undefined;
	const itemIndex = ctx.getItemIndex();
	if (await extensionOffers(ctx, 'n8n_inventory_delete', itemIndex)) return 'n8n_inventory_delete';
	const record = (await vtigerApiRequest.call(ctx, 'retrieve', { id }, { itemIndex }).catch(() => undefined)) as IDataObject | undefined;
	if (record?.hdnTaxType === 'individual') {
		throw new NodeOperationError(
			ctx.getNode(),
			`Delete: Vtiger cannot delete ${description.label} ${id} through its webservice: the record has individual taxes`,
			{
				itemIndex,
				description: `Vtiger's own "delete" removes the line items of an inventory record first and then, on PHP 8, fails on one with individual taxes (HTTP 500): the record would stay behind without its lines and could no longer be read, so the node sent nothing. ${EXTENSION_REMEDY} It deletes the record as the web UI does. Until then: delete it in the CRM's web UI.`,
			},
		);
	}
	return undefined;
}

/** The element of a routed create/update/revise, as sent. */
function sentElement(requestData: Parameters<ExplainFailure>[1]): string {
	return String(routedParams(requestData).element ?? '');
}

/** The operation of a routed write, as sent. */
function sentOperation(requestData: Parameters<ExplainFailure>[1]): string {
	return routedOperation(requestData);
}

const WEB_UI_INSTEAD = `${EXTENSION_REMEDY} Until then: create the record, or change its line items, in the CRM's web UI; the node's Update without Line Items changes its other fields. Vtiger on PHP 7 (or SalesPlatform) does not have these bugs.`;

/**
 * Vtiger 8.3.0 refuses every inventory create with line items (INVALID_ID_ATTRIBUTE: test/live/defects-line-items.live.test.ts): its
 * VtigerInventoryOperation::create runs the before-save events on the element before it has an id, and 8.x's
 * vtws_getIdComponents('') throws. Without LineItems the create answers MANDATORY_FIELDS_MISSING, so no request
 * shape creates a quote, invoice, sales or purchase order there.
 */
export const explainLineItemCreate: ExplainFailure = (failure, requestData, ctx) => {
	if (failure.code !== 'INVALID_ID_ATTRIBUTE' || !sentElement(requestData).includes('"LineItems"')) return undefined;
	const module = String(ctx.getNodeParameter('module', '') ?? '') || 'inventory';
	return {
		message: `Vtiger "create" failed: INVALID_ID_ATTRIBUTE – Id specified is incorrect: this Vtiger cannot create ${module} records through its webservice without the n8n Connector extension`,
		description: `Vtiger 8.3.0 runs the before-save events of a new quote, invoice, sales or purchase order before the record has an id and then fails on the empty id (VtigerInventoryOperation::create, vtws_getIdComponents), with or without line items (without them it answers MANDATORY_FIELDS_MISSING). No request shape creates these records through its webservice. ${WEB_UI_INSTEAD}`,
	};
};

/**
 * Per CRM: line item changes are known to work, known to crash, or not known yet; while the first one is under
 * way the others wait for its outcome, so a crash damages one record, not every item of the run.
 */
const lineWrites = new Map<string, { state: 'works' | 'crashes' } | { state: 'pilot'; done: Promise<void> }>();

/** Forget what the CRMs did (tests: one simulator plays several Vtigers). */
export function forgetLineWriteOutcomes(): void {
	lineWrites.clear();
}

async function crmKey(ctx: IExecuteSingleFunctions): Promise<string> {
	const credentials = await ctx.getCredentials(VTIGER_CREDENTIAL_TYPE, ctx.getItemIndex());
	return normalizeBaseUrl(credentials.url).toLowerCase();
}

const CRASH_CAUSE =
	'Vtiger 8.3.0 on PHP 8 writes the new lines and then dies (VTEntityDelta::hasChanged, called by updateInventoryProductRel) before it computes the totals; revise and update with LineItems and the LineItem records\' own update and delete all end this way, so no webservice request changes line items correctly there.';

/**
 * Update's and Replace's failures with line items: 8.3.0 on PHP 8 answers HTTP 500 after replacing the lines,
 * leaving the totals at 0 (test/engine/record/lineItems.test.ts, "8.3.0 on PHP 8 crashes after writing new lines"). Says what state the record is in.
 */
export const explainLineItemWrite: ExplainFailure = async (failure, requestData, ctx) => {
	if (failure.kind !== 'crash' || !sentElement(requestData).includes('"LineItems"')) return undefined;
	const id = requestedId(requestData) ?? '';
	let state = 'check its lines and totals';
	try {
		const record = ((await vtigerApiRequest.call(ctx, 'retrieve', { id }, { itemIndex: ctx.getItemIndex() })) ?? {}) as IDataObject;
		const lines = Array.isArray(record.LineItems) ? record.LineItems.length : 0;
		state = `it now has ${lines} line${lines === 1 ? '' : 's'} and a grand total of ${Number(record.hdnGrandTotal ?? 0).toFixed(2)}`;
	} catch {
		// the state is a courtesy; the crash is the news
	}
	const message = `Vtiger "${failure.operation}" crashed (HTTP ${failure.httpCode ?? 500}) while replacing the line items of ${id}: ${state}`;
	if (failure.operation.startsWith('n8n_')) {
		// Vtiger answers an operation it no longer knows with HTTP 500 and an empty body (lineItemsExtension.test.ts,
		// "the extension removed after n8n found it")
		return {
			message,
			description: `The n8n Connector extension did not answer: it was probably removed or is being updated in this CRM. Check the record, then run the item again. ${EXTENSION_REMEDY}`,
		};
	}
	return {
		message,
		description: `${CRASH_CAUSE} Open the record in the CRM and save it from its edit view to recompute the totals. ${WEB_UI_INSTEAD} Until n8n restarts, the node sends no further line item changes to this CRM.`,
	};
};

type Pager = (this: IExecutePaginationFunctions, requestData: Parameters<ExplainFailure>[1]) => Promise<INodeExecutionData[]>;

/** Update's and Replace's request: a change of line items goes through the CRM's gate (see lineWrites). */
export function gatedLineWrite(pager: Pager): Pager {
	return async function (this: IExecutePaginationFunctions, requestData) {
		if (!sentElement(requestData).includes('"LineItems"') || sentOperation(requestData).startsWith('n8n_')) {
			return await pager.call(this, requestData);
		}
		const key = await crmKey(this);
		for (;;) {
			const known = lineWrites.get(key);
			if (known?.state === 'works') {
				return await pager.call(this, requestData).catch((error: unknown) => {
					if (failureOf(error)?.kind === 'crash') lineWrites.set(key, { state: 'crashes' });
					throw error;
				});
			}
			if (known?.state === 'crashes') {
				throw new NodeOperationError(this.getNode(), 'Line Items: not sent – this Vtiger crashed on an earlier line item change and left that record without totals', {
					itemIndex: this.getItemIndex(),
					description: `${CRASH_CAUSE} ${WEB_UI_INSTEAD}`,
				});
			}
			if (known?.state === 'pilot') {
				await known.done;
				continue;
			}
			let finish = (): void => undefined;
			lineWrites.set(key, { state: 'pilot', done: new Promise<void>((resolve) => (finish = resolve)) });
			try {
				const items = await pager.call(this, requestData);
				lineWrites.set(key, { state: 'works' });
				return items;
			} catch (error) {
				const crashed = failureOf(error)?.kind === 'crash';
				if (crashed) lineWrites.set(key, { state: 'crashes' });
				else lineWrites.delete(key);
				if (!(error instanceof NodeApiError || error instanceof NodeOperationError)) {
					throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: this.getItemIndex() });
				}
				const known: NodeApiError | NodeOperationError = error;
				throw known;
			} finally {
				finish();
			}
		}
	};
}
