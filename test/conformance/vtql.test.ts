/**
 * VTQL engine of the simulator (test/support/simulator/vtql): every recorded query / query_related of the
 * Vtiger 8.3.0 transcripts replayed against fixtures rebuilt from the same recordings, plus
 * property tests of string escaping and a paging performance check.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import {
	relatedModuleOf,
	rewriteRelatedQuery,
	runVtql,
	type VtqlContext,
	type VtqlModule,
	type VtqlOutcome,
	type VtqlRow,
} from '../support/simulator/vtql';
import { DEFAULT_TRANSCRIPTS } from './replay';

type Json = Record<string, unknown>;
interface Rec {
	operation?: string;
	method: string;
	request_params: Json;
	response_body: unknown;
	note?: string;
}

const DIR = DEFAULT_TRANSCRIPTS;
const load = (file: string): Rec[] =>
	readFileSync(resolve(DIR, file), 'utf8')
		.split('\n')
		.filter((l) => l.trim() !== '')
		.map((l) => JSON.parse(l) as Rec);

type OutRow = Record<string, string | null>;
const okResult = (r: Rec): OutRow[] => (r.response_body as { result: OutRow[] }).result;

// ---- schemas from describe --------------------------------------------------------------------
const schemas = new Map<string, VtqlModule>();
for (const r of load('10_describe_all.jsonl')) {
	const body = r.response_body as { success?: boolean; result?: { name?: string; idPrefix?: string; fields?: Json[] } };
	const res = body?.success ? body.result : undefined;
	if (!res?.fields || !res.idPrefix) continue;
	const name = (r.request_params.elementType as string) ?? res.name;
	let fields = res.fields.map((f) => ({ name: f.name as string, type: f.type as { name: string; refersTo?: string[] } }));
	// query output of Users leaves out the password fields and the access key (04_query "select * from Users")
	if (name === 'Users') fields = fields.filter((f) => !['user_password', 'confirm_password', 'accesskey'].includes(f.name));
	// LineItem's describe omits `description`, which its query returns (07_other_ops #22)
	if (name === 'LineItem') {
		const at = fields.findIndex((f) => f.name === 'comment') + 1;
		fields.splice(at, 0, { name: 'description', type: { name: 'text' } });
	}
	schemas.set(name, { name, idPrefix: res.idPrefix, fields });
}

// ---- rows rebuilt from the recordings ------------------------------------------------------------
const q04 = load('04_query.jsonl');
const byQuery = (recs: Rec[], q: string): Rec => {
	const r = recs.find((x) => x.request_params.query === q);
	if (!r) throw new Error(`no recording of ${q}`);
	return r;
};
const crmidOf = (id: string): number => Number(id.split('x')[1]);
const rowFrom = (o: OutRow, deleted = false): VtqlRow => ({ crmid: crmidOf(o.id as string), deleted, values: { ...o } });

function contacts04(): VtqlRow[] {
	const full = okResult(byQuery(q04, 'select * from Contacts;')); // 12x4 … 12x103, every field
	const rows = full.map((o) => rowFrom(o));
	const template = full[full.length - 1];
	// 12x104 … 12x143 (Bulk091 … Bulk130) were never returned in full: built from the last bulk row.
	// createdtime: the recording ("order by createdtime desc limit 1") shows 12x138 at 06:44:59.
	for (let n = 104; n <= 143; n++) {
		rows.push({
			crmid: n,
			deleted: false,
			values: {
				...template,
				id: `12x${n}`,
				firstname: `Bulk${String(n - 13).padStart(3, '0')}`,
				contact_no: `CON${n - 2}`,
				mailingcity: `City${n - 13}`,
				createdtime: n >= 138 ? '2026-11-24 06:44:59' : '2026-11-24 06:44:58',
				modifiedtime: n >= 138 ? '2026-11-24 06:44:59' : '2026-11-24 06:44:58',
			},
		});
	}
	// 12x3 Ada Lovelace, deleted before 04_query ran (01_basic_crud shows her fields)
	const ada = okResult(load('01_basic_crud.jsonl')[11])[0];
	rows.unshift({ crmid: 3, deleted: true, values: { ...template, ...ada, createdtime: '2026-11-24 06:43:40' } });
	return rows;
}

interface Fixture {
	rows: Record<string, VtqlRow[]>;
	inaccessible?: string[];
}
function makeCtx(f: Fixture): VtqlContext {
	return {
		module: (name) => schemas.get(name),
		rows: (name) => f.rows[name] ?? [],
		modulePrefixes: () => Object.fromEntries([...schemas.values()].map((m) => [m.name, m.idPrefix])),
		moduleAccessible: (name) => !(f.inaccessible ?? []).includes(name),
	};
}

const base04 = (): Fixture => ({
	rows: {
		Contacts: contacts04(),
		Accounts: [
			{ crmid: 2, deleted: false, values: { accountname: 'Lab Account 1', id: '11x2' } },
			{ crmid: 200, deleted: false, values: { accountname: 'Other Org', id: '11x200' } },
		],
		Users: okResult(byQuery(q04, 'select * from Users;')).map((o) => rowFrom(o)),
		Groups: okResult(byQuery(q04, 'select * from Groups;')).map((o) => rowFrom(o)),
		Currency: okResult(byQuery(q04, 'select * from Currency;')).map((o) => rowFrom(o)),
	},
});

/** what the real server answers, in the simulator core's terms */
function envelope(o: VtqlOutcome): unknown {
	if (o.kind === 'error') return { success: false, error: { message: o.message, code: o.code } };
	return { success: true, result: o.kind === 'rows' ? o.rows : [] };
}

