import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { vtigerApiRequest } from '../shared/transport';
import { buildSelect, VTQL_PAGE_SIZE, withLimit } from '../shared/vtql';

/** CRM users by user name, first or last name (`SELECT … FROM Users`, 04_query.jsonl), 100 a page. */
export async function searchUsers(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const text = (filter ?? '').trim();
	const fields = ['user_name', 'first_name', 'last_name'];
	const statement = buildSelect({
		module: 'Users',
		fields: [...fields, 'status'],
		conditions: text ? fields.map((field) => ({ field, operator: 'LIKE' as const, value: `%${text}%` })) : [],
		combine: 'OR',
	});
	const offset = Number(paginationToken ?? 0) || 0;
	const rows = ((await vtigerApiRequest.call(this, 'query', {
		query: withLimit(statement, offset, VTQL_PAGE_SIZE),
	})) ?? []) as IDataObject[];
	return {
		results: rows.map((row) => {
			const name = [row.first_name, row.last_name].map((part) => String(part ?? '').trim()).filter(Boolean).join(' ');
			const login = String(row.user_name ?? '');
			return { name: name ? `${name} (${login})` : login || String(row.id), value: String(row.id) };
		}),
		paginationToken: rows.length === VTQL_PAGE_SIZE ? String(offset + VTQL_PAGE_SIZE) : undefined,
	};
}
