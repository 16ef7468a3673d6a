/** Building VTQL (Vtiger's query language) from user input. */

export const VTQL_OPERATORS = ['=', '!=', '<', '>', '<=', '>=', 'LIKE', 'IN'] as const;
export type VtqlOperator = (typeof VTQL_OPERATORS)[number];

/** Vtiger answers at most this many rows per `query`, whatever LIMIT says (04_query.jsonl). */
export const VTQL_PAGE_SIZE = 100;

export interface VtqlCondition {
	field: string;
	operator: VtqlOperator;
	/** One value, or several for IN. */
	value: string | string[];
}

export interface VtqlSelect {
	module: string;
	/** Columns to return; empty means `*`. */
	fields?: string[];
	conditions?: VtqlCondition[];
	combine?: 'AND' | 'OR';
	orderBy?: { field: string; direction: 'ASC' | 'DESC' };
}

/** Thrown for input VTQL cannot express; callers turn it into a NodeOperationError. */
export class VtqlInputError extends Error {}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isVtqlIdentifier(name: string): boolean {
	return IDENTIFIER.test(name);
}

/**
 * A VTQL string literal. Vtiger pastes the value into SQL: a quote is escaped by doubling it, and a
 * backslash stays live in MySQL, so `'a\'` let a value escape its quotes and return deleted records
 * (04_query.jsonl, "INJECTION"). Both are doubled. The empty literal `''` makes Vtiger answer
 * INTERNAL_SERVER_ERROR (04_query.jsonl, "empty string literal"), so it is refused here.
 */
export function quoteVtql(value: string): string {
	if (value === '') {
		throw new VtqlInputError(
			'Vtiger cannot compare with an empty value: its query language has no way to write an empty string (Vtiger answers INTERNAL_SERVER_ERROR) and no IS NULL',
		);
	}
	return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function conditionToVtql(condition: VtqlCondition): string {
	if (!isVtqlIdentifier(condition.field)) {
		throw new VtqlInputError(`"${condition.field}" is not a field name`);
	}
	if (condition.operator === 'IN') {
		const values = Array.isArray(condition.value) ? condition.value : [condition.value];
		if (values.length === 0) {
			throw new VtqlInputError(`The IN list for "${condition.field}" is empty`);
		}
		return `${condition.field} IN (${values.map(quoteVtql).join(',')})`;
	}
	if (!(VTQL_OPERATORS as readonly string[]).includes(condition.operator)) {
		throw new VtqlInputError(`"${String(condition.operator)}" is not a VTQL operator`);
	}
	const value = Array.isArray(condition.value) ? condition.value.join(',') : condition.value;
	return `${condition.field} ${condition.operator} ${quoteVtql(value)}`;
}

/** `SELECT … FROM … [WHERE …] [ORDER BY …]` without LIMIT and without the closing `;`. */
export function buildSelect(select: VtqlSelect): string {
	if (!isVtqlIdentifier(select.module)) {
		throw new VtqlInputError(`"${select.module}" is not a module name`);
	}
	const fields = select.fields?.length ? select.fields : ['*'];
	for (const field of fields) {
		if (field !== '*' && !isVtqlIdentifier(field)) {
			throw new VtqlInputError(`"${field}" is not a field name`);
		}
	}
	let statement = `SELECT ${fields.join(', ')} FROM ${select.module}`;
	if (select.conditions?.length) {
		// VTQL reads conditions left to right and has no parentheses (04_query.jsonl), so one joiner only.
		const joiner = select.combine === 'OR' ? ' OR ' : ' AND ';
		statement += ` WHERE ${select.conditions.map(conditionToVtql).join(joiner)}`;
	}
	if (select.orderBy) {
		if (!isVtqlIdentifier(select.orderBy.field)) {
			throw new VtqlInputError(`"${select.orderBy.field}" is not a field name`);
		}
		statement += ` ORDER BY ${select.orderBy.field} ${select.orderBy.direction === 'DESC' ? 'DESC' : 'ASC'}`;
	}
	return statement;
}

/** A statement with its page: VTQL requires the trailing `;` (04_query.jsonl). */
export function withLimit(statement: string, offset: number, count: number): string {
	return `${statement} LIMIT ${offset}, ${count};`;
}

const TRAILING_LIMIT = /\s+LIMIT\s+(\d+)\s*(?:,\s*(\d+))?\s*$/i;

/** The user's statement without the closing `;` and its own trailing LIMIT (for Return All). */
export function splitUserQuery(query: string): {
	statement: string;
	limit?: { offset: number; count: number };
} {
	const statement = query.trim().replace(/;\s*$/, '').trimEnd();
	const match = TRAILING_LIMIT.exec(statement);
	if (!match) return { statement };
	const offset = match[2] === undefined ? 0 : Number(match[1]);
	const count = Number(match[2] ?? match[1]);
	return { statement: statement.slice(0, match.index), limit: { offset, count } };
}

/** The user's statement as Vtiger needs it: exactly one trailing `;`. */
export function terminate(query: string): string {
	return `${query.trim().replace(/;\s*$/, '').trimEnd()};`;
}

/** The module a raw `SELECT … FROM Module …` reads, if it can be seen. */
export function moduleOfQuery(query: string): string | undefined {
	return /\bFROM\s+([A-Za-z_][A-Za-z0-9_]*)/i.exec(query)?.[1];
}
