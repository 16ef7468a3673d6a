import type { ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';

import { encodeRelation, relationsOf } from '../records/relation';
import { chosenModule } from './context';
import { byName, listTypes, moduleOptionName } from './moduleNames';
import { searchModuleRecords } from './recordSearch';

/** Letters only, lower case, without a plural s: "Sales Order", "SalesOrder" and "Sales Orders" are alike. */
function comparable(text: string): string {
	return text.toLowerCase().replace(/[^a-z0-9]/g, '').replace(/s$/, '');
}

/**
 * The chosen module's related lists, named and sorted like the module picker ("Opportunities
 * (Potentials)"); a list whose label says more than its module keeps it in front ("Activity History –
 * Calendar"). Value "Module:Label".
 */
export async function getRelations(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const module = chosenModule(this);
	if (!module) return [];
	const [relations, types] = await Promise.all([relationsOf(this, module), listTypes(this)]);
	return relations
		.map((relation) => {
			const moduleName = moduleOptionName(relation.module, types);
			const moduleLabel = types.information?.[relation.module]?.label ?? relation.module;
			const same = [relation.module, moduleLabel].some((name) => comparable(name) === comparable(relation.label));
			return { name: same ? moduleName : `${relation.label} – ${moduleName}`, value: encodeRelation(relation) };
		})
		.sort(byName);
}

function chosenRelatedModule(ctx: ILoadOptionsFunctions): string {
	const value = ctx.getCurrentNodeParameter('relation') ?? ctx.getNodeParameter('relation', '');
	const text = typeof value === 'string' ? value.trim() : '';
	const colon = text.indexOf(':');
	return colon > 0 ? text.slice(0, colon) : text;
}

/** Records of the chosen relation's module, by their label fields, 100 a page. */
export async function searchRelatedRecords(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const module = chosenRelatedModule(this);
	if (!module) return { results: [] };
	return await searchModuleRecords(this, module, filter, paginationToken);
}

/** Documents, for Download File. */
export async function searchDocuments(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchModuleRecords(this, 'Documents', filter, paginationToken);
}

/** Leads, for Convert Lead. */
export async function searchLeads(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchModuleRecords(this, 'Leads', filter, paginationToken);
}
