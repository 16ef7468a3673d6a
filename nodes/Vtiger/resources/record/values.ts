import type { IDataObject, IExecuteSingleFunctions } from 'n8n-workflow';

import type { VtigerModuleDescription } from '../../records/describe';
import { findField } from '../../records/describe';
import { FieldValueError, fieldDisplayName, toVtigerElement, writeLabel } from '../../records/fields';
import { inputError } from '../../records/input';
import { isLineItemField } from '../../records/inventory';

const DATE_KINDS = ['date', 'datetime'];

/**
 * The mapper's dates and date-times as written (text, or an expression's result), before n8n parses them:
 * n8n turns a date-time field's text into a date in the workflow's zone, which would read Vtiger's own
 * UTC `2026-01-15 10:00:00` (Start mapped from a record Get returned) as the workflow's wall clock
 * (time.roundTrip.test.ts, "the mapper reads Vtiger's own text as UTC").
 */
function dateTexts(ctx: IExecuteSingleFunctions, description: VtigerModuleDescription): IDataObject {
	const raw = (ctx.getNodeParameter('columns.value', {}, { skipValidation: true }) ?? {}) as IDataObject;
	const texts: IDataObject = {};
	for (const [name, value] of Object.entries(raw)) {
		if (DATE_KINDS.includes(findField(description, name)?.type.name ?? '')) texts[name] = value;
	}
	return texts;
}

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
		values = { ...((ctx.getNodeParameter('columns.value', {}) ?? {}) as IDataObject), ...dateTexts(ctx, description) };
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
		return toVtigerElement(description, values, ctx.getTimezone());
	} catch (error) {
		const fieldName = error instanceof FieldValueError ? error.field : '';
		const field = findField(description, fieldName);
		const name = field ? writeLabel(description, field) : fieldName || 'Fields';
		throw inputError(ctx, fieldName ? `Fields › ${name}` : name, (error as Error).message);
	}
}

/** The activity type that makes a Calendar record a task (vtws_getCalendarEntityType in include/Webservices/Utils.php). */
const TASK = 'Task';

/**
 * A Calendar record is a task only when its activity type is "Task": Calendar's `create` without it
 * makes an Event whose returned 9x… id Get cannot read (INVALID_ID_ATTRIBUTE; only 18x… works):
 * test/live/calendar-activities.live.test.ts, "Vtiger itself: Calendar create without activitytype". Calendar writes therefore say "Task"; a call or meeting belongs to Events.
 */
export function asCalendarTask(ctx: IExecuteSingleFunctions, description: VtigerModuleDescription, element: IDataObject): IDataObject {
	if (description.name !== 'Calendar') return element;
	const type = String(element.activitytype ?? '').trim();
	if (type !== '' && type !== TASK) {
		throw inputError(
			ctx,
			'Fields › Activity Type',
			`Calendar holds tasks; a "${type}" is an event: choose the module Events for it`,
		);
	}
	return { ...element, activitytype: TASK };
}
