import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { describeModule } from '../records/describe';
import { fieldDisplayName } from '../records/fields';
import { chosenModule } from './context';
import { byName, listTypes, moduleOptionName } from './moduleNames';

async function moduleOptions(ctx: ILoadOptionsFunctions, entitiesOnly: boolean): Promise<INodePropertyOptions[]> {
	const types = await listTypes(ctx);
	const information = types.information ?? {};
	return (types.types ?? [])
		.filter((name) => !entitiesOnly || information[name]?.isEntity !== false)
		.map((name) => ({ name: moduleOptionName(name, types), value: name }))
		.sort(byName);
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

