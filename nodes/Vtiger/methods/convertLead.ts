import type { ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import { describeModule, writableFields } from '../records/describe';
import { fieldDisplayName, n8nFieldType } from '../records/fields';

/** Fields of a module a converted lead creates; none required, Vtiger fills them from the lead's mapping. */
async function convertFields(ctx: ILoadOptionsFunctions, module: string): Promise<ResourceMapperFields> {
	const description = await describeModule(ctx, module);
	const fields = writableFields(description)
		.filter((field) => field.type.name !== 'owner')
		.map((field): ResourceMapperField => {
			const type = n8nFieldType(field);
			const mapped: ResourceMapperField = {
				id: field.name,
				displayName: fieldDisplayName(description, field),
				required: false,
				defaultMatch: false,
				canBeUsedToMatch: false,
				display: true,
				type,
			};
			if (type === 'options') {
				mapped.options = (field.type.picklistValues ?? []).map((entry) => ({ name: entry.label || entry.value, value: entry.value }));
			}
			return mapped;
		});
	return { fields };
}

export async function getConvertOrganizationFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	return await convertFields(this, 'Accounts');
}

export async function getConvertContactFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	return await convertFields(this, 'Contacts');
}

export async function getConvertOpportunityFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	return await convertFields(this, 'Potentials');
}
