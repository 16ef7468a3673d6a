/**
 * What the Vtiger extension (vtiger-extension/) costs a save, and how fast a save reaches a receiver, on a real
 * Vtiger (the lab of ../shared/lab, or any server with --url):
 *   bash scripts/node24.sh node node_modules/tsx/dist/cli.mjs bench/extension.ts [--saves 50] [--server stock|positional|URL]
 *        [--rounds 2] [--gap MS] [--out NAME] [--no-install]
 * Phases, each `--saves` sequential webservice creates of a tagged Contact (a save; deleted afterwards, untimed),
 * `--gap` ms apart (default 0: back to back, so each save's delivery work runs beside the next save), repeated
 * `--rounds` times in rotation so that load from others on the shared machine hits all phases alike:
 *   without  the module not installed (module.sh --remove)
 *   up       installed, one subscription to a receiver in this process answering 200 at once
 *   down     installed, one subscription to a closed port on 127.0.0.1 (n8n unreachable)
 * Reports per phase p50/p95/mean of the save's response time, and for "up" the time from the save's response
 * to the delivery's arrival (p50/p95). With --no-install the module's state is left alone ("without" is skipped);
 * otherwise the module is installed from dist/ (npm run build) and left as it was found (installed or not).
 * Writes bench/lab/extension-<name>.json and .md.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

import { arg, flag, LAB_DIR, labEnv as env, serverArg, URL } from './labArgs';

const ROOT = resolve(__dirname, '..');
const LAB = resolve(ROOT, process.env.LIVE_LAB ?? '../shared/lab');
const SAVES = Number(arg('saves', '50'));
const ROUNDS = Number(arg('rounds', '2'));
/** pause between saves: 0 = back to back (each save's delivery runs while the next save runs) */
const GAP_MS = Number(arg('gap', '0'));
const OUT = arg('out', `extension-${serverArg.replace(/[^a-z0-9]+/gi, '-')}${process.argv.includes('--gap') ? `-gap${arg('gap', '0')}` : ''}`);
const VERSION = (JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string }).version;
const ZIP = `${ROOT}/dist/vtiger-extension/N8nConnector-${VERSION}.zip`;
const TAG = `n8nbench-ext-${Date.now().toString(36)}`;

/** module.sh; under heavy load a lab server may come up later than module.sh waits: then the state decides. */
const moduleSh = (...args: string[]) => {
	try {
		execFileSync('bash', [`${LAB}/module.sh`, ...args], { env: { ...process.env, LAB_DIR }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	} catch (e) {
		execFileSync('sleep', ['5']);
		if (installed() !== (args[0] !== '--remove')) throw e;
		execFileSync('bash', [`${LAB}/start.sh`], { env: { ...process.env, LAB_DIR }, stdio: 'ignore' });
	}
};
const installed = () =>
	execFileSync('mariadb', [`--socket=${env.VT_DB_SOCKET}`, `-u${env.VT_DB_USER}`, `-p${env.VT_DB_PASSWORD}`, '-N', '-B', env.VT_DB_NAME, '-e',
		"SELECT COUNT(*) FROM vtiger_tab WHERE name = 'N8nConnector'"], { encoding: 'utf8' }).trim() === '1';

interface Answer {
	success: boolean;
	result?: Record<string, unknown>;
	error?: { code: string; message: string };
}

let sessionName = '';
let retried = 0;
async function send(operation: string, params: Record<string, unknown>, method: 'GET' | 'POST' = 'POST'): Promise<Answer> {
	const form = new URLSearchParams({ operation, ...(sessionName ? { sessionName } : {}) });
	for (const [k, v] of Object.entries(params)) form.set(k, typeof v === 'string' ? v : JSON.stringify(v));
	const response = method === 'GET' ? await fetch(`${URL}?${form.toString()}`) : await fetch(URL, { method: 'POST', body: form });
	return (await response.json()) as Answer;
}
/** One call; a connection the shared lab dropped (its servers restart when anyone installs a module) is retried. */
async function call(operation: string, params: Record<string, unknown>, method: 'GET' | 'POST' = 'POST'): Promise<Record<string, unknown>> {
	let answer: Answer | undefined;
	for (let attempt = 1; !answer; attempt++) {
		try {
			answer = await send(operation, params, method);
		} catch (e) {
			if (attempt >= 10) throw e;
			retried++;
			await new Promise((r) => setTimeout(r, 1000));
		}
	}
	if (!answer.success && answer.error?.code === 'INVALID_SESSIONID' && operation !== 'login') {
		await login();
		answer = await send(operation, params, method);
	}
	if (!answer.success) throw new Error(`${operation}: ${answer.error?.code} ${answer.error?.message}`);
	return answer.result!;
}
async function login(): Promise<void> {
	sessionName = '';
	const challenge = await call('getchallenge', { username: env.VT_USER }, 'GET');
	const key = createHash('md5').update(String(challenge.token) + env.VT_ACCESSKEY).digest('hex');
	sessionName = String((await call('login', { username: env.VT_USER, accessKey: key })).sessionName);
}

// the receiver: arrival time per record id
const arrivals = new Map<string, number>();
const receiver = createServer((req, res) => {
	const chunks: Buffer[] = [];
	req.on('data', (c: Buffer) => chunks.push(c));
	req.on('end', () => {
		const at = performance.now();
		try {
			const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { id: string } };
			if (!arrivals.has(body.data.id)) arrivals.set(body.data.id, at);
		} catch {
			// not a delivery
		}
		res.writeHead(200).end();
	});
});

const quantile = (values: number[], q: number) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN;
};
const round = (n: number) => Math.round(n * 10) / 10;

interface PhaseResult {
	saves: number[];
	latency: number[];
	missing: number;
}

