/**
 * VTQL engine of the Vtiger simulator: `query` and `query_related` as Vtiger 8.3.0 answers them.
 *
 * The pipeline is the real server's: module name by regex → VTQL lexer/parser (parser.ts) → SQL text
 * with the condition tokens pasted verbatim → MySQL semantics over the rows (sql.ts). Because the
 * pasting is modelled, a backslash in a VTQL string escapes the closing quote in "MySQL" exactly as
 * on a real server (04_query: `lastname = 'a\' or lastname = ') or 1=1 -- '` returned deleted rows
 * past the 100-row cap), so tests of a client's escaping prove something.
 *
 * Documented approximations:
 * - ORDER BY a field that lives in a table the SQL does not join gives an SQL error (no rows), as in
 *   04_query #12 (`order by mailingcity` on Contacts). A field counts as joined when it is selected
 *   (or `*`), used in WHERE, or is not a "secondary-table" field. Secondary-table fields are those
 *   with `secondary: true` in the schema, else by name: address blocks (mailing*, other*, bill_*,
 *   ship_*, Leads' lane/city/state/code/country/pobox), cf_* custom fields, and Contacts'
 *   contactsubdetails/customerdetails fields.
 * - Bare identifiers injected into the SQL resolve to field names (MySQL would want column names).
 * - Calendar/Events/Emails activity-type filters and user-specific tables are not modelled.
 * - Without ORDER BY rows come in crmid order (what the recordings show).
 */

import { compileSql, compare, SqlError, toNumber, type Getter, type SqlValue } from './sql';
import { parseVtql, VtqlLexError, VtqlSyntaxError, idPart, type VtqlParsed } from './parser';

export interface VtqlField {
	name: string;
	type: { name: string; refersTo?: string[] };
	/** optional: true when the field lives in a table the query only joins on demand */
	secondary?: boolean;
}
export interface VtqlModule {
	name: string;
	idPrefix: string;
	fields: VtqlField[];
}
export interface VtqlRow {
	crmid: number;
	deleted: boolean;
	values: Record<string, string | null>;
}
export interface VtqlContext {
	module(name: string): VtqlModule | undefined;
	/** for query_related: only the rows related to the record */
	rows(module: string): VtqlRow[];
	modulePrefixes(): Record<string, string>;
	/** optional: false when the module exists but is not in the user's listtypes */
	moduleAccessible?(name: string): boolean;
}
export type VtqlOutcome =
	| { kind: 'rows'; rows: Array<Record<string, string | null>> }
	| { kind: 'error'; code: string; message: string }
	| { kind: 'sqlError' };

export const MAX_ROWS = 100;

class Failure extends Error {
	constructor(
		readonly code: string,
		message: string,
	) {
		super(message);
	}
}

const SECONDARY_BY_NAME: RegExp[] = [
	/^(mailing|other)(street|city|state|zip|country|pobox)$/,
	/^(bill|ship)_(street|city|state|code|country|pobox)$/,
	/^cf_\d+$/,
];
const SECONDARY_BY_MODULE: Record<string, string[]> = {
	Contacts: ['homephone', 'otherphone', 'assistant', 'assistantphone', 'birthday', 'leadsource', 'portal', 'support_start_date', 'support_end_date'],
	Leads: ['lane', 'city', 'state', 'code', 'country', 'pobox'],
};

function isSecondary(module: VtqlModule, field: VtqlField): boolean {
	if (field.secondary !== undefined) return field.secondary;
	if (SECONDARY_BY_NAME.some((re) => re.test(field.name))) return true;
	return (SECONDARY_BY_MODULE[module.name] ?? []).includes(field.name);
}

const NUMERIC_TYPES = new Set(['integer', 'double', 'currency', 'boolean']);

/** PHP 8 `$v > 100` for a VTQL LIMIT token */
function capLimit(v: string): string {
	const numeric = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(v);
	if (numeric) return Number(v) > MAX_ROWS ? String(MAX_ROWS) : v;
	return v > String(MAX_ROWS) ? String(MAX_ROWS) : v;
}

interface Plan {
	module: VtqlModule;
	parsed: VtqlParsed;
	sql: string;
	joined: Set<string>;
	output: string[];
}

