/**
 * VTQL lexer and parser, modelled on the behaviour of Vtiger 8.3.0's webservice query language
 * (include/Webservices/VTQL_Lexer.php + the LEMON-generated VTQL_Parser.php). Written from the
 * observed behaviour and the grammar; the error messages are those the real parser produces.
 *
 * Real-server quirks reproduced here:
 * - The lexer classifies a word by a state machine that knows nothing of the grammar, so `not` after
 *   a column is a VALUE and `<>` is LT then GT (04_query: "token '>' Unexpected GT(>) ...").
 * - A string is '…' with '' as an escaped quote; a backslash is an ordinary character. Anything the
 *   lexer cannot match (a double quote, `''`, `.`, non-ASCII outside a string) is a PHP exception:
 *   INTERNAL_SERVER_ERROR "Unknown Error while processing request".
 * - The word `order` is skipped wherever it appears; `by` then opens the ORDER BY clause.
 * - "expected one of" lists what LEMON reports, which is often narrower than the grammar allows
 *   (after a WHERE value it says only SEMICOLON).
 * - The line number only grows for a whitespace run that is exactly "\n" (arguments of
 *   substr_count are swapped in the original).
 */

export type TokType =
	| 'SELECT'
	| 'FRM'
	| 'COLUMNNAME'
	| 'ASTERISK'
	| 'COUNT'
	| 'PARENOPEN'
	| 'PARENCLOSE'
	| 'COMMA'
	| 'TABLENAME'
	| 'WHERE'
	| 'LOGICAL_AND'
	| 'LOGICAL_OR'
	| 'VALUE'
	| 'EQ'
	| 'LT'
	| 'GT'
	| 'LTE'
	| 'GTE'
	| 'NE'
	| 'IN'
	| 'LIKE'
	| 'ORDERBY'
	| 'ASC'
	| 'DESC'
	| 'LIMIT'
	| 'SEMICOLON';

/** type null = a word the lexer state machine could not classify ("Unknown" in messages) */
export interface VtqlToken {
	type: TokType | null;
	text: string;
}

export class VtqlLexError extends Error {}

export class VtqlSyntaxError extends Error {}

/** One lexical token of the real lexer (first alternative that matches wins), or whitespace. */
const TOKEN_RE =
	/(\w+|'(?:[^']|'')+'|\(|\)|[+-]?\d+|,|\*|=|<(?!=)|>(?!=)|<=|>=|!=|;)|([ \t\r\n]+)/y;

const MANDATORY = ['select', 'column_list', 'from', 'table'] as const;
const OPTIONAL = ['where', 'orderby', 'limit'] as const;

const WHERE_OPS = new Map<string, TokType>([
	['<', 'LT'],
	['<=', 'LTE'],
	['>=', 'GTE'],
	['!=', 'NE'],
	['>', 'GT'],
]);

