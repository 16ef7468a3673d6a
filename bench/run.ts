/**
 * npm run bench [-- --quick] [--runs N] [--latency MS] [--concurrency N] [--only name,name]
 * npm run bench -- --url URL --username USER --access-key KEY [--runs 3] [--concurrency 4] [--creates N] [--records N] [--out NAME]
 *   (a real Vtiger: bench/server.ts)
 * Runs every scenario through the n8n engine (the Vtiger node, the Vtiger Trigger) and through a
 * minimal raw client against a fresh simulator per run; writes bench/results.json and bench/results.md.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { loadNodeDriver, type NodeDriver } from './node';
import { RawClient } from './raw';
import { markdown } from './report';
import { target, type RunContext, type Scenario, type Side } from './scenario';
import { contact, FLOOR_RATIO_MAX, SCENARIOS } from './scenarios';
import { runServerBench, type ServerOptions } from './server';
import { countConnections, killEvery, requestsByOperation, startBenchSim } from './sim';
import type { BenchResults, FloorResult, ScenarioResult, SideResult } from './types';

interface Options {
	server?: Partial<ServerOptions>;
	quick: boolean;
	runs: number;
	latencyMs: number;
	concurrency: number;
	only?: string[];
}

function parseArgs(argv: string[]): Options {
	const opts: Options = { quick: false, runs: 0, latencyMs: 5, concurrency: 5 };
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const value = () => inline ?? argv[++i];
		switch (flag) {
			case '--quick':
				opts.quick = true;
				break;
			case '--runs':
				opts.runs = Number(value());
				break;
			case '--latency':
				opts.latencyMs = Number(value());
				break;
			case '--concurrency':
				opts.concurrency = Number(value());
				break;
			case '--only':
				opts.only = value().split(',');
				break;
			case '--url':
				opts.server = { ...opts.server, url: value() };
				break;
			case '--username':
				opts.server = { ...opts.server, username: value() };
				break;
			case '--access-key':
				opts.server = { ...opts.server, accessKey: value() };
				break;
			case '--creates':
				opts.server = { ...opts.server, creates: Number(value()) };
				break;
			case '--records':
				opts.server = { ...opts.server, records: Number(value()) };
				break;
			case '--out':
				opts.server = { ...opts.server, out: value() };
				break;
			default:
				throw new Error(
					`unknown option ${argv[i]} (use --quick, --runs N, --latency MS, --concurrency N, --only a,b; ` +
						'against a server --url URL --username USER --access-key KEY [--creates N] [--records N] [--out NAME])',
				);
		}
	}
	if (!opts.runs) opts.runs = opts.quick ? 1 : 5;
	return opts;
}

type Measured = Omit<SideResult, 'runsMs'>;

const scaled = (n: number, quick: boolean) => (quick ? Math.max(1, Math.round(n / 10)) : n);

async function measureOnce(
	scenario: Scenario,
	side: Side,
	opts: Options,
	driver?: NodeDriver,
): Promise<Measured> {
	const sim = await startBenchSim(opts.latencyMs);
	const ctx: RunContext = { sim, side, size: scaled(scenario.fullSize, opts.quick), concurrency: opts.concurrency, state: {} };
	let raw: RawClient | undefined;
	try {
		if (side !== 'raw') {
			ctx.driver = driver;
			ctx.harness = driver!.harness(sim);
		} else {
			raw = new RawClient(sim.url, sim.admin.username, sim.admin.accessKey, opts.concurrency);
			ctx.raw = raw;
		}
		await scenario.prepare(ctx);
		if (raw && scenario.warmRaw) await raw.login();
		sim.clearLog();
		sim.resetMaxInFlight();
		const connections = countConnections(sim);
		const killer = scenario.killEvery ? killEvery(sim, scenario.killEvery) : undefined;
		const cpu = process.cpuUsage();
		const started = performance.now();
		const out =
			side === 'node' ? await scenario.node(ctx) : side === 'floor' ? await scenario.floor!(ctx) : await scenario.raw(ctx);
		const wallMs = performance.now() - started;
		const cpuUsed = process.cpuUsage(cpu);
		killer?.stop();
		const measured: Measured = {
			wallMs,
			cpuMs: Math.round((cpuUsed.user + cpuUsed.system) / 1000),
			requests: requestsByOperation(sim),
			logins: sim.count('login'),
			maxInFlight: sim.maxInFlight,
			connections: connections.count() ?? null,
			items: out.items,
			failedItems: out.failedItems,
			...(killer ? { kills: killer.noticed() } : {}),
			...(out.error ? { error: out.error } : {}),
		};
		const after = scenario.after ? await scenario.after(ctx) : {};
		const extra = { ...(out.extra ?? {}), ...after };
		if (Object.keys(extra).length) measured.extra = extra;
		return measured;
	} finally {
		raw?.close();
		await sim.stop();
	}
}

function median(runs: Measured[]): SideResult {
	const byTime = [...runs].sort((a, b) => a.wallMs - b.wallMs);
	const mid = byTime[Math.floor((byTime.length - 1) / 2)];
	const wallMs =
		byTime.length % 2 === 1
			? mid.wallMs
			: (byTime[byTime.length / 2 - 1].wallMs + byTime[byTime.length / 2].wallMs) / 2;
	const cpu = [...runs].map((r) => r.cpuMs).sort((a, b) => a - b);
	return {
		...mid,
		wallMs: Number(wallMs.toFixed(1)),
		runsMs: runs.map((r) => Number(r.wallMs.toFixed(1))),
		cpuMs: cpu[Math.floor((cpu.length - 1) / 2)],
	};
}

function floorResult(floor: SideResult, node: SideResult | null, raw: SideResult): FloorResult {
	const ratio = (a: number) => Number((a / floor.wallMs).toFixed(3));
	return { ...floor, nodeVsFloor: node ? ratio(node.wallMs) : null, rawVsFloor: ratio(raw.wallMs) };
}

async function warmUp(driver: NodeDriver, missing: Record<string, string>, opts: Options): Promise<void> {
	// the engine's first executions pay for module loading and JIT: keep that out of the numbers
	const sim = await startBenchSim(0);
	try {
		const h = driver.harness(sim);
		if (!missing.vtiger) {
			const created = await driver.createRecords(
				h,
				'Contacts',
				Array.from({ length: 50 }, (_, i) => contact(i)),
				opts.concurrency,
			);
			if (created.error) process.stderr.write(`warm-up: ${created.error}\n`);
			await driver.getMany(h, 'Contacts', opts.concurrency);
			const floorCreated = await driver.floor.createRecords(
				h,
				'Contacts',
				Array.from({ length: 50 }, (_, i) => contact(i)),
				opts.concurrency,
			);
			if (floorCreated.error) process.stderr.write(`warm-up (floor): ${floorCreated.error}\n`);
			await driver.floor.getMany(h, 'Contacts', opts.concurrency);
			const rec = sim.store.all('Contacts')[0];
			for (let i = 0; i < 10; i++) await driver.get(h, rec.id as string, opts.concurrency);
		}
		if (!missing.vtigerTrigger) await driver.poll(h, 'Contacts', {});
		await driver.floor.poll(h, 'Contacts', {}, sim.clock.now() - 86400);
	} catch (error) {
		process.stderr.write(`warm-up failed: ${(error as Error).message}\n`);
	} finally {
		await sim.stop();
	}
}

async function main(): Promise<void> {
	const opts = parseArgs(process.argv.slice(2));
	if (opts.server) {
		const { url, username, accessKey } = opts.server;
		if (!url || !username || !accessKey) throw new Error('--url, --username and --access-key go together');
		const explicit = process.argv.some((a) => a.startsWith('--concurrency'));
		await runServerBench({
			url,
			username,
			accessKey,
			runs: process.argv.some((a) => a.startsWith('--runs')) ? opts.runs : 3,
			concurrency: explicit ? opts.concurrency : 4,
			creates: opts.server.creates ?? 120,
			records: opts.server.records ?? 300,
			out: opts.server.out,
		});
		return;
	}
	const scenarios = SCENARIOS.filter((s) => !opts.only || opts.only.includes(s.name));
	const loaded = await loadNodeDriver();
	const driver = typeof loaded === 'string' ? undefined : loaded.driver;
	const missing = typeof loaded === 'string' ? { vtiger: loaded, vtigerTrigger: loaded } : loaded.missing;
	if (driver) await warmUp(driver, missing, opts);

	const results: BenchResults = {
		latencyMs: opts.latencyMs,
		concurrency: opts.concurrency,
		runs: opts.runs,
		quick: opts.quick,
		date: new Date().toISOString(),
		node: process.versions.node,
		loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
		scenarios: [],
	};
	const totalStart = performance.now();
	for (const scenario of scenarios) {
		const size = scaled(scenario.fullSize, opts.quick);
		let nodeMissing: string | undefined = missing[scenario.nodeType];
		const nodeRuns: Measured[] = [];
		const rawRuns: Measured[] = [];
		const floorRuns: Measured[] = [];
		let rawError: string | undefined;
		let floorError: string | undefined = scenario.floor && !driver ? 'the engine harness does not load' : undefined;
		const sides: Side[] = scenario.floor ? ['node', 'raw', 'floor'] : ['node', 'raw'];
		for (let run = 0; run < opts.runs; run++) {
			// rotate which side goes first so none always gets the warmer process
			const order = sides.map((_, i) => sides[(i + run) % sides.length]);
			for (const side of order) {
				if (side === 'floor') {
					if (floorError) continue;
					try {
						floorRuns.push(await measureOnce(scenario, 'floor', opts, driver));
					} catch (error) {
						floorError = `the floor run failed: ${(error as Error).message.split('\n')[0]}`;
					}
				} else if (side === 'node') {
					if (nodeMissing || !driver) continue;
					try {
						nodeRuns.push(await measureOnce(scenario, 'node', opts, driver));
					} catch (error) {
						nodeMissing = `the node run failed: ${(error as Error).message.split('\n')[0]}`;
					}
				} else if (!rawError) {
					try {
						rawRuns.push(await measureOnce(scenario, 'raw', opts));
					} catch (error) {
						rawError = `the raw client failed: ${(error as Error).message.split('\n')[0]}`;
					}
				}
			}
		}
		if (rawError || !rawRuns.length) {
			process.stderr.write(`${scenario.name}: skipped, ${rawError ?? 'no raw run'}\n`);
			results.scenarios.push({
				name: scenario.name,
				description: scenario.description,
				size,
				concurrency: opts.concurrency,
				node: nodeRuns.length ? median(nodeRuns) : null,
				nodeMissing: nodeMissing ?? rawError,
				raw: null,
				rawError,
				ratio: null,
				targets: {},
			});
			continue;
		}
		const raw = median(rawRuns);
		const node = nodeMissing || !nodeRuns.length ? null : median(nodeRuns);
		const partial: Omit<ScenarioResult, 'targets'> = {
			name: scenario.name,
			description: scenario.description,
			size,
			concurrency: opts.concurrency,
			node,
			...(node ? {} : { nodeMissing: nodeMissing ?? 'node not available' }),
			raw,
			ratio: node ? Number((node.wallMs / raw.wallMs).toFixed(3)) : null,
		};
		const result: ScenarioResult = {
			...partial,
			targets: scenario.targets(partial, { node: node?.extra, raw: raw.extra }),
		};
		if (scenario.floor) {
			const floor = floorError || !floorRuns.length ? null : median(floorRuns);
			result.floor = floor ? floorResult(floor, node, raw) : null;
			if (!floor) result.floorError = floorError ?? 'no floor run';
			const wall = result.floor?.nodeVsFloor ?? null;
			const cpu = floor && node ? Number((node.cpuMs / Math.max(1, floor.cpuMs)).toFixed(3)) : null;
			result.targets[`wall time vs n8n floor`] = target(`<= ${FLOOR_RATIO_MAX}`, wall, wall !== null && wall <= FLOOR_RATIO_MAX);
			result.targets[`CPU time vs n8n floor`] = target(`<= ${FLOOR_RATIO_MAX}`, cpu, cpu !== null && cpu <= FLOOR_RATIO_MAX);
		}
		results.scenarios.push(result);
		const f = result.floor;
		process.stderr.write(
			`${scenario.name}: node ${node ? `${node.wallMs} ms` : `missing (${nodeMissing})`}, raw ${raw.wallMs} ms` +
				`${result.ratio !== null ? `, ratio ${result.ratio}` : ''}` +
				`${f ? `; n8n floor ${f.wallMs} ms, node/floor ${f.nodeVsFloor ?? '—'}, raw/floor ${f.rawVsFloor}` : ''}` +
				`${result.floorError ? `; floor failed: ${result.floorError}` : ''}\n`,
		);
	}
	results.loadAverageAfter = loadavg().map((l) => Number(l.toFixed(2)));
	const table = markdown(results);
	writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(results, null, '\t')}\n`);
	writeFileSync(join(__dirname, 'results.md'), table);
	process.stdout.write(`${table}\n`);
	process.stderr.write(`bench: ${((performance.now() - totalStart) / 1000).toFixed(1)} s; wrote bench/results.json and bench/results.md\n`);
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
		process.exit(1);
	},
);
