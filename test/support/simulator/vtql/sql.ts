/**
 * A small MySQL-like evaluator for the part of the SQL that Vtiger builds after `WHERE`:
 *   <expr> [ORDER BY <expr> [ASC|DESC], …] [LIMIT n[, m] | LIMIT n OFFSET m] [;]
 * Vtiger 8.3 pastes VTQL condition text verbatim into this SQL, so MySQL's own lexing applies:
 * string literals take backslash escapes (\' \\ \n …) as well as doubled quotes, `-- ` and `#`
 * comment out the rest of the line, `/* … *\/` is a comment. Anything this evaluator cannot read
 * or resolve (unknown column, unterminated string, stray token) is an SqlError, which the real
 * server turns into `success:true, result:[]`.
 *
 * Semantics follow MySQL with a case-insensitive collation: strings compare case- and
 * accent-insensitively ignoring trailing spaces, a number against a string compares numerically,
 * NULL propagates (three-valued logic), LIKE uses % and _ with backslash as escape.
 */

export type SqlValue = string | number | null;

export class SqlError extends Error {}

export type Getter<R> = (row: R) => SqlValue;

export interface OrderItem<R> {
	get: Getter<R>;
	desc: boolean;
}

export interface CompiledSql<R> {
	where: Getter<R>;
	orderBy: Array<OrderItem<R>>;
	limit?: { offset: number; count: number };
}

/** resolves a column reference (`name` or `qualifier.name`); undefined = unknown column */
export type ColumnResolver<R> = (name: string, qualifier: string | undefined) => Getter<R> | undefined;

type Tok =
	| { k: 'num'; v: number; text: string }
	| { k: 'str'; v: string }
	| { k: 'id'; v: string; quoted: boolean }
	| { k: 'op'; v: string };

const OPS = ['<=>', '<=', '>=', '<>', '!=', '&&', '||', '=', '<', '>', '(', ')', ',', ';', '+', '-', '*', '/', '%', '!', '.'];

const ESCAPES: Record<string, string> = {
	'0': '\0',
	b: '\b',
	n: '\n',
	r: '\r',
	t: '\t',
	Z: '\x1a',
	'%': '\\%',
	_: '\\_',
};

export function tokenizeSql(sql: string): Tok[] {
	const out: Tok[] = [];
	let i = 0;
	const n = sql.length;
	while (i < n) {
		const c = sql[i];
		if (/\s/.test(c)) {
			i++;
			continue;
		}
		if (c === '#' || (c === '-' && sql[i + 1] === '-' && (i + 2 >= n || /[\s\x00-\x1f]/.test(sql[i + 2])))) {
			while (i < n && sql[i] !== '\n') i++;
			continue;
		}
		if (c === '/' && sql[i + 1] === '*') {
			const end = sql.indexOf('*/', i + 2);
			if (end === -1) throw new SqlError('unterminated comment');
			i = end + 2;
			continue;
		}
		if (c === "'" || c === '"') {
			let v = '';
			let j = i + 1;
			for (;;) {
				if (j >= n) throw new SqlError('unterminated string');
				const d = sql[j];
				if (d === '\\') {
					if (j + 1 >= n) throw new SqlError('unterminated string');
					const e = sql[j + 1];
					v += Object.prototype.hasOwnProperty.call(ESCAPES, e) ? ESCAPES[e] : e;
					j += 2;
				} else if (d === c) {
					if (sql[j + 1] === c) {
						v += c;
						j += 2;
					} else {
						j++;
						break;
					}
				} else {
					v += d;
					j++;
				}
			}
			out.push({ k: 'str', v });
			i = j;
			continue;
		}
		if (c === '`') {
			const end = sql.indexOf('`', i + 1);
			if (end === -1) throw new SqlError('unterminated identifier');
			out.push({ k: 'id', v: sql.slice(i + 1, end), quoted: true });
			i = end + 1;
			continue;
		}
		const word = /^[A-Za-z0-9_$\u0080-\uffff]+/.exec(sql.slice(i, i + 256));
		const num = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(sql.slice(i, i + 256));
		if (num && (!word || word[0].length <= num[0].length)) {
			out.push({ k: 'num', v: Number(num[0]), text: num[0] });
			i += num[0].length;
			continue;
		}
		if (word) {
			out.push({ k: 'id', v: word[0], quoted: false });
			i += word[0].length;
			continue;
		}
		const op = OPS.find((o) => sql.startsWith(o, i));
		if (!op) throw new SqlError(`unexpected character ${c}`);
		out.push({ k: 'op', v: op });
		i += op.length;
	}
	return out;
}