const ieq = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export class VtqlLexer {
	/** text of the last chunk matched (tokens and skipped whitespace alike): the "token '…'" of messages */
	value = '';
	line = 1;
	private index = 0;
	private mandatory = true;
	private state = 0;
	private whereCol = false;
	private orderBy = false;
	private inStarted = false;
	private count = false;

	constructor(private readonly data: string) {}

	/** next token, or undefined at end of input; throws VtqlLexError on input no rule matches */
	next(): VtqlToken | undefined {
		for (;;) {
			if (this.index >= this.data.length) return undefined;
			TOKEN_RE.lastIndex = this.index;
			const m = TOKEN_RE.exec(this.data);
			if (!m) throw new VtqlLexError(`Unexpected input at line${this.line}: ${this.data[this.index]}`);
			this.value = m[0];
			this.index += m[0].length;
			if (m[2] !== undefined) {
				if (m[0] === '\n') this.line++;
				continue;
			}
			const r = this.classify(m[1]);
			if (r === 'skip') continue;
			return { type: r, text: m[1] };
		}
	}

	private incState(): void {
		this.state++;
		if (this.state === MANDATORY.length) this.mandatory = false;
	}

	private classify(val: string): TokType | null | 'skip' {
		if (this.mandatory) {
			switch (MANDATORY[this.state]) {
				case 'select':
					if (ieq(val, 'select')) {
						this.incState();
						return 'SELECT';
					}
					return null;
				case 'column_list':
					if (ieq(val, 'from')) {
						this.incState();
						this.incState();
						return 'FRM';
					}
					if (val === '*') {
						if (!this.count) this.incState();
						return 'ASTERISK';
					}
					if (val === '(') return 'PARENOPEN';
					if (val === ')') return 'PARENCLOSE';
					if (ieq(val, 'count')) {
						this.count = true;
						return 'COUNT';
					}
					if (val === ',') return 'COMMA';
					return 'COLUMNNAME';
				case 'from':
					if (ieq(val, 'from')) {
						this.incState();
						return 'FRM';
					}
					return null;
				case 'table':
					this.state = 0;
					this.mandatory = false;
					return ieq(val, OPTIONAL[0]) ? null : 'TABLENAME';
			}
		}
		if (val === ';') return 'SEMICOLON';
		if (ieq(val, 'order')) {
			this.orderBy = true;
			return 'skip';
		}
		if (ieq(val, 'by') && this.orderBy) {
			this.orderBy = false;
			this.state = 1;
		}
		const idx = (OPTIONAL as readonly string[]).indexOf(val.toLowerCase());
		if (idx !== -1) this.state = idx;
		switch (OPTIONAL[this.state]) {
			case 'where':
				return this.classifyWhere(val.trim());
			case 'orderby':
				if (!this.orderBy) {
					this.orderBy = true;
					return 'ORDERBY';
				}
				if (val === ',') return 'COMMA';
				if (ieq(val, 'asc')) return 'ASC';
				if (ieq(val, 'desc')) return 'DESC';
				return 'COLUMNNAME';
			default:
				if (ieq(val, 'limit')) return 'LIMIT';
				if (val === '(') return 'PARENOPEN';
				if (val === ')') return 'PARENCLOSE';
				if (val === ',') return 'COMMA';
				return 'VALUE';
		}
	}

	private classifyWhere(val: string): TokType {
		if (val === '=') return 'EQ';
		if (ieq(val, 'where')) return 'WHERE';
		const op = WHERE_OPS.get(val);
		if (op) return op;
		if (val === '(') return 'PARENOPEN';
		if (val === ')') {
			if (this.inStarted) {
				this.inStarted = false;
				this.whereCol = false;
			}
			return 'PARENCLOSE';
		}
		if (ieq(val, 'and')) return 'LOGICAL_AND';
		if (ieq(val, 'or')) return 'LOGICAL_OR';
		if (!this.whereCol) {
			this.whereCol = true;
			return 'COLUMNNAME';
		}
		if (ieq(val, 'in')) {
			this.inStarted = true;
			return 'IN';
		}
		if (val === ',') return 'COMMA';
		if (ieq(val, 'like')) return 'LIKE';
		if (!this.inStarted) this.whereCol = false;
		return 'VALUE';
	}
}

/** What the parser collected (the "sqlDump" of the original), before SQL is built. */
export interface VtqlParsed {
	columns: string[]; // '*', 'count(*)' or column names (id appended as the real parser does)
	table: string;
	where?: {
		names: string[];
		operators: string[]; // '=', '<', '>', '<=', '>=', '!=', 'IN', 'LIKE'
		values: Array<string | string[]>;
		logical: string[]; // the AND/OR tokens as typed
	};
	orderBy: string[];
	sortOrder?: 'ASC' | 'DESC';
	limit: string[];
}

const OP_TEXT: Partial<Record<TokType, string>> = {
	EQ: '=',
	LT: '<',
	GT: '>',
	LTE: '<=',
	GTE: '>=',
	NE: '!=',
	IN: 'IN',
	LIKE: 'LIKE',
};

/** PHP's empty() for the strings the parser handles */
const phpEmpty = (v: string | string[] | undefined): boolean =>
	v === undefined || (Array.isArray(v) ? v.length === 0 : v === '' || v === '0');

