import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { describeModule } from '../shared/describe';
import { fieldDisplayName } from '../shared/fields';
import { vtigerApiRequest } from '../shared/transport';
import { chosenModule } from './context';

interface ListTypes {
	types?: string[];
	information?: Record<string, { label?: string; singular?: string; isEntity?: boolean }>;
}

async function moduleOptions(ctx: ILoadOptionsFunctions, entitiesOnly: boolean): Promise<INodePropertyOptions[]> {
	const answer = ((await vtigerApiRequest.call(ctx, 'listtypes')) ?? {}) as ListTypes;
	const information = answer.information ?? {};
	return (answer.types ?? [])
		.filter((name) => !entitiesOnly || information[name]?.isEntity !== false)
		.map((name) => {
			const label = information[name]?.label || name;
			return {
				name: label === name ? label : `${label} (${name})`,
				value: name,
			};
		})
		.sort((a, b) => a.name.localeCompare(b.name));
}

/** Entity modules (records), custom modules included, shown by their labels. */
export async function getModules(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await moduleOptions(this, true);
}

/** Every module `listtypes` names, Groups, Currency and the other non-entity ones too. */
export async function getAllModules(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await moduleOptions(this, false);
}

/** The chosen module's fields (from describe), for filters, sorting and fields to return. */
export async function getFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const module = chosenModule(this);
	if (!module) return [];
	const description = await describeModule(this, module);
	return description.fields
		.map((field) => ({
			name: fieldDisplayName(description, field),
			value: field.name,
			description: `${field.name} (${field.type.name}${field.type.refersTo?.length ? `: ${field.type.refersTo.join(', ')}` : ''})`,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