async function savePhase(phase: string, trackLatency: boolean): Promise<PhaseResult> {
	await login();
	const saves: number[] = [];
	const answered = new Map<string, number>();
	const ids: string[] = [];
	for (let i = 0; i < SAVES; i++) {
		const before = retried;
		const started = performance.now();
		const created = await call('create', { elementType: 'Contacts', element: { lastname: `${TAG}-${phase}-${i}`, assigned_user_id: env.VT_USER_ID ?? '19x1' } });
		const done = performance.now();
		if (retried === before) saves.push(done - started); // a save that waited for a restarting server is not timed
		if (GAP_MS) await new Promise((r) => setTimeout(r, GAP_MS));
		ids.push(String(created.id));
		answered.set(String(created.id), done);
	}
	const latency: number[] = [];
	let missing = 0;
	if (trackLatency) {
		const until = performance.now() + 30000;
		while (ids.some((id) => !arrivals.has(id)) && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
		for (const id of ids) {
			const at = arrivals.get(id);
			if (at === undefined) missing++;
			else latency.push(at - answered.get(id)!);
		}
	}
	for (const id of ids) await call('delete', { id }).catch(() => undefined);
	return { saves, latency, missing };
}

async function subscribe(url: string): Promise<string> {
	await login();
	await call('n8n_settings', { settings: { allowedHosts: ['127.0.0.1'] } });
	const sub = await call('n8n_subscribe', { url, modules: ['Contacts'], events: ['created'], ttl: '3600', label: `${TAG} bench` });
	return String(sub.id);
}

async function main(): Promise<void> {
	if (!existsSync(ZIP) && !flag('no-install')) throw new Error(`${ZIP} missing: run npm run build`);
	await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
	const port = (receiver.address() as AddressInfo).port;
	const closed = createServer();
	await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
	const closedPort = (closed.address() as AddressInfo).port;
	await new Promise<void>((r) => closed.close(() => r()));

	const wasInstalled = installed();
	const phases = flag('no-install') ? ['up', 'down'] : ['without', 'up', 'down'];
	const results: Record<string, PhaseResult> = {};
	for (const p of phases) results[p] = { saves: [], latency: [], missing: 0 };
	for (let r = 0; r < ROUNDS; r++) {
		for (const phase of phases) {
			if (!flag('no-install')) {
				if (phase === 'without' && installed()) moduleSh('--remove', 'N8nConnector');
				if (phase !== 'without' && !installed()) moduleSh('--import', ZIP);
			}
			let sub = '';
			if (phase === 'up') sub = await subscribe(`http://127.0.0.1:${port}/bench`);
			if (phase === 'down') sub = await subscribe(`http://127.0.0.1:${closedPort}/bench`);
			console.log(`round ${r + 1}/${ROUNDS}: ${phase} (${SAVES} saves)`);
			try {
				const got = await savePhase(phase, phase === 'up');
				results[phase].saves.push(...got.saves);
				results[phase].latency.push(...got.latency);
				results[phase].missing += got.missing;
			} finally {
				if (sub) await call('n8n_unsubscribe', { id: sub });
			}
		}
	}
	if (!flag('no-install')) {
		if (wasInstalled && !installed()) moduleSh('--import', ZIP);
		if (!wasInstalled && installed()) moduleSh('--remove', 'N8nConnector');
	}
	receiver.close();

	const summary = Object.fromEntries(
		Object.entries(results).map(([phase, r]) => [
			phase,
			{
				saves: r.saves.length,
				saveP50Ms: round(quantile(r.saves, 0.5)),
				saveP95Ms: round(quantile(r.saves, 0.95)),
				saveMeanMs: round(r.saves.reduce((a, b) => a + b, 0) / r.saves.length),
				...(phase === 'up'
					? { deliveryP50Ms: round(quantile(r.latency, 0.5)), deliveryP95Ms: round(quantile(r.latency, 0.95)), deliveriesMissing: r.missing }
					: {}),
			},
		]),
	);
	const base = summary.without?.saveP50Ms;
	const out = { url: URL, version: VERSION, savesPerPhase: SAVES, gapMs: GAP_MS, rounds: ROUNDS, untimedRetries: retried, loadavg: loadavg().map(round), at: new Date().toISOString(), summary };
	writeFileSync(join(ROOT, 'bench/lab', `${OUT}.json`), `${JSON.stringify(out, null, '\t')}\n`);
	const lines = [
		`# Save cost of the Vtiger extension: ${URL}`,
		'',
		`${SAVES} sequential webservice creates per phase (${GAP_MS ? `${GAP_MS} ms apart` : 'back to back'}) × ${ROUNDS} rounds, ${out.at}, load average ${out.loadavg.join(' / ')}` +
			(retried ? ` (${retried} saves hit a restarting lab server and were not timed)` : ''),
		'',
		'| phase | saves | save p50 ms | save p95 ms | mean ms | p50 vs without | save → delivery p50 ms | p95 ms | missing |',
		'|---|---|---|---|---|---|---|---|---|',
		...Object.entries(summary).map(([phase, s]) => {
			const d = s as Record<string, number>;
			const ratio = base ? `${round((d.saveP50Ms / base - 1) * 100)} %` : '';
			return `| ${phase} | ${d.saves} | ${d.saveP50Ms} | ${d.saveP95Ms} | ${d.saveMeanMs} | ${ratio} | ${d.deliveryP50Ms ?? ''} | ${d.deliveryP95Ms ?? ''} | ${d.deliveriesMissing ?? ''} |`;
		}),
		'',
	];
	writeFileSync(join(ROOT, 'bench/lab', `${OUT}.md`), lines.join('\n'));
	console.log(lines.join('\n'));
}

main().catch((e: unknown) => {
	console.error(e);
	process.exit(1);
});