/** the `query` text the server read: only $_GET counts (03_validation_errors #50/#51) */
function queryText(r: Rec): string {
	const p = r.request_params;
	if (r.method === 'GET') return (p.query as string) ?? '';
	return ((p.query as Json | undefined)?.query as string) ?? '';
}
function operationOf(r: Rec): string | undefined {
	const p = r.request_params;
	if (r.method === 'GET') return p.operation as string;
	return ((p.body as Json | undefined)?.operation ?? (p.query as Json | undefined)?.operation) as string;
}

describe('replay of 04_query (every query)', () => {
	const ctx = makeCtx(base04());
	const cases = q04.filter((r) => r.operation === 'query');
	it('covers all recorded queries', () => {
		expect(cases.length).toBe(58);
	});
	it.each(cases.map((r, i) => [i, queryText(r), r] as const))('#%d %s', (_i, q, r) => {
		expect(envelope(runVtql(q, ctx))).toEqual(r.response_body);
	});
});

describe('replay of the other transcripts', () => {
	it('01_basic_crud: the live Lovelace record', () => {
		const r = load('01_basic_crud.jsonl')[11];
		const f = base04();
		f.rows.Contacts = f.rows.Contacts.map((x) => (x.crmid === 3 ? { ...x, deleted: false, values: { ...x.values, modifiedtime: '2026-11-24 06:43:40' } } : x));
		expect(envelope(runVtql(queryText(r), makeCtx(f)))).toEqual(r.response_body);
	});

	it('03_validation_errors: query only read from the query string', () => {
		const recs = load('03_validation_errors.jsonl').filter((r) => operationOf(r) === 'query');
		expect(recs).toHaveLength(2);
		for (const r of recs) expect(envelope(runVtql(queryText(r), makeCtx(base04())))).toEqual(r.response_body);
	});

	it('08_transport_params: limit 1, HTML-encoded values, the quote/backslash record', () => {
		const recs = load('08_transport_params.jsonl').filter((r) => operationOf(r) === 'query');
		expect(recs.length).toBe(5);
		const f = base04();
		const script = okResult(recs.find((r) => queryText(r).includes('%script%')) as Rec)[0];
		f.rows.Contacts.push({ crmid: 171, deleted: false, values: { ...f.rows.Contacts[5].values, ...script } });
		for (const r of recs) expect(envelope(runVtql(queryText(r), makeCtx(f)))).toEqual(r.response_body);
	});

	it('11b_nonadmin_user: owner ids as stored, Users not in listtypes', () => {
		const recs = load('11b_nonadmin_user_patched_8081.jsonl').filter((r) => operationOf(r) === 'query');
		expect(recs).toHaveLength(2);
		const ctx = makeCtx({ ...base04(), inaccessible: ['Users'] });
		for (const r of recs) expect(envelope(runVtql(queryText(r), ctx))).toEqual(r.response_body);
	});

	it.each(['07_other_ops_stock.jsonl', '07_other_ops_patched_8081.jsonl'])('%s: LineItem query and every query_related', (file) => {
		const recs = load(file);
		const lineItem = recs.find((r) => r.operation === 'query') as Rec;
		const liCtx = makeCtx({ rows: { LineItem: okResult(lineItem).map((o) => rowFrom(o)) } });
		expect(envelope(runVtql(queryText(lineItem), liCtx))).toEqual(lineItem.response_body);

		const related = recs.filter((r) => r.operation === 'query_related');
		expect(related).toHaveLength(5);
		const good = related.find((r) => (r.response_body as { success: boolean }).success) as Rec;
		// the rows related to 11x2 are the ones the successful call returned
		const relCtx = makeCtx({ rows: { Contacts: okResult(good).map((o) => rowFrom(o)) } });
		for (const r of related) {
			expect(r.request_params.relatedLabel).toBe('Contacts');
			expect(envelope(runVtql(queryText(r), relCtx, 'query_related'))).toEqual(r.response_body);
		}
	});
});

