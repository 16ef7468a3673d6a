import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';

import { failureOf } from '../webservice/errors';
import { VTIGER_CREDENTIAL_TYPE } from '../webservice/session';
import { vtigerApiRequest } from '../webservice/transport';
import { buildSelect, VTQL_PAGE_SIZE, withLimit } from '../records/vtql';

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
		results: rows.map((row) => ({ name: userName(row), value: String(row.id) })),
		paginationToken: rows.length === VTQL_PAGE_SIZE ? String(offset + VTQL_PAGE_SIZE) : undefined,
	};
}

/** Pages of users read for the owner choices: 1,000 users is more than a picker can show usefully. */
const OWNER_USER_PAGES = 10;

function userName(row: IDataObject): string {
	const name = [row.first_name, row.last_name].map((part) => String(part ?? '').trim()).filter(Boolean).join(' ');
	const login = String(row.user_name ?? '');
	return name ? `${name} (${login})` : login || String(row.id);
}

async function activeUsers(ctx: ILoadOptionsFunctions): Promise<IDataObject[]> {
	const statement = buildSelect({ module: 'Users', fields: ['user_name', 'first_name', 'last_name', 'status'] });
	const users: IDataObject[] = [];
	for (let page = 0; page < OWNER_USER_PAGES; page++) {
		const rows = ((await vtigerApiRequest.call(ctx, 'query', {
			query: withLimit(statement, page * VTQL_PAGE_SIZE, VTQL_PAGE_SIZE),
		})) ?? []) as IDataObject[];
		users.push(...rows.filter((row) => String(row.status ?? 'Active') === 'Active'));
		if (rows.length < VTQL_PAGE_SIZE) break;
	}
	return users;
}

/** The user the credential logs in as: the login's userId, which the credential keeps (or extendsession's). */
export async function credentialUserId(ctx: ILoadOptionsFunctions): Promise<string> {
	const credentials = await ctx.getCredentials(VTIGER_CREDENTIAL_TYPE);
	const stored = String(credentials.userId ?? '');
	if (stored) return stored;
	const session = ((await vtigerApiRequest.call(ctx, 'extendsession', {})) ?? {}) as IDataObject;
	return String(session.userId ?? '');
}

/**
 * The credential's own user record; a non-admin may not retrieve it either (ACCESS_DENIED for its own record:
 * test/engine/webservice/session.test.ts, "a non-admin on a credential that never logged in"): then the login name stands for it.
 */
async function ownUserRecord(ctx: ILoadOptionsFunctions, ownId: string): Promise<IDataObject> {
	const own = await vtigerApiRequest.call(ctx, 'retrieve', { id: ownId }).catch(async (error: unknown) =>
		failureOf(error)?.code === 'ACCESS_DENIED' ? null : await Promise.reject(error),
	);
	if (own) return own as IDataObject;
	const credentials = await ctx.getCredentials(VTIGER_CREDENTIAL_TYPE);
	return { id: ownId, user_name: String(credentials.username ?? '') };
}

/**
 * Who can own a record: the CRM's active users, then its groups, names shown and ids as values, the
 * credential's own user first. A non-admin may not query Users (ACCESS_DENIED: test/engine/record/calendar.test.ts), nor
 * retrieve itself, but may query Groups.
 */
export async function ownerOptions(ctx: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const ownId = await credentialUserId(ctx);
	// a non-admin's Users query: ACCESS_DENIED, then only itself
	const listed = await activeUsers(ctx).catch(async (error: unknown) =>
		failureOf(error)?.code === 'ACCESS_DENIED' && ownId ? undefined : await Promise.reject(error),
	);
	const users = listed ?? [await ownUserRecord(ctx, ownId)];
	const groups = ((await vtigerApiRequest.call(ctx, 'query', {
		query: withLimit(buildSelect({ module: 'Groups', fields: ['groupname'] }), 0, VTQL_PAGE_SIZE),
	})) ?? []) as IDataObject[];
	const own = users.filter((row) => String(row.id) === ownId);
	const others = users
		.filter((row) => String(row.id) !== ownId)
		.map((row) => ({ name: userName(row), value: String(row.id) }))
		.sort((a, b) => a.name.localeCompare(b.name));
	return [
		...own.map((row) => ({ name: `${userName(row)} (you)`, value: String(row.id) })),
		...others,
		...groups
			.map((row) => ({ name: `${String(row.groupname ?? row.id)} (group)`, value: String(row.id) }))
			.sort((a, b) => a.name.localeCompare(b.name)),
	];
}

/** Who can own a record, as the choices of an Assigned To parameter (Upload File). */
export async function getOwners(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await ownerOptions(this);
}
