/**
 * npm run bench -- --url URL --username USER --access-key KEY [--runs 3] [--concurrency 4] [--creates 120] [--records 300]
 * The benchmark against a real Vtiger: create, Return All and trigger-drain, each done by the Vtiger
 * node (n8n engine), a raw client on one session and a raw client with a pool of `concurrency`
 * sessions, all through a counting proxy on 127.0.0.1. Every record carries a tag and is deleted
 * afterwards. Writes bench/results.json and bench/results.md (or --out NAME: bench/NAME.json/.md).
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import type { IDataObject } from 'n8n-workflow';

import { createHarness, type Harness } from '../test/support/harness';
import { startCountingProxy, type CountingProxy } from './proxy';
import { RawClient, VtigerCallError } from './raw';
import type { Target } from './types';

export interface ServerOptions {
	url: string;
	username: string;
	accessKey: string;
	runs: number;
	concurrency: number;
	creates: number;
	records: number;
	out?: string;
}

type ServerSide = 'node' | 'rawSingle' | 'rawPool';
const SIDES: ServerSide[] = ['node', 'rawSingle', 'rawPool'];

interface Run {
	wallMs: number;
	cpuMs: number;
	items: number;
	failedItems: number;
	requests: Record<string, number>;
	maxInFlight: number;
	error?: string;
}

interface SideSummary extends Run {
	runsMs: number[];
}

interface ServerScenario {
	name: string;
	description: string;
	size: number;
	sides: Partial<Record<ServerSide, SideSummary>>;
	targets: Record<string, Target>;
	skipped?: string;
}

export interface ServerResults {
	target: string;
	kind: 'server';
	concurrency: number;
	runs: number;
	date: string;
	node: string;
	loadAverage: number[];
	loadAverageAfter?: number[];
	scenarios: ServerScenario[];
}

function median(runs: Run[]): SideSummary {
	const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
	const mid = sorted[Math.floor((sorted.length - 1) / 2)];
	const cpu = runs.map((r) => r.cpuMs).sort((a, b) => a - b);
	return {
		...mid,
		wallMs: Number(mid.wallMs.toFixed(1)),
		cpuMs: cpu[Math.floor((cpu.length - 1) / 2)],
		runsMs: runs.map((r) => Number(r.wallMs.toFixed(1))),
	};
}

const tagOf = () => `n8nbench${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

function target(want: number | string, got: number | null | undefined, met: boolean): Target {
	return { want, got: got ?? null, met: got !== null && got !== undefined && met };
}

/** A raw client straight to the CRM (no proxy) for the untimed preparation and clean-up. */
function helper(opts: ServerOptions): RawClient {
	return new RawClient(opts.url, opts.username, opts.accessKey, opts.concurrency, opts.concurrency);
}

async function idsTagged(client: RawClient, tag: string): Promise<string[]> {
	const ids: string[] = [];
	for (let offset = 0; ; offset += 100) {
		const page = (await client.call('query', {
			query: `SELECT id FROM Contacts WHERE lastname LIKE '${tag}%' LIMIT ${offset},100;`,
		})) as Array<{ id: string }>;
		ids.push(...page.map((row) => row.id));
		if (page.length < 100) return ids;
	}
}

async function deleteTagged(client: RawClient, tag: string): Promise<number> {
	const ids = await idsTagged(client, tag);
	await client.map(ids, async (id, _i, lane) => await client.call('delete', { id }, lane));
	return ids.length;
}

function contactsFor(tag: string, n: number, userId: string): IDataObject[] {
	return Array.from({ length: n }, (_, i) => ({
		lastname: `${tag}-${String(i).padStart(4, '0')}`,
		firstname: 'Bench',
		assigned_user_id: userId,
	}));
}

interface SideContext {
	proxy: CountingProxy;
	harness?: Harness;
	raw?: RawClient;
}

async function openSide(side: ServerSide, opts: ServerOptions): Promise<SideContext> {
	// a proxy per run: a new local URL, so the node's session pool starts cold like the raw clients
	const proxy = await startCountingProxy(opts.url);
	if (side === 'node') {
		return { proxy, harness: createHarness({ baseUrl: proxy.url, username: opts.username, accessKey: opts.accessKey }) };
	}
	return {
		proxy,
		raw: new RawClient(proxy.url, opts.username, opts.accessKey, opts.concurrency, side === 'rawPool' ? opts.concurrency : 1),
	};
}

