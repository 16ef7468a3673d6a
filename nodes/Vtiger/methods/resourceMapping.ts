import type { ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import type { VtigerField, VtigerModuleDescription } from '../shared/describe';
import { describeModule } from '../shared/describe';
import { fieldDisplayName, n8nFieldType } from '../shared/fields';
import { headerFields } from '../resources/lineItems/inventory';
import { chosenModule } from './context';

/** Reference and owner fields say which IDs they take, since the mapper has no hint line. */
function mapperLabel(description: VtigerModuleDescription, field: VtigerField): string {
	const label = fieldDisplayName(description, field);
	if (field.type.name === 'owner') return `${label} (ID of a User 19x… or Group 20x…)`;
	if (field.type.name === 'reference' && field.type.refersTo?.length) {
		return `${label} (ID of ${field.type.refersTo.join(', ')})`;
	}
	if (field.type.name === 'multipicklist' && field.type.picklistValues?.length) {
		return `${label} (any of: ${field.type.picklistValues.map((entry) => entry.value).join(', ')})`;
	}
	return label;
}

function toMapperField(description: VtigerModuleDescription, field: VtigerField, requireMandatory: boolean): ResourceMapperField {
	const type = n8nFieldType(field);
	const mapped: ResourceMapperField = {
		id: field.name,
		displayName: mapperLabel(description, field),
		required: requireMandatory && field.mandatory,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		type,
	};
	if (type === 'options') {
		mapped.options = (field.type.picklistValues ?? []).map((entry) => ({
			name: entry.label || entry.value,
			value: entry.value,
		}));
	}
	return mapped;
}

async function mapperFields(ctx: ILoadOptionsFunctions, requireMandatory: boolean): Promise<ResourceMapperFields> {
	const module = chosenModule(ctx);
	if (!module) return { fields: [], emptyFieldsNotice: 'Choose a module first' };
	const description = await describeModule(ctx, module);
	const fields = headerFields(description).map((field) => toMapperField(description, field, requireMandatory));
	return fields.length ? { fields } : { fields, emptyFieldsNotice: `${description.label} has no fields you can write` };
}

/**
 * Create: every writable field of the module, mandatory ones required; read-only ones left out, and so are
 * the line-level fields and computed totals of a module with line items (the Line Items parameters).
 */
export async function getCreateFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	return await mapperFields(this, true);
}

/** Update and Replace: the same fields, none required (unchanged ones keep their values). */
export async function getUpdateFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	return await mapperFields(this, false);
}