function buildSql(parsed: VtqlParsed, module: VtqlModule): Plan {
	const byName = new Map(module.fields.map((f) => [f.name, f]));
	// ProductTaxes, the one type whose describe has no `id`, refuses it too (lab: "Permission to access '.id.'")
	const hasId = module.name !== 'ProductTaxes';
	const known = (f: string): boolean => (f === 'id' && hasId) || byName.has(f);
	const table = `vtiger_${module.name.toLowerCase()}`;
	const ref = (f: string): string => (f === 'id' ? 'vtiger_crmentity.crmid' : `${table}.${f}`);
	const star = parsed.columns.includes('*');
	const count = parsed.columns.some((c) => c.toLowerCase() === 'count(*)');

	const joined = new Set<string>(['id']);
	for (const f of module.fields) if (star || !isSecondary(module, f)) joined.add(f.name);
	let output: string[] = [];
	if (star) {
		output = module.fields.map((f) => f.name);
		if (!output.includes('id') && hasId) output.push('id');
	} else if (!count) {
		for (const c of parsed.columns) {
			if (!known(c)) throw new Failure('ACCESS_DENIED', `Permission to access '.${c}.' attribute denied.`);
			joined.add(c);
			if (!output.includes(c)) output.push(c);
		}
	}

	let sql = '';
	const w = parsed.where;
	if (w) {
		if (w.names.length !== w.values.length || w.operators.length !== w.logical.length + 1) {
			throw new Failure('QUERY_SYNTAX_ERROR', 'columns data inappropriate');
		}
		for (const n of w.names) if (known(n)) joined.add(n);
		sql += '(';
		for (let i = 0; i < w.values.length; i++) {
			const field = w.names[i];
			if (!known(field)) throw new Failure('ACCESS_DENIED', `Permission to access ${field} attribute denied.`);
			const op = w.operators[i];
			const isLike = op.toLowerCase() === 'like';
			let value = w.values[i];
			const type = byName.get(field)?.type.name;
			if (type === 'reference') {
				if (Array.isArray(value)) {
					if (value.some((v) => !v.includes('x'))) throw new Failure('INVALID_ID_ATTRIBUTE', 'Id specified is incorrect');
					value = value.map(idPart);
				} else if (value.includes('x')) {
					value = isLike ? `'${idPart(value)}'` : idPart(value);
				} else {
					throw new Failure('INVALID_ID_ATTRIBUTE', 'Id specified is incorrect');
				}
			} else if (type === 'owner') {
				if (Array.isArray(value)) value = value.map(idPart);
				else value = isLike ? `'${idPart(value)}'` : idPart(value);
			}
			if (Array.isArray(value)) value = `(${value.join(',')})`;
			else if (op.toLowerCase() === 'in') value = `(${value})`;
			sql += `${ref(field)} ${op} ${value}`;
			if (i < w.values.length - 1) sql += ` ${w.logical[i]} `;
		}
		sql += ') AND ';
	}
	sql += ' vtiger_crmentity.deleted=0';
	if (parsed.orderBy.length > 0) {
		sql += ' ORDER BY ';
		sql += parsed.orderBy
			.map((f) => (!known(f) ? '.' : joined.has(f) ? ref(f) : `vtiger_unjoined.${f}`))
			.join(',');
		if (parsed.sortOrder) sql += ` ${parsed.sortOrder}`;
	}
	if (parsed.limit.length === 1) sql += ` LIMIT ${capLimit(parsed.limit[0])}`;
	else if (parsed.limit.length === 2) sql += ` LIMIT ${parsed.limit[0]},${capLimit(parsed.limit[1])}`;
	else sql += ` LIMIT ${MAX_ROWS}`;
	sql += ';';
	return { module, parsed, sql, joined, output };
}

function wsIdNumber(v: string | null | undefined): SqlValue {
	if (v === null || v === undefined || v === '') return null;
	const x = v.indexOf('x');
	return toNumber(x === -1 ? v : v.slice(x + 1));
}

function resolver(plan: Plan): (name: string, qualifier: string | undefined) => Getter<VtqlRow> | undefined {
	const types = new Map(plan.module.fields.map((f) => [f.name, f.type.name]));
	return (name, qualifier) => {
		if (qualifier !== undefined && !/^vtiger_/i.test(qualifier)) return undefined;
		if (qualifier !== undefined && /^vtiger_unjoined$/i.test(qualifier)) return undefined;
		if (name === 'crmid' || name === 'id') return (r) => r.crmid;
		if (name === 'deleted') return (r) => (r.deleted ? 1 : 0);
		const type = types.get(name);
		if (type === undefined || !plan.joined.has(name)) return undefined;
		if (type === 'reference' || type === 'owner') return (r) => wsIdNumber(r.values[name]);
		if (NUMERIC_TYPES.has(type)) {
			return (r) => {
				const v = r.values[name];
				return v === null || v === undefined || v === '' ? null : toNumber(v);
			};
		}
		return (r) => r.values[name] ?? null;
	};
}

