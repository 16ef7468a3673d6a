import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { vtigerApiRequest } from '../shared/transport';
import { VTQL_PAGE_SIZE, withLimit } from '../shared/vtql';

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

/** Products and services for line items: "Name (Product)" / "Name (Service)", value the record ID. */
export async function getProductsAndServices(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const options: INodePropertyOptions[] = [];
	for (const [module, field, kind] of [
		['Products', 'productname', 'Product'],
		['Services', 'servicename', 'Service'],
	] as const) {
		let rows: IDataObject[];
		try {
			rows = await allRows(this, `SELECT ${field}, unit_price FROM ${module}`, MAX_CATALOG);
		} catch {
			// a CRM without the Services module (or no access to it) still lists its products
			continue;
		}
		for (const row of rows) {
			const price = Number(row.unit_price);
			options.push({
				name: `${String(row[field] ?? row.id)} (${kind})`,
				value: String(row.id),
				description: Number.isFinite(price) ? `${kind} ${String(row.id)}, unit price ${price.toFixed(2)}` : `${kind} ${String(row.id)}`,
			});
		}
	}
	return options.sort((a, b) => a.name.localeCompare(b.name));
}

/** The CRM's currencies (`SELECT * FROM Currency`, 04_query.jsonl). */
export async function getCurrencies(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const rows = await allRows(this, 'SELECT * FROM Currency', MAX_CATALOG);
	return rows.map((row) => ({
		name: `${String(row.currency_name ?? row.id)} (${String(row.currency_code ?? '')})`,
		value: String(row.id),
	}));
}