async function timed(ctx: SideContext, work: () => Promise<{ items: number; failedItems: number; error?: string }>): Promise<Run> {
	ctx.proxy.reset();
	const cpu = process.cpuUsage();
	const started = performance.now();
	const out = await work();
	const wallMs = performance.now() - started;
	const used = process.cpuUsage(cpu);
	return {
		wallMs,
		cpuMs: Math.round((used.user + used.system) / 1000),
		requests: ctx.proxy.requests(),
		maxInFlight: ctx.proxy.maxInFlight(),
		...out,
	};
}

async function runNode(h: Harness, parameters: IDataObject, items?: IDataObject[]) {
	const result = await h.runNode({ type: 'vtiger', parameters: parameters as never, items, continueOnFail: true });
	if (result.error) return { items: 0, failedItems: items?.length ?? 1, error: result.error.message };
	return {
		items: result.items.length - result.errors.length,
		failedItems: result.errors.length,
		...(result.errors.length ? { error: result.errors[0] } : {}),
	};
}

async function createRun(
	side: ServerSide,
	opts: ServerOptions,
	tag: string,
	userId: string,
	cleaner: RawClient,
	count = opts.creates,
): Promise<Run> {
	const ctx = await openSide(side, opts);
	const elements = contactsFor(tag, count, userId);
	try {
		const run = await timed(ctx, async () => {
			if (ctx.harness) {
				return await runNode(
					ctx.harness,
					{
						resource: 'record',
						operation: 'create',
						module: 'Contacts',
						columns: { mappingMode: 'autoMapInputData', value: null },
						options: { maxConcurrency: opts.concurrency },
					},
					elements,
				);
			}
			const raw = ctx.raw as RawClient;
			let failed = 0;
			await raw.map(elements, async (element, _i, lane) => {
				try {
					await raw.call('create', { elementType: 'Contacts', element: JSON.stringify(element) }, lane);
				} catch {
					failed++;
				}
			});
			return { items: elements.length - failed, failedItems: failed };
		});
		const written = await deleteTagged(cleaner, tag);
		return { ...run, items: written };
	} finally {
		ctx.raw?.close();
		await ctx.proxy.stop();
	}
}

async function getManyRun(side: ServerSide, opts: ServerOptions, tag: string): Promise<Run> {
	const ctx = await openSide(side, opts);
	try {
		return await timed(ctx, async () => {
			if (ctx.harness) {
				return await runNode(ctx.harness, {
					resource: 'record',
					operation: 'getAll',
					module: 'Contacts',
					returnAll: true,
					filters: { conditions: [{ field: 'lastname', operator: 'like', value: `${tag}%` }] },
					options: { maxConcurrency: opts.concurrency },
				});
			}
			const raw = ctx.raw as RawClient;
			const rows: unknown[] = [];
			for (let offset = 0; ; offset += 100) {
				const page = (await raw.call('query', {
					query: `SELECT * FROM Contacts WHERE lastname LIKE '${tag}%' LIMIT ${offset},100;`,
				})) as unknown[];
				rows.push(...page);
				if (page.length < 100) break;
			}
			return { items: rows.length, failedItems: 0 };
		});
	} finally {
		ctx.raw?.close();
		await ctx.proxy.stop();
	}
}

async function drainRun(side: ServerSide, opts: ServerOptions, cursor: number): Promise<Run> {
	const ctx = await openSide(side, opts);
	try {
		return await timed(ctx, async () => {
			if (ctx.harness) {
				const out = await ctx.harness.poll(
					{
						module: 'Contacts',
						events: ['created', 'updated', 'deleted'],
						options: { startFrom: new Date(cursor * 1000).toISOString() },
					},
					{},
					'trigger',
				);
				return { items: out.items?.length ?? 0, failedItems: 0 };
			}
			const out = await (ctx.raw as RawClient).syncFrom('Contacts', cursor);
			return { items: out.updated.length + out.deleted.length, failedItems: 0 };
		});
	} finally {
		ctx.raw?.close();
		await ctx.proxy.stop();
	}
}

const ratio = (a?: SideSummary, b?: SideSummary) => (a && b ? Number((a.wallMs / b.wallMs).toFixed(3)) : null);
const req = (s: SideSummary | undefined, op: string) => (s ? (s.requests[op] ?? 0) : null);