function execute(plan: Plan, ctx: VtqlContext): VtqlOutcome {
	let compiled;
	try {
		compiled = compileSql(plan.sql, resolver(plan));
	} catch (e) {
		if (e instanceof SqlError) return { kind: 'sqlError' };
		throw e;
	}
	const rows = ctx.rows(plan.module.name);
	const offset = compiled.limit?.offset ?? 0;
	const count = compiled.limit?.count ?? Infinity;
	const keep = (r: VtqlRow): boolean => {
		const v = compiled.where(r);
		return v !== null && toNumber(v) !== 0;
	};
	let picked: VtqlRow[] = [];
	if (compiled.orderBy.length === 0) {
		const sorted = rows.every((r, i) => i === 0 || rows[i - 1].crmid <= r.crmid) ? rows : [...rows].sort((a, b) => a.crmid - b.crmid);
		let seen = 0;
		for (const r of sorted) {
			if (picked.length >= count) break;
			if (!keep(r)) continue;
			if (seen++ >= offset) picked.push(r);
		}
	} else {
		const matched = rows.filter(keep);
		const keys = matched.map((r) => compiled.orderBy.map((o) => o.get(r)));
		const idx = matched.map((_, i) => i);
		idx.sort((a, b) => {
			for (let k = 0; k < compiled.orderBy.length; k++) {
				const x = keys[a][k];
				const y = keys[b][k];
				let c: number;
				if (x === null || y === null) c = x === y ? 0 : x === null ? -1 : 1;
				else c = compare(x, y) ?? 0;
				if (c !== 0) return compiled.orderBy[k].desc ? -c : c;
			}
			return matched[a].crmid - matched[b].crmid;
		});
		picked = idx.slice(offset, offset + count).map((i) => matched[i]);
	}
	if (plan.parsed.columns.some((c) => c.toLowerCase() === 'count(*)')) {
		// 04_query: count(*) runs but the answer is always [] on 8.3.0
		return { kind: 'rows', rows: [] };
	}
	const prefix = plan.module.idPrefix;
	return {
		kind: 'rows',
		rows: picked.map((r) => {
			const o: Record<string, string | null> = {};
			for (const c of plan.output) o[c] = c === 'id' ? (r.values.id ?? `${prefix}x${r.crmid}`) : (r.values[c] ?? null);
			return o;
		}),
	};
}

function runQuery(query: string, ctx: VtqlContext): VtqlOutcome {
	const m = /[fF][rR][oO][mM][ \t\n\r\f\v]+([^ \t\n\r\f\v;]+)/.exec(query);
	if (!m) throw new Failure('ACCESS_DENIED', 'Permission to perform the operation is denied for query');
	const name = m[1].trim();
	if (!ctx.module(name)) throw new Failure('ACCESS_DENIED', `Permission to perform the operation is denied for name : ${name}`);
	if (ctx.moduleAccessible && !ctx.moduleAccessible(name)) {
		throw new Failure('ACCESS_DENIED', 'Permission to perform the operation is denied');
	}
	let module: VtqlModule | undefined;
	let parsed: VtqlParsed;
	try {
		parsed = parseVtql(query, (table) => {
			module = ctx.module(table);
			if (!module) throw new Failure('ACCESS_DENIED', `Permission to perform the operation is denied for name : ${table}`);
		});
	} catch (e) {
		if (e instanceof VtqlLexError) throw new Failure('INTERNAL_SERVER_ERROR', 'Unknown Error while processing request');
		if (e instanceof VtqlSyntaxError) throw new Failure('QUERY_SYNTAX_ERROR', e.message);
		throw e;
	}
	return execute(buildSql(parsed, module as VtqlModule), ctx);
}

/** The related module named by a query_related query (`FROM x`, first non-space run), as Vtiger reads it. */
export function relatedModuleOf(query: string): string | undefined {
	const m = /FROM\s+(\S+)/i.exec(query);
	return m ? m[1].trim() : undefined;
}

/**
 * The query vtws_query_related runs: ` WHERE id IN (…)` is appended when the text has no "where"
 * in any case, otherwise the text is split on upper-case `WHERE` only (07_other_ops: a lower-case
 * `where` yields "Unexpected WHERE(WHERE)"); then `;` is appended.
 */
export function rewriteRelatedQuery(query: string, relatedIds: string[]): string {
	const clause = `id IN ('${relatedIds.join("','")}')`;
	let q: string;
	if (query.toLowerCase().indexOf('where') <= 0) {
		q = `${query} WHERE ${clause}`;
	} else {
		const parts = query.split('WHERE');
		q = `${parts[0]} WHERE ${clause} AND ${parts[1] ?? ''}`;
	}
	return `${q};`;
}

function runRelated(query: string, ctx: VtqlContext): VtqlOutcome {
	const name = relatedModuleOf(query);
	const module = name === undefined ? undefined : ctx.module(name);
	if (!module) throw new Failure('UNKOWN_ENTITY', 'Relation specified is incorrect');
	const ids = ctx
		.rows(module.name)
		.filter((r) => !r.deleted)
		.map((r) => r.values.id ?? `${module.idPrefix}x${r.crmid}`);
	if (ids.length === 0) return { kind: 'rows', rows: [] };
	return runQuery(rewriteRelatedQuery(query, ids), ctx);
}

export function runVtql(query: string, ctx: VtqlContext, dialect: 'query' | 'query_related' = 'query'): VtqlOutcome {
	try {
		return dialect === 'query_related' ? runRelated(query, ctx) : runQuery(query, ctx);
	} catch (e) {
		if (e instanceof Failure) return { kind: 'error', code: e.code, message: e.message };
		throw e;
	}
}
