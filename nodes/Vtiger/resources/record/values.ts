import type { IDataObject, IExecuteSingleFunctions } from 'n8n-workflow';

import type { VtigerModuleDescription } from '../../shared/describe';
import { findField } from '../../shared/describe';
import { FieldValueError, fieldDisplayName, toVtigerElement } from '../../shared/fields';
import { inputError } from '../../shared/input';
import { isLineItemField } from '../lineItems/inventory';

/**
 * The field values of a write in Vtiger's formats. "Map Automatically" takes the input item's keys
 * that are fields of the module, except those the Line Items parameters own (an item from Get carries
 * the computed totals); "Map Each Field Below" refuses a field the module does not have and those.
 */
export function elementFromMapper(ctx: IExecuteSingleFunctions, description: VtigerModuleDescription): IDataObject {
	const mode = ctx.getNodeParameter('columns.mappingMode', 'defineBelow') as string;
	let values: IDataObject;
	if (mode === 'autoMapInputData') {
		const input = ctx.getInputData().json;
		values = {};
		for (const [key, value] of Object.entries(input)) {
			if (findField(description, key) && !isLineItemField(description, key)) values[key] = value;
		}
	} else {
		values = (ctx.getNodeParameter('columns.value', {}) ?? {}) as IDataObject;
		const owned = Object.keys(values).find((key) => values[key] !== undefined && values[key] !== null && isLineItemField(description, key));
		if (owned) {
			const field = findField(description, owned);
			throw inputError(
				ctx,
				`Fields › ${field ? fieldDisplayName(description, field) : owned}`,
				`"${owned}" belongs to the line items of ${description.label}: use Line Items and Line Item Totals`,
			);
		}
	}
	try {
		return toVtigerElement(description, values);
	} catch (error) {
		const fieldName = error instanceof FieldValueError ? error.field : '';
		const field = findField(description, fieldName);
		const name = field ? fieldDisplayName(description, field) : fieldName || 'Fields';
		throw inputError(ctx, fieldName ? `Fields › ${name}` : name, (error as Error).message);
	}
}
