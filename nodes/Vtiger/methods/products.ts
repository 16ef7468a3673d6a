import type { IDataObject, ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';

import { vtigerApiRequest } from '../webservice/transport';
import { VTQL_PAGE_SIZE, withLimit } from '../records/vtql';
import { searchModuleRecords } from './recordSearch';

/** Every row of a statement, 100 a page (Vtiger's cap, 04_query.jsonl), up to `max`. */
async function allRows(ctx: ILoadOptionsFunctions, statement: string, max: number): Promise<IDataObject[]> {
	const rows: IDataObject[] = [];
	for (let offset = 0; rows.length < max; offset += VTQL_PAGE_SIZE) {
		const page = ((await vtigerApiRequest.call(ctx, 'query', { query: withLimit(statement, offset, VTQL_PAGE_SIZE) })) ??
			[]) as IDataObject[];
		rows.push(...page);
		if (page.length < VTQL_PAGE_SIZE) break;
	}
	return rows;
}

const MAX_CATALOG = 2000;

const CATALOGUE = [
	{ module: 'Products', kind: 'Product' },
	{ module: 'Services', kind: 'Service' },
] as const;

/**
 * Line Items › Product or Service: products, then services, by name (100 a page, searchable), "Name (Product)" /
 * "Name (Service)", value the record ID. A catalogue can hold thousands, so it is searched, not loaded.
 * The page token is "<index in CATALOGUE>:<offset>".
 */
export async function searchProductsAndServices(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const [startModule, startOffset] = (paginationToken ?? '0:0').split(':').map((part) => Number(part) || 0);
	const results: INodeListSearchItems[] = [];
	for (let index = startModule; index < CATALOGUE.length; index++) {
		const { module, kind } = CATALOGUE[index];
		const offset = index === startModule ? startOffset : 0;
		let page: INodeListSearchResult;
		try {
			page = await searchModuleRecords(this, module, filter, String(offset));
		} catch {
			// a CRM without the Services module (or no access to it) still lists its products
			continue;
		}
		results.push(...page.results.map((item) => ({ ...item, name: `${item.name} (${kind})` })));
		if (page.paginationToken !== undefined) return { results, paginationToken: `${index}:${page.paginationToken}` };
	}
	return { results };
}

/** The CRM's currencies (`SELECT * FROM Currency`, 04_query.jsonl). */
export async function getCurrencies(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const rows = await allRows(this, 'SELECT * FROM Currency', MAX_CATALOG);
	return rows.map((row) => ({
		name: `${String(row.currency_name ?? row.id)} (${String(row.currency_code ?? '')})`,
		value: String(row.id),
	}));
}