/** trim($v, '\'"') then vtws_getIdComponents()[1] */
export function idPart(v: string): string {
	const t = v.replace(/^['"]+|['"]+$/g, '');
	return t.split('x')[1] ?? '';
}

/**
 * Parses a VTQL statement. Throws VtqlLexError / VtqlSyntaxError like the real server; calls
 * onTable(name) when the table name is reduced (the real parser looks the module up there).
 */
export function parseVtql(query: string, onTable: (name: string) => void): VtqlParsed {
	const lex = new VtqlLexer(query);
	let tok: VtqlToken | undefined = lex.next();
	const out: VtqlParsed = { columns: [], table: '', orderBy: [], limit: [] };

	const fail = (expected: string): never => {
		const name = tok === undefined ? 'End of Input' : (tok.type ?? 'Unknown');
		const text = tok === undefined ? '0' : tok.text;
		throw new VtqlSyntaxError(
			`Syntax Error on line ${lex.line}: token '${lex.value}' Unexpected ${name}(${text}), expected one of: ${expected}`,
		);
	};
	const is = (...types: TokType[]): boolean => tok !== undefined && tok.type !== null && types.includes(tok.type);
	const take = (expected: string, ...types: TokType[]): VtqlToken => {
		if (!is(...types)) fail(expected);
		const t = tok as VtqlToken;
		tok = lex.next();
		return t;
	};

	take('SELECT', 'SELECT');
	// select list: (COLUMNNAME | * | count(*)) (, COLUMNNAME)*
	const first = take('COLUMNNAME', 'COLUMNNAME', 'ASTERISK', 'COUNT');
	if (first.type === 'COUNT') {
		take('PARENOPEN', 'PARENOPEN');
		take('ASTERISK', 'ASTERISK');
		take('PARENCLOSE', 'PARENCLOSE');
		out.columns.push('count(*)');
	} else {
		out.columns.push(first.text);
	}
	while (take('FRM,COMMA', 'FRM', 'COMMA').type === 'COMMA') {
		out.columns.push(take('COLUMNNAME', 'COLUMNNAME').text);
	}
	out.table = take('TABLENAME', 'TABLENAME').text;
	if (!is('WHERE', 'ORDERBY', 'LIMIT', 'SEMICOLON')) fail('SEMICOLON');
	if (!out.columns.includes('*') && !out.columns.some((c) => c.toLowerCase() === 'count(*)')) {
		if (!out.columns.includes('id')) out.columns.push('id');
	}
	onTable(out.table);

	if (is('WHERE')) {
		take('', 'WHERE');
		const w = { names: [] as string[], operators: [] as string[], values: [] as Array<string | string[]>, logical: [] as string[] };
		out.where = w;
		let columnDone = false;
		const pushValue = (v: string): void => {
			// yy_r17 of the original: IN lists become arrays, anything else a new value
			const pos = Math.max(w.values.length - 1, 0);
			if ((w.operators[pos] ?? '').toLowerCase() === 'in' && !phpEmpty(w.values[pos]) && !columnDone) {
				const prev = w.values[pos];
				w.values[pos] = Array.isArray(prev) ? [...prev, v] : [prev, v];
			} else {
				columnDone = false;
				w.values.push(v);
			}
		};
		for (;;) {
			const col = take('COLUMNNAME', 'COLUMNNAME').text;
			const op = take('EQ,LT,GT,LTE,GTE,NE,IN,LIKE', 'EQ', 'LT', 'GT', 'LTE', 'GTE', 'NE', 'IN', 'LIKE');
			w.operators.push(OP_TEXT[op.type as TokType] as string);
			const paren = take('VALUE', 'PARENOPEN', 'VALUE');
			if (paren.type === 'PARENOPEN') {
				pushValue(take('VALUE', 'VALUE').text);
				while (take('PARENCLOSE,COMMA', 'PARENCLOSE', 'COMMA').type === 'COMMA') {
					pushValue(take('VALUE', 'VALUE').text);
				}
				if (!is('LOGICAL_AND', 'LOGICAL_OR', 'ORDERBY', 'LIMIT', 'SEMICOLON')) fail('SEMICOLON');
			} else {
				pushValue(paren.text);
				while (is('COMMA')) {
					take('', 'COMMA');
					pushValue(take('VALUE', 'VALUE').text);
				}
				if (!is('LOGICAL_AND', 'LOGICAL_OR', 'ORDERBY', 'LIMIT', 'SEMICOLON')) fail('SEMICOLON');
			}
			// yy_r14: the column is recorded, and `id` values become bare crmids
			columnDone = true;
			w.names.push(col);
			if (col === 'id' && w.values.length > 0) {
				const last = w.values.length - 1;
				const prev = w.values[last];
				if (Array.isArray(prev)) {
					w.values[last] = prev.map(idPart);
				} else {
					const isLike = (w.operators[w.operators.length - 1] ?? '').toLowerCase() === 'like';
					w.values[last] = isLike ? `'${idPart(prev)}'` : idPart(prev);
				}
			}
			if (!is('LOGICAL_AND', 'LOGICAL_OR')) break;
			w.logical.push(take('', 'LOGICAL_AND', 'LOGICAL_OR').text);
		}
	}
	if (is('ORDERBY')) {
		take('', 'ORDERBY');
		out.orderBy.push(take('COLUMNNAME', 'COLUMNNAME').text);
		while (is('COMMA')) {
			take('', 'COMMA');
			out.orderBy.push(take('COLUMNNAME', 'COLUMNNAME').text);
		}
		if (is('ASC', 'DESC')) {
			out.sortOrder = take('', 'ASC', 'DESC').type === 'ASC' ? 'ASC' : 'DESC';
			if (!is('LIMIT', 'SEMICOLON')) fail('SEMICOLON');
		} else if (!is('LIMIT', 'SEMICOLON')) fail('SEMICOLON');
	}
	if (is('LIMIT')) {
		take('', 'LIMIT');
		out.limit.push(take('VALUE', 'VALUE').text);
		if (is('COMMA')) {
			take('', 'COMMA');
			out.limit.push(take('VALUE', 'VALUE').text);
			if (!is('SEMICOLON')) fail('SEMICOLON');
		} else if (!is('SEMICOLON')) fail('SEMICOLON');
	}
	take('SEMICOLON', 'SEMICOLON');
	if (tok !== undefined) fail('');
	return out;
}
