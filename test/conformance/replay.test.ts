/**
 * The replay tool itself, against a mirror server that answers with the recorded bodies but with other
 * record ids, session names, tokens and access key (as a different real server would): the tool must
 * rewrite every request for that server, match every answer, and flag a changed type or error code.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compareResponse, formatReport, loadRecordings, replay, RECORDED_KEYS, type Recording, type Tolerance } from './replay';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const LIVE_KEY = 'LiveAdminKey0001';
const LIVE_USER_KEY = 'LiveUserKey00002';

/** users, groups, currency … keep their ids on every server */
const FIXED_PREFIXES = ['19', '20', '21', '22', '23', '33', '34', '35'];
/** recorded -> mirror: crmids +1000, sessions and tokens prefixed */
const shiftIds = (s: string) =>
	s.replace(/(?<![0-9])([0-9]+)x([0-9]+)(?![0-9])/g, (m, p: string, n: string) =>
		FIXED_PREFIXES.includes(p) ? m : `${p}x${Number(n) + 1000}`);

function transform(v: unknown, sessions: Set<string>, tokens: Set<string>): unknown {
	if (typeof v === 'string') {
		if (sessions.has(v)) return `live${v}`;
		if (tokens.has(v)) return `f${v}`;
		return /^[0-9]+x[0-9]+$/.test(v) ? shiftIds(v) : v;
	}
	if (Array.isArray(v)) return v.map((x) => transform(x, sessions, tokens));
	if (v && typeof v === 'object')
		return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, transform(x, sessions, tokens)]));
	return v;
}

async function readBody(req: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const c of req) chunks.push(c as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

function startMirror(recs: Recording[], mutate?: (rec: Recording, body: unknown) => unknown) {
	const sessions = new Set<string>();
	const tokens = new Set<string>();
	const tokenOrder: string[] = [];
	for (const r of recs) {
		const res = (r.response_body as { result?: Record<string, unknown> } | null)?.result;
		if (res && typeof res.sessionName === 'string') sessions.add(res.sessionName);
		if (res && typeof res.token === 'string') tokens.add(res.token);
	}
	const problems: string[] = [];
	let current: Recording | undefined;
	const server: Server = createServer(async (req, res) => {
		const rec = current as Recording;
		const url = new URL(req.url ?? '/', 'http://x');
		const body = await readBody(req);
		const form = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
			? Object.fromEntries(new URLSearchParams(body))
			: {};
		const params: Record<string, string> = { ...Object.fromEntries(url.searchParams), ...form };
		const where = `${rec.file} #${rec.line}`;
		const text = req.headers['content-type']?.startsWith('multipart/') ? body : Object.values(params).join(' ');
		// a recorded session name or a recorded record id must never reach the server
		if (sessions.has(params.sessionName)) problems.push(`${where}: recorded session ${params.sessionName} sent`);
		for (const id of text.match(/(?<![0-9])[0-9]+x[0-9]+(?![0-9])/g) ?? []) {
			const [p, num] = id.split('x');
			const n = FIXED_PREFIXES.includes(p) ? 0 : Number(num);
			// 144-150 were made by the lab outside the recordings (LAB_ACTIONS), 999 is a missing user
			if (n > 1 && n < 1000 && n !== 999 && !(n >= 144 && n <= 150)) problems.push(`${where}: unmapped id ${id} sent`);
		}
		const recParams = (rec.method === 'GET' ? rec.request_params : { ...(rec.request_params.query as object), ...(rec.request_params.body as object) }) as Record<string, string>;
		if (recParams.operation === 'getchallenge' && (rec.response_body as { success: boolean }).success)
			tokenOrder.push((rec.response_body as { result: { token: string } }).result.token);
		if (recParams.operation === 'login' && rec.method === 'POST' && typeof recParams.accessKey === 'string') {
			const user = String(recParams.username ?? '').toLowerCase();
			const recKey = RECORDED_KEYS[user];
			const liveKey = user === 'admin' ? LIVE_KEY : LIVE_USER_KEY;
			const t = tokenOrder.find((tok) => recKey !== undefined && md5(tok + recKey) === recParams.accessKey) ??
				(recKey === undefined ? tokenOrder[tokenOrder.length - 1] : undefined);
			if (t !== undefined && params.accessKey !== md5(`f${t}` + liveKey))
				problems.push(`${where}: digest ${params.accessKey} is not md5(live token + live key)`);
			if (recParams.accessKey === RECORDED_KEYS.admin && params.accessKey !== LIVE_KEY)
				problems.push(`${where}: raw key not replaced`);
		}
		let out = transform(rec.response_body, sessions, tokens);
		if (mutate) out = mutate(rec, out);
		res.writeHead(rec.http_status, { 'Content-Type': rec.content_type });
		res.end(typeof out === 'string' ? out : JSON.stringify(out));
	});
	return new Promise<{ url: string; problems: string[]; setCurrent(r: Recording): void; close(): Promise<void> }>((resolve) =>
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as AddressInfo;
			resolve({
				url: `http://127.0.0.1:${port}/webservice.php`,
				problems,
				setCurrent: (r) => (current = r),
				close: () => new Promise((r) => server.close(() => r())),
			});
		}),
	);
}

