import type { VtigerField, VtigerModuleDescription } from '../../shared/describe';
import { findField, writableFields } from '../../shared/describe';

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

/** A field the Line Items parameters own on a module with line items: a line-level field or a computed total. */
export function isLineItemField(description: VtigerModuleDescription, name: string): boolean {
	return hasLineItems(description) && (LINE_LEVEL_FIELDS.includes(name) || COMPUTED_TOTAL_FIELDS.includes(name));
}

/** The fields a write's Fields mapper offers: the writable ones, without those the Line Items parameters own. */
export function headerFields(description: VtigerModuleDescription): VtigerField[] {
	return writableFields(description).filter((field) => !isLineItemField(description, field.name));
}
