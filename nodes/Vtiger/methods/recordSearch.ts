import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { describeModule, labelFieldsOf } from '../records/describe';
import { recordUrl } from '../records/ids';
import { VTIGER_CREDENTIAL_TYPE } from '../webservice/session';
import { vtigerApiRequest } from '../webservice/transport';
import { normalizeBaseUrl } from '../webservice/url';
import { buildSelect, VTQL_PAGE_SIZE, withLimit } from '../records/vtql';

/** Records of a module by their label fields (describe → labelFields), 100 a page: the record pickers' list. */
export async function searchModuleRecords(
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
		// without label fields every column: ProductTaxes refuses even `SELECT id` (ACCESS_DENIED: test/engine/node/methods.test.ts)
		fields: labelFields,
		conditions: text
			? labelFields.map((field) => ({ field, operator: 'LIKE' as const, value: `%${text}%` }))
			: [],
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