describe('conformance replay tool', () => {
	const recs = loadRecordings();

	it('loads all 532 recordings in recording order (04a before 04, 07 stock before patched, 01 #26 last)', () => {
		expect(recs).toHaveLength(532);
		const pos = (file: string, line: number) => recs.findIndex((r) => r.file === file && r.line === line);
		expect(pos('04a_bulk_create', 132)).toBeLessThan(pos('04_query', 1));
		expect(pos('07_other_ops_stock', 45)).toBeLessThan(pos('07_other_ops_patched_8081', 1));
		expect(pos('01_basic_crud', 26)).toBe(525);
	});

	it('rewrites ids, sessions, tokens and digests for another server and matches its answers', async () => {
		const mirror = await startMirror(recs);
		try {
			const report = await replay(recs, {
				url: mirror.url,
				positionalUrl: mirror.url,
				admin: { username: 'admin', accessKey: LIVE_KEY },
				user: { username: 'labuser', accessKey: LIVE_USER_KEY },
				beforeRequest: (r) => mirror.setCurrent(r),
			});
			expect(mirror.problems).toEqual([]);
			expect(formatReport(report)).not.toContain('mismatches:');
			expect(report.skipped).toBe(5);
			expect(report.matched).toBe(527);
		} finally {
			await mirror.close();
		}
	}, 60_000);

	it('reports a changed JSON type, a changed error code and a missing key', async () => {
		const some = recs.filter((r) => ['05', '06'].includes(r.fileId));
		const mirror = await startMirror(some, (rec, body) => {
			const b = body as { success: boolean; result?: Record<string, unknown>; error?: { code: string } };
			if (rec.file.startsWith('06') && rec.line === 11 && b.result) b.result.more = 'false';
			if (rec.file.startsWith('06') && rec.line === 16 && b.error) b.error.code = 'INVALID_ID_ATTRIBUTE';
			if (rec.file.startsWith('06') && rec.line === 2 && b.result) delete b.result.userId;
			return b;
		});
		try {
			const report = await replay(some, {
				url: mirror.url,
				positionalUrl: mirror.url,
				admin: { username: 'admin', accessKey: LIVE_KEY },
				beforeRequest: (r) => mirror.setCurrent(r),
			});
			const bad = report.results
				.filter((r) => r.outcome.kind === 'mismatch')
				.map((r) => `${r.rec.line}: ${(r.outcome as { diffs: Array<{ text: string }> }).diffs.map((d) => d.text).join('; ')}`);
			expect(bad).toEqual([
				'2: $.result: missing keys userId',
				'11: $.result.more: boolean false -> string "false"',
				'16: error.code "ACCESS_DENIED" -> "INVALID_ID_ATTRIBUTE"',
			]);
		} finally {
			await mirror.close();
		}
	}, 60_000);

	it('compares plain-text and empty bodies exactly', () => {
		const rec = recs.find((r) => r.response_body === 'Sorry! Attempt to access restricted file.') as Recording;
		expect(compareResponse(rec, 200, 'Sorry! Attempt to access restricted file.')).toEqual([]);
		expect(compareResponse(rec, 200, '{"success":false}').map((d) => d.category)).toEqual(['body']);
		const crash = recs.find((r) => r.http_status === 500) as Recording;
		expect(compareResponse(crash, 500, '')).toEqual([]);
		expect(compareResponse(crash, 200, '').map((d) => d.category)).toEqual(['status']);
	});

	it('on a shared live target compares a list by its elements and counts its length as a tolerance', () => {
		const rec = recs.find((r) => r.file === '04_query' && r.line === 16) as Recording;
		const result = (rec.response_body as { result: Array<Record<string, unknown>> }).result;
		const longer = JSON.stringify({ success: true, result: [...result, result[0]] });
		expect(compareResponse(rec, 200, longer).map((d) => d.text)).toEqual([`$.result: length ${result.length} -> ${result.length + 1}`]);
		const tolerances: Tolerance[] = [];
		expect(compareResponse(rec, 200, longer, tolerances)).toEqual([]);
		expect(tolerances.map((t) => t.kind)).toEqual(['list length']);
		const otherShape = JSON.stringify({ success: true, result: [{ ...result[0], id: 7 }, ...result] });
		expect(compareResponse(rec, 200, otherShape, []).map((d) => d.text)).toEqual(['$.result[0].id: string "' + String(result[0].id) + '" -> number 7']);
	});
});
