import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';

import { describeModule, labelFieldsOf } from '../shared/describe';
import { recordUrl } from '../shared/ids';
import { VTIGER_CREDENTIAL_TYPE } from '../shared/session';
import { vtigerApiRequest } from '../shared/transport';
import { normalizeBaseUrl } from '../shared/url';
import { buildSelect, VTQL_PAGE_SIZE, withLimit } from '../shared/vtql';
import { encodeRelation, relationsOf } from '../resources/related/relation';
import { chosenModule } from './context';

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
	return await searchModule(this, module, filter, paginationToken);
}

async function searchModule(
	ctx: ILoadOptionsFunctions,
	module: string,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const description = await describeModule(ctx, module);
	const labelFields = labelFieldsOf(description);
	const text = (filter ?? '').trim();
	const statement = buildSelect({
		module: description.name,
		fields: labelFields.length ? labelFields : ['id'],
		conditions: text ? labelFields.map((field) => ({ field, operator: 'LIKE' as const, value: `%${text}%` })) : [],
		combine: 'OR',
	});
	const offset = Number(paginationToken ?? 0) || 0;
	const rows = ((await vtigerApiRequest.call(ctx, 'query', {
		query: withLimit(statement, offset, VTQL_PAGE_SIZE),
	})) ?? []) as IDataObject[];
	const credentials = await ctx.getCredentials(VTIGER_CREDENTIAL_TYPE);
	const base = normalizeBaseUrl(credentials.url);
	return {
		results: rows.map((row) => {
			const id = String(row.id);
			const label = labelFields
				.map((field) => String(row[field] ?? '').trim())
				.filter((part) => part !== '')
				.join(' ');
			return { name: label || id, value: id, url: recordUrl(base, description.name, id) };
		}),
		paginationToken: rows.length === VTQL_PAGE_SIZE ? String(offset + VTQL_PAGE_SIZE) : undefined,
	};
}

/** Documents, for Download File. */
export async function searchDocuments(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchModule(this, 'Documents', filter, paginationToken);
}

/** Leads, for Convert Lead. */
export async function searchLeads(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await searchModule(this, 'Leads', filter, paginationToken);
}