async function measure(
	scenario: ServerScenario,
	opts: ServerOptions,
	once: (side: ServerSide, run: number) => Promise<Run>,
): Promise<void> {
	const runs: Record<ServerSide, Run[]> = { node: [], rawSingle: [], rawPool: [] };
	for (let run = 0; run < opts.runs; run++) {
		// rotate which side goes first so none always meets the same server state
		for (const side of SIDES.map((_, i) => SIDES[(i + run) % SIDES.length])) {
			const result = await once(side, run);
			runs[side].push(result);
			process.stderr.write(`  ${scenario.name} ${side} run ${run + 1}: ${result.wallMs.toFixed(0)} ms, ${result.items} items\n`);
		}
	}
	for (const side of SIDES) scenario.sides[side] = median(runs[side]);
}

/** Server time as epoch seconds of a record's modifiedtime (stored as UTC without a zone). */
function epochOf(modifiedtime: string): number {
	return Math.floor(Date.parse(`${modifiedtime.replace(' ', 'T')}Z`) / 1000);
}

export async function runServerBench(opts: ServerOptions): Promise<void> {
	const started = performance.now();
	const results: ServerResults = {
		target: opts.url,
		kind: 'server',
		concurrency: opts.concurrency,
		runs: opts.runs,
		date: new Date().toISOString(),
		node: process.versions.node,
		loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
		scenarios: [],
	};
	const cleaner = helper(opts);
	await cleaner.login();
	const userId = cleaner.userId;
	const dataTag = tagOf();
	try {
		// untimed: the records Return All reads and the trigger drains
		const data = contactsFor(`${dataTag}-data`, opts.records, userId);
		const first = (await cleaner.call('create', { elementType: 'Contacts', element: JSON.stringify(data[0]) })) as {
			modifiedtime: string;
		};
		await cleaner.map(data.slice(1), async (element, _i, lane) =>
			await cleaner.call('create', { elementType: 'Contacts', element: JSON.stringify(element) }, lane),
		);
		const cursor = epochOf(first.modifiedtime) - 1;
		// the engine's first executions pay for module loading and JIT: keep that out of the numbers
		await drainRun('node', opts, cursor).catch(() => undefined);
		await getManyRun('node', opts, `${dataTag}-data`);
		await createRun('node', opts, `${dataTag}-warm`, userId, cleaner, 2 * opts.concurrency);

		const drain: ServerScenario = {
			name: `trigger-drain-${opts.records}`,
			description: `One trigger poll from a Start From before ${opts.records} new Contacts (sync pages)`,
			size: opts.records,
			sides: {},
			targets: {},
		};
		let syncWorks = true;
		try {
			await cleaner.call('sync', { modifiedTime: Math.floor(Date.now() / 1000), elementType: 'Contacts' });
		} catch (error) {
			syncWorks = !(error instanceof VtigerCallError && error.code.startsWith('HTTP_5'));
		}
		if (syncWorks) {
			await measure(drain, opts, async (side) => await drainRun(side, opts, cursor));
			const node = drain.sides.node;
			drain.targets = {
				'changes emitted (at least the new records)': target(`>= ${opts.records}`, node?.items, (node?.items ?? 0) >= opts.records),
				'sync requests (as the raw client)': target(req(drain.sides.rawSingle, 'sync') ?? 0, req(node, 'sync'), req(node, 'sync') === req(drain.sides.rawSingle, 'sync')),
				'logins': target(1, node?.requests.login ?? 0, (node?.requests.login ?? 0) === 1),
			};
		} else {
			drain.skipped = 'sync crashes on this server (HTTP 500: stock 8.3.0 on PHP 8); measured on the positional server';
		}
		results.scenarios.push(drain);

		const pages = Math.ceil((opts.records + 1) / 100);
		const getMany: ServerScenario = {
			name: `getmany-${opts.records}`,
			description: `Get Many, Return All, ${opts.records} Contacts matched by a filter (VTQL pages of 100)`,
			size: opts.records,
			sides: {},
			targets: {},
		};
		await measure(getMany, opts, async (side) => await getManyRun(side, opts, `${dataTag}-data`));
		getMany.targets = {
			'records returned': target(opts.records, getMany.sides.node?.items, getMany.sides.node?.items === opts.records),
			[`query requests (ceil((N+1)/100) = ${pages})`]: target(pages, req(getMany.sides.node, 'query'), req(getMany.sides.node, 'query') === pages),
		};
		results.scenarios.push(getMany);

		const create: ServerScenario = {
			name: `create-${opts.creates}`,
			description: `Create ${opts.creates} Contacts (${opts.creates} input items), Max Concurrent Requests ${opts.concurrency}`,
			size: opts.creates,
			sides: {},
			targets: {},
		};
		await measure(create, opts, async (side, run) => await createRun(side, opts, `${dataTag}-c${run}${side}`, userId, cleaner));
		const { node, rawSingle, rawPool } = create.sides;
		const vsPool = ratio(node, rawPool);
		const singleVsNode = ratio(rawSingle, node);
		create.targets = {
			'records written': target(opts.creates, node?.items, node?.items === opts.creates),
			'failed items': target(0, node?.failedItems, node?.failedItems === 0),
			'create requests (one per record)': target(opts.creates, req(node, 'create'), req(node, 'create') === opts.creates),
			[`logins (<= ${opts.concurrency}: the stored session and the pool)`]: target(`<= ${opts.concurrency}`, req(node, 'login'), (req(node, 'login') ?? 99) <= opts.concurrency),
			'node wall vs raw pool client': target('<= 1.10', vsPool, vsPool !== null && vsPool <= 1.1),
			'raw single-session wall vs node (node faster)': target('>= 1.15', singleVsNode, singleVsNode !== null && singleVsNode >= 1.15),
		};
		results.scenarios.push(create);
	} finally {
		const removed = await deleteTagged(cleaner, dataTag).catch(() => -1);
		process.stderr.write(`cleaned up ${removed} tagged records\n`);
		cleaner.close();
	}
	results.loadAverageAfter = loadavg().map((l) => Number(l.toFixed(2)));
	const name = opts.out ?? 'results';
	writeFileSync(join(__dirname, `${name}.json`), `${JSON.stringify(results, null, '\t')}\n`);
	const table = serverMarkdown(results);
	writeFileSync(join(__dirname, `${name}.md`), table);
	process.stdout.write(`${table}\n`);
	process.stderr.write(`bench (server): ${((performance.now() - started) / 1000).toFixed(1)} s; wrote bench/${name}.json and bench/${name}.md\n`);
}