describe('query_related rewriting', () => {
	it('appends the id clause, splits on upper-case WHERE only, returns [] when nothing is related', () => {
		expect(rewriteRelatedQuery('select id from Contacts', ['12x1', '12x2'])).toBe("select id from Contacts WHERE id IN ('12x1','12x2');");
		expect(rewriteRelatedQuery("select id from Contacts WHERE lastname = 'x'", ['12x1'])).toBe(
			"select id from Contacts  WHERE id IN ('12x1') AND  lastname = 'x';",
		);
		expect(relatedModuleOf('select id from Contacts;')).toBe('Contacts;');
		const ctx = makeCtx({ rows: { Contacts: [] } });
		expect(runVtql('select id from Contacts where garbage', ctx, 'query_related')).toEqual({ kind: 'rows', rows: [] });
	});
	it('the id clause restricts to related rows and the user condition still applies', () => {
		const rows = ['Ann', 'Bob', 'Cid'].map((n, i) => ({ crmid: i + 1, deleted: i === 2, values: { lastname: n } }));
		const ctx = makeCtx({ rows: { Contacts: rows } });
		expect(runVtql("select lastname from Contacts WHERE lastname != 'Ann'", ctx, 'query_related')).toEqual({
			kind: 'rows',
			rows: [{ lastname: 'Bob', id: '12x2' }],
		});
	});
});