export function toNumber(v: string | number): number {
	if (typeof v === 'number') return v;
	const m = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(v);
	return m ? Number(m[0]) : 0;
}

const foldCache = new Map<string, string>();
/** collation key: case- and accent-insensitive, trailing spaces ignored (PAD SPACE) */
export function fold(s: string): string {
	let f = foldCache.get(s);
	if (f === undefined) {
		f = s
			.normalize('NFD')
			.replace(/[\u0300-\u036f]/g, '')
			.toLowerCase()
			.replace(/ +$/, '');
		if (foldCache.size > 50000) foldCache.clear();
		foldCache.set(s, f);
	}
	return f;
}

export function compare(a: SqlValue, b: SqlValue): number | null {
	if (a === null || b === null) return null;
	if (typeof a === 'string' && typeof b === 'string') {
		const fa = fold(a);
		const fb = fold(b);
		return fa < fb ? -1 : fa > fb ? 1 : 0;
	}
	const na = toNumber(a);
	const nb = toNumber(b);
	return na < nb ? -1 : na > nb ? 1 : 0;
}

const truth = (v: SqlValue): boolean | null => (v === null ? null : toNumber(v) !== 0);
const bool = (b: boolean | null): SqlValue => (b === null ? null : b ? 1 : 0);
const asString = (v: string | number): string => (typeof v === 'string' ? v : String(v));