function requestsText(side?: SideSummary): string {
	if (!side) return '—';
	return Object.entries(side.requests)
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([op, n]) => `${op} ${n}`)
		.join(', ');
}

export function serverMarkdown(r: ServerResults): string {
	const lines = [
		`# Benchmark against a real Vtiger: ${r.target}`,
		'',
		`Median of ${r.runs} runs per side (the sides take turns going first); concurrency ${r.concurrency} (node Max Concurrent ` +
			`Requests, raw clients' requests in flight; the pool client has ${r.concurrency} sessions). Requests counted by a proxy ` +
			`on 127.0.0.1 that every side goes through. ${r.date}, Node ${r.node}. The machine is shared: load average ` +
			`${r.loadAverage.join(' ')} at the start, ${(r.loadAverageAfter ?? []).join(' ')} at the end; wall times move with it.`,
		'',
		'| Scenario | Node ms | Raw 1 session ms | Raw pool ms | Node/pool | Single/node | Node requests | Raw 1 session requests | Raw pool requests | Runs (node) | Targets |',
		'|---|---:|---:|---:|---:|---:|---|---|---|---|---|',
	];
	for (const s of r.scenarios) {
		if (s.skipped) {
			lines.push(`| **${s.name}** | — | — | — | — | — | skipped: ${s.skipped} | | | | |`);
			continue;
		}
		const { node, rawSingle, rawPool } = s.sides;
		const fmt = (x: number | null) => (x === null ? '—' : `${x.toFixed(2)}x`);
		const t = Object.entries(s.targets)
			.map(([what, v]) => `${v.met ? '✅' : '❌ MISSED'} ${what}: want ${v.want}, got ${v.got ?? 'n/a'}`)
			.join('<br>');
		lines.push(
			`| **${s.name}**<br>${s.description} | ${node?.wallMs.toFixed(0) ?? '—'} | ${rawSingle?.wallMs.toFixed(0) ?? '—'} | ` +
				`${rawPool?.wallMs.toFixed(0) ?? '—'} | ${fmt(ratio(node, rawPool))} | ${fmt(ratio(rawSingle, node))} | ` +
				`${requestsText(node)}${node?.failedItems ? `; **${node.failedItems} failed** (${node.error ?? ''})` : ''} | ${requestsText(rawSingle)} | ${requestsText(rawPool)} | ` +
				`${node?.runsMs.join(', ') ?? ''} | ${t} |`,
		);
	}
	return `${lines.join('\n')}\n`;
}