// ---- escaping ----------------------------------------------------------------------------------
/** the rule a client must follow for `=`: double the quotes and double the backslashes */
const escapeEq = (v: string): string => v.replace(/\\/g, '\\\\').replace(/'/g, "''");
/** quotes only: what a client that forgets MySQL's backslash does */
const escapeQuotesOnly = (v: string): string => v.replace(/'/g, "''");
/** for LIKE: additionally \% and \_ (and a literal backslash is \\\\ in the SQL text) */
const escapeLike = (v: string): string => v.replace(/\\/g, '\\\\\\\\').replace(/%/g, '\\%').replace(/_/g, '\\_').replace(/'/g, "''");

function allStrings(alphabet: string[], maxLen: number): string[] {
	const out: string[] = [];
	let level = [''];
	for (let len = 1; len <= maxLen; len++) {
		level = level.flatMap((s) => alphabet.map((c) => s + c));
		out.push(...level);
	}
	return out;
}

describe('string escaping (properties)', () => {
	// every string of length 1..4 over a, ', \, %, _ and space in the middle
	const values = [...new Set(allStrings(['a', "'", '\\', '%', '_'], 4).concat(["a 'b", "a \\' b", "\\') or 1=1 -- "]))];
	const rows: VtqlRow[] = values.map((v, i) => ({ crmid: i + 1, deleted: false, values: { lastname: v } }));
	// a deleted row that only a broken-out query can return
	rows.push({ crmid: values.length + 1, deleted: true, values: { lastname: 'DELETED' } });
	const ctx = makeCtx({ rows: { Contacts: rows } });
	const ids = (o: VtqlOutcome): string[] => (o.kind === 'rows' ? o.rows.map((r) => r.id as string) : [o.kind]);

	it('doubling quotes and backslashes finds exactly the row with that value, for every value', () => {
		for (const [i, v] of values.entries()) {
			const o = runVtql(`select lastname from Contacts where lastname = '${escapeEq(v)}';`, ctx);
			expect({ v, ids: ids(o) }).toEqual({ v, ids: [`12x${i + 1}`] });
		}
	});

	it('LIKE with \\% \\_ and doubled backslashes matches literally', () => {
		for (const [i, v] of values.entries()) {
			const o = runVtql(`select lastname from Contacts where lastname like '${escapeLike(v)}';`, ctx);
			expect({ v, ids: ids(o) }).toEqual({ v, ids: [`12x${i + 1}`] });
		}
	});

	it('quote-doubling alone is not enough: an unescaped backslash changes the meaning', () => {
		const wrong = values.filter((v, i) => {
			const o = runVtql(`select lastname from Contacts where lastname = '${escapeQuotesOnly(v)}';`, ctx);
			return JSON.stringify(ids(o)) !== JSON.stringify([`12x${i + 1}`]);
		});
		expect(wrong).toContain('a\\'); // 'a\' never terminates in MySQL: no rows (04_query #33)
		expect(wrong).toContain("\\'");
		expect(wrong.every((v) => v.includes('\\'))).toBe(true);
		expect(wrong.length).toBeGreaterThan(100);
	});

	it('a value built to break out returns everything, deleted rows included, past the 100 cap', () => {
		const attack = "\\') or 1=1 -- "; // the closing parenthesis matters: the condition is wrapped in ( )
		const naive = runVtql(`select lastname from Contacts where lastname = '${escapeQuotesOnly(attack)}';`, ctx);
		expect(naive.kind === 'rows' && naive.rows.length).toBe(rows.length);
		const safe = runVtql(`select lastname from Contacts where lastname = '${escapeEq(attack)}';`, ctx);
		expect(ids(safe)).toEqual([`12x${values.indexOf(attack) + 1}`]);
	});

	it("'' is rejected by the VTQL lexer, a lone quote breaks the statement", () => {
		expect(runVtql("select id from Contacts where lastname = '';", ctx)).toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
		expect(runVtql("select id from Contacts where lastname = 'a'b';", ctx)).toMatchObject({ code: 'QUERY_SYNTAX_ERROR' });
	});
});

describe('semantics beyond the recordings', () => {
	const ctx = makeCtx(base04());
	it('comparisons are case-insensitive, numbers numeric, reference LIKE on ids', () => {
		const eq = runVtql("select id from Contacts where firstname = 'BULK001';", ctx);
		expect(eq).toEqual({ kind: 'rows', rows: [{ id: '12x14' }] });
		const gt = runVtql("select id from Contacts where id > '12x140';", ctx);
		expect(gt).toEqual({ kind: 'rows', rows: [{ id: '12x141' }, { id: '12x142' }, { id: '12x143' }] });
		const ownerIn = runVtql("select id from Contacts where assigned_user_id in ('20x3','19x99');", ctx);
		expect(ownerIn).toEqual({ kind: 'rows', rows: [{ id: '12x6' }] });
	});
	it('syntax errors win over field errors; unknown ORDER BY column is an SQL error', () => {
		expect(runVtql('select nosuch from Contacts where', ctx)).toMatchObject({ code: 'QUERY_SYNTAX_ERROR' });
		expect(runVtql('select id from Contacts order by nosuch;', ctx)).toEqual({ kind: 'sqlError' });
		expect(runVtql('select mailingcity from Contacts order by mailingcity desc limit 1;', ctx)).toEqual({
			kind: 'rows',
			rows: [{ mailingcity: 'City99', id: '12x112' }],
		});
	});
});

describe('paging a large module', () => {
	it('pages through 10,000 rows with LIMIT m,100, every visible row once and in order', () => {
		const rows: VtqlRow[] = [];
		for (let i = 1; i <= 10000; i++) {
			rows.push({ crmid: i, deleted: i % 10 === 0, values: { lastname: `Name ${i % 7}`, firstname: `F${i}`, assigned_user_id: '19x1' } });
		}
		const ctx = makeCtx({ rows: { Contacts: rows } });
		const seen: string[] = [];
		for (let offset = 0; ; offset += 100) {
			const o = runVtql(`select id from Contacts where lastname like 'name%' and assigned_user_id = '19x1' limit ${offset},100;`, ctx);
			if (o.kind !== 'rows') throw new Error(o.kind);
			seen.push(...o.rows.map((r) => r.id as string));
			if (o.rows.length < 100) break;
		}
		const ordered = runVtql("select firstname from Contacts where lastname = 'Name 3' order by firstname desc limit 50,100;", ctx);
		expect(seen).toHaveLength(9000);
		expect(new Set(seen).size).toBe(9000);
		expect(seen[0]).toBe('12x1');
		expect(seen[8999]).toBe('12x9999');
		expect(ordered.kind === 'rows' && ordered.rows.length).toBe(100);
	});
});
