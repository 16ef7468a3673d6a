import type { VtigerModuleDescription } from '../../shared/describe';
import { findField } from '../../shared/describe';

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
