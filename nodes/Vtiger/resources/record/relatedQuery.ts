import type { VtigerModuleDescription } from '../../records/describe';
import { moduleOfQuery, splitUserQuery } from '../../records/vtql';
import { alwaysTrueCondition } from '../../records/relation';

/** Thrown for a statement query_related cannot run; callers name the parameter. */
export class RelatedQueryError extends Error {}

interface Keyword {
	word: string;
	at: number;
	length: number;
}

/** Keywords outside string literals ('' and \' stay inside a literal). */
function keywords(statement: string): { found: Keyword[]; literals: string[] } {
	const found: Keyword[] = [];
	const literals: string[] = [];
	const pattern = /\b(where|order\s+by|limit)\b/iy;
	let index = 0;
	while (index < statement.length) {
		const char = statement[index];
		if (char === "'") {
			let end = index + 1;
			while (end < statement.length) {
				if (statement[end] === '\\') end += 2;
				else if (statement[end] === "'" && statement[end + 1] === "'") end += 2;
				else if (statement[end] === "'") break;
				else end++;
			}
			literals.push(statement.slice(index, end + 1));
			index = end + 1;
			continue;
		}
		pattern.lastIndex = index;
		const match = index === 0 || /\W/.test(statement[index - 1]) ? pattern.exec(statement) : null;
		if (match) {
			found.push({ word: match[1].toLowerCase().replace(/\s+/g, ' '), at: index, length: match[0].length });
			index += match[0].length;
			continue;
		}
		index++;
	}
	return { found, literals };
}

/**
 * A statement as vtws_query_related needs it (07_other_ops_patched_8081.jsonl, QueryRelated.php):
 * no trailing `;` (it appends one), `WHERE` in capitals (it splits the text on exactly "WHERE"),
 * and a WHERE before any ORDER BY or LIMIT (without one it appends its own `WHERE id IN (…)` at
 * the very end). With `page`, the statement's own LIMIT is replaced by `LIMIT offset, count`.
 */
export function relatedStatement(
	query: string,
	related: VtigerModuleDescription,
	page?: { offset: number; count: number },
): string {
	let statement = query.trim().replace(/;\s*$/, '').trimEnd();
	if (!/^select\b/i.test(statement)) throw new RelatedQueryError('the query must start with SELECT');
	const module = moduleOfQuery(statement);
	if (module !== related.name) {
		throw new RelatedQueryError(
			`the query reads ${module ? `"${module}"` : 'no module'}, but the chosen related list holds ${related.name} records (write FROM ${related.name})`,
		);
	}
	if (page) statement = splitUserQuery(statement).statement;
	const { found, literals } = keywords(statement);
	const wheres = found.filter((keyword) => keyword.word === 'where');
	if (wheres.length > 1) throw new RelatedQueryError('the query has more than one WHERE');
	if (literals.some((literal) => literal.includes('WHERE'))) {
		throw new RelatedQueryError(
			'a value contains the word WHERE in capitals, which Vtiger\'s query_related cuts the statement at; write it in lower case or use LIKE',
		);
	}
	if (wheres.length === 1) {
		const [where] = wheres;
		statement = `${statement.slice(0, where.at)}WHERE${statement.slice(where.at + where.length)}`;
	} else {
		const tail = found.find((keyword) => keyword.word !== 'where');
		if (tail || page) {
			const condition = alwaysTrueCondition(related);
			if (!condition) {
				throw new RelatedQueryError(
					`add a WHERE condition: Vtiger's query_related puts its own condition after ORDER BY or LIMIT when the query has none, and ${related.name} has no creation time to use instead`,
				);
			}
			const at = tail ? tail.at : statement.length;
			statement = `${statement.slice(0, at).trimEnd()} WHERE ${condition}${tail ? ` ${statement.slice(at)}` : ''}`;
		}
	}
	if (page) statement = `${statement} LIMIT ${page.offset}, ${page.count}`;
	return statement;
}
