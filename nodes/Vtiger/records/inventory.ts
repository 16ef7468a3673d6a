import type { VtigerField, VtigerModuleDescription } from './describe';
import { findField, writableFields } from './describe';

/** Quotes, Invoice, SalesOrder and PurchaseOrder (VtigerInventoryOperation in operations.txt). */
export const INVENTORY_MODULES: readonly string[] = ['Quotes', 'Invoice', 'SalesOrder', 'PurchaseOrder'];

/** Line-level fields that describe lists among an inventory module's header fields (10_describe_all.jsonl). */
export const LINE_LEVEL_FIELDS: readonly string[] = [
	'productid',
	'quantity',
	'listprice',
	'comment',
	'discount_amount',
	'discount_percent',
	'tax1',
	'tax2',
	'tax3',
];

/** A module with line items: a known inventory module, or one whose describe has the line and tax-mode fields. */
export function hasLineItems(description: VtigerModuleDescription): boolean {
	if (INVENTORY_MODULES.includes(description.name)) return true;
	return ['productid', 'quantity', 'listprice', 'hdnTaxType'].every((name) => findField(description, name) !== undefined);
}

/** Header totals Vtiger computes from the lines (README, SalesPlatform section: answers carry them computed). */
export const COMPUTED_TOTAL_FIELDS: readonly string[] = ['hdnSubTotal', 'hdnGrandTotal', 'pre_tax_total'];

/**
 * Header values the totals are computed from: Vtiger applies them only while it writes the lines. A revise
 * without LineItems ignores the discounts and stores adjustment, shipping and tax mode without recomputing the
 * totals (adjustment 3 and S&H 4 left a grand total of 50; hdnDiscountAmount '' even crashes PHP 8: test/engine/
 * record/lineItems.test.ts, "Line Item Totals without Line Items are refused"), so they belong to the Line Item Totals parameters, sent together with lines.
 */
export const TOTALS_INPUT_FIELDS: readonly string[] = ['hdnDiscountPercent', 'hdnDiscountAmount', 'txtAdjustment', 'hdnS_H_Amount', 'hdnTaxType'];

/** A field the Line Items parameters own on a module with line items: a line-level field or a total or its input. */
export function isLineItemField(description: VtigerModuleDescription, name: string): boolean {
	return (
		hasLineItems(description) &&
		(LINE_LEVEL_FIELDS.includes(name) || COMPUTED_TOTAL_FIELDS.includes(name) || TOTALS_INPUT_FIELDS.includes(name))
	);
}

/** The fields a write's Fields mapper offers: the writable ones, without those the Line Items parameters own. */
export function headerFields(description: VtigerModuleDescription): VtigerField[] {
	return writableFields(description).filter((field) => !isLineItemField(description, field.name));
}
