import type { ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';

import { encodeRelation, relationsOf } from '../resources/related/relation';
import { chosenModule } from './context';
import { searchModuleRecords } from './recordSearch';

/** The chosen module's related lists: "Label (Module)", value "Module:Label". */
export async function getRelations(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const module = chosenModule(this);
	if (!module) return [];
	const relations = await relationsOf(this, module);
	return relations.map((relation) => ({
		name: relation.label === relation.module ? relation.label : `${relation.label} (${relation.module})`,
		value: encodeRelation(relation),
	}));
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