const likeCache = new Map<string, RegExp>();
function likeRegex(pattern: string): RegExp {
	let re = likeCache.get(pattern);
	if (!re) {
		let src = '';
		const p = fold(pattern);
		for (let i = 0; i < p.length; i++) {
			const c = p[i];
			if (c === '\\' && i + 1 < p.length) {
				src += p[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
			} else if (c === '%') src += '[\\s\\S]*';
			else if (c === '_') src += '[\\s\\S]';
			else src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
		}
		re = new RegExp(`^${src}$`);
		if (likeCache.size > 1000) likeCache.clear();
		likeCache.set(pattern, re);
	}
	return re;
}

export function like(v: SqlValue, pattern: SqlValue): SqlValue {
	if (v === null || pattern === null) return null;
	return bool(likeRegex(asString(pattern)).test(fold(asString(v))));
}

/** Compiles the SQL text that follows `WHERE`. Throws SqlError where MySQL would fail. */
export function compileSql<R>(sql: string, resolve: ColumnResolver<R>): CompiledSql<R> {
	const toks = tokenizeSql(sql);
	let p = 0;
	const peek = (): Tok | undefined => toks[p];
	const isKw = (t: Tok | undefined, ...kw: string[]): boolean =>
		t !== undefined && t.k === 'id' && !t.quoted && kw.includes(t.v.toUpperCase());
	const isOp = (t: Tok | undefined, ...ops: string[]): boolean => t !== undefined && t.k === 'op' && ops.includes(t.v);
	const expectOp = (op: string): void => {
		if (!isOp(peek(), op)) throw new SqlError(`expected ${op}`);
		p++;
	};
	const RESERVED = ['AND', 'OR', 'XOR', 'NOT', 'IN', 'LIKE', 'IS', 'ORDER', 'BY', 'LIMIT', 'BETWEEN', 'ESCAPE', 'DIV', 'MOD', 'ASC', 'DESC', 'OFFSET'];

	const primary = (): Getter<R> => {
		const t = peek();
		if (t === undefined) throw new SqlError('unexpected end');
		p++;
		if (t.k === 'num') {
			const v = t.v;
			return () => v;
		}
		if (t.k === 'str') {
			let v = t.v;
			// adjacent string literals concatenate
			while (peek()?.k === 'str') v += (toks[p++] as { v: string }).v;
			return () => v;
		}
		if (t.k === 'op') {
			if (t.v === '(') {
				const e = orExpr();
				expectOp(')');
				return e;
			}
			throw new SqlError(`unexpected ${t.v}`);
		}
		if (!t.quoted) {
			const up = t.v.toUpperCase();
			if (up === 'NULL') return () => null;
			if (up === 'TRUE') return () => 1;
			if (up === 'FALSE') return () => 0;
			if (RESERVED.includes(up)) throw new SqlError(`unexpected ${t.v}`);
			if (isOp(peek(), '(')) throw new SqlError(`unsupported function ${t.v}`);
		}
		let qualifier: string | undefined;
		let name = t.v;
		if (isOp(peek(), '.')) {
			p++;
			const n2 = peek();
			if (n2 === undefined || n2.k !== 'id') throw new SqlError('bad column reference');
			p++;
			qualifier = name;
			name = n2.v;
		}
		const g = resolve(name, qualifier);
		if (!g) throw new SqlError(`Unknown column '${qualifier ? qualifier + '.' : ''}${name}'`);
		return g;
	};
	const unary = (): Getter<R> => {
		if (isOp(peek(), '-')) {
			p++;
			const e = unary();
			return (r) => {
				const v = e(r);
				return v === null ? null : -toNumber(v);
			};
		}
		if (isOp(peek(), '+')) {
			p++;
			return unary();
		}
		if (isOp(peek(), '!')) {
			p++;
			const e = unary();
			return (r) => {
				const b = truth(e(r));
				return bool(b === null ? null : !b);
			};
		}
		return primary();
	};
	const term = (): Getter<R> => {
		let left = unary();
		for (;;) {
			const t = peek();
			const op = isOp(t, '*', '/', '%') ? (t as { v: string }).v : isKw(t, 'DIV', 'MOD') ? (t as { v: string }).v.toUpperCase() : '';
			if (!op) return left;
			p++;
			const l = left;
			const r = unary();
			left = (row) => {
				const a = l(row);
				const b = r(row);
				if (a === null || b === null) return null;
				const x = toNumber(a);
				const y = toNumber(b);
				if (op === '*') return x * y;
				if (y === 0) return null;
				if (op === '/') return x / y;
				if (op === 'DIV') return Math.trunc(x / y);
				return x % y;
			};
		}
	};
	const additive = (): Getter<R> => {
		let left = term();
		while (isOp(peek(), '+', '-')) {
			const op = (toks[p++] as { v: string }).v;
			const l = left;
			const r = term();
			left = (row) => {
				const a = l(row);
				const b = r(row);
				if (a === null || b === null) return null;
				return op === '+' ? toNumber(a) + toNumber(b) : toNumber(a) - toNumber(b);
			};
		}
		return left;
	};
	const predicate = (): Getter<R> => {
		let left = additive();
		for (;;) {
			const t = peek();
			if (isOp(t, '=', '<=>', '!=', '<>', '<', '>', '<=', '>=')) {
				const op = (t as { v: string }).v;
				p++;
				const l = left;
				const r = additive();
				left = (row) => {
					const a = l(row);
					const b = r(row);
					if (op === '<=>') {
						if (a === null || b === null) return bool(a === null && b === null);
						return bool(compare(a, b) === 0);
					}
					const c = compare(a, b);
					if (c === null) return null;
					switch (op) {
						case '=':
							return bool(c === 0);
						case '<':
							return bool(c < 0);
						case '>':
							return bool(c > 0);
						case '<=':
							return bool(c <= 0);
						case '>=':
							return bool(c >= 0);
						default:
							return bool(c !== 0);
					}
				};
				continue;
			}
			let negate = false;
			if (isKw(t, 'NOT') && isKw(toks[p + 1], 'IN', 'LIKE', 'BETWEEN')) {
				negate = true;
				p++;
			}
			const u = peek();
			const neg = (g: Getter<R>): Getter<R> =>
				negate
					? (row) => {
							const b = truth(g(row));
							return bool(b === null ? null : !b);
						}
					: g;
			if (isKw(u, 'IN')) {
				p++;
				expectOp('(');
				const list: Array<Getter<R>> = [orExpr()];
				while (isOp(peek(), ',')) {
					p++;
					list.push(orExpr());
				}
				expectOp(')');
				const l = left;
				left = neg((row) => {
					const a = l(row);
					if (a === null) return null;
					let sawNull = false;
					for (const g of list) {
						const c = compare(a, g(row));
						if (c === 0) return 1;
						if (c === null) sawNull = true;
					}
					return sawNull ? null : 0;
				});
				continue;
			}
			if (isKw(u, 'LIKE')) {
				p++;
				const l = left;
				const r = additive();
				if (isKw(peek(), 'ESCAPE')) throw new SqlError('ESCAPE is not supported');
				left = neg((row) => like(l(row), r(row)));
				continue;
			}
			if (isKw(u, 'BETWEEN')) {
				p++;
				const l = left;
				const lo = additive();
				if (!isKw(peek(), 'AND')) throw new SqlError('BETWEEN without AND');
				p++;
				const hi = additive();
				left = neg((row) => {
					const a = l(row);
					const c1 = compare(a, lo(row));
					const c2 = compare(a, hi(row));
					if (c1 === null || c2 === null) return null;
					return bool(c1 >= 0 && c2 <= 0);
				});
				continue;
			}
			if (negate) throw new SqlError('NOT without IN/LIKE/BETWEEN');
			if (isKw(u, 'IS')) {
				p++;
				let not = false;
				if (isKw(peek(), 'NOT')) {
					p++;
					not = true;
				}
				const w = peek();
				if (!isKw(w, 'NULL', 'TRUE', 'FALSE')) throw new SqlError('bad IS');
				p++;
				const what = (w as { v: string }).v.toUpperCase();
				const l = left;
				left = (row) => {
					const a = l(row);
					const r = what === 'NULL' ? a === null : a !== null && truth(a) === (what === 'TRUE');
					return bool(not ? !r : r);
				};
				continue;
			}
			return left;
		}
	};
	const notExpr = (): Getter<R> => {
		if (isKw(peek(), 'NOT')) {
			p++;
			const e = notExpr();
			return (r) => {
				const b = truth(e(r));
				return bool(b === null ? null : !b);
			};
		}
		return predicate();
	};
	const andExpr = (): Getter<R> => {
		let left = notExpr();
		while (isKw(peek(), 'AND') || isOp(peek(), '&&')) {
			p++;
			const l = left;
			const r = notExpr();
			left = (row) => {
				const a = truth(l(row));
				if (a === false) return 0;
				const b = truth(r(row));
				if (b === false) return 0;
				return a === null || b === null ? null : 1;
			};
		}
		return left;
	};
	const xorExpr = (): Getter<R> => {
		let left = andExpr();
		while (isKw(peek(), 'XOR')) {
			p++;
			const l = left;
			const r = andExpr();
			left = (row) => {
				const a = truth(l(row));
				const b = truth(r(row));
				return a === null || b === null ? null : bool(a !== b);
			};
		}
		return left;
	};
	const orExpr = (): Getter<R> => {
		let left = xorExpr();
		while (isKw(peek(), 'OR') || isOp(peek(), '||')) {
			p++;
			const l = left;
			const r = xorExpr();
			left = (row) => {
				const a = truth(l(row));
				if (a === true) return 1;
				const b = truth(r(row));
				if (b === true) return 1;
				return a === null || b === null ? null : 0;
			};
		}
		return left;
	};

	const where = orExpr();
	const orderBy: Array<OrderItem<R>> = [];
	if (isKw(peek(), 'ORDER')) {
		p++;
		if (!isKw(peek(), 'BY')) throw new SqlError('ORDER without BY');
		p++;
		for (;;) {
			const get = orExpr();
			let desc = false;
			if (isKw(peek(), 'ASC', 'DESC')) desc = (toks[p++] as { v: string }).v.toUpperCase() === 'DESC';
			orderBy.push({ get, desc });
			if (!isOp(peek(), ',')) break;
			p++;
		}
	}
	let limit: CompiledSql<R>['limit'];
	if (isKw(peek(), 'LIMIT')) {
		p++;
		const int = (): number => {
			const t = peek();
			if (t === undefined || t.k !== 'num' || !/^\d+$/.test(t.text)) throw new SqlError('LIMIT takes integers');
			p++;
			return t.v;
		};
		const a = int();
		if (isOp(peek(), ',')) {
			p++;
			limit = { offset: a, count: int() };
		} else if (isKw(peek(), 'OFFSET')) {
			p++;
			limit = { offset: int(), count: a };
		} else {
			limit = { offset: 0, count: a };
		}
	}
	if (isOp(peek(), ';')) p++;
	if (p < toks.length) throw new SqlError('You have an error in your SQL syntax');
	return { where, orderBy, limit };
}
