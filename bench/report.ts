/** The markdown table of bench/results.md (also printed). */
import { cpus } from 'node:os';

import type { BenchResults, ScenarioResult, SideResult } from './types';

const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

function requests(side: SideResult | null): string {
	if (!side) return '—';
	const order = ['getchallenge', 'login'];
	const ops = Object.keys(side.requests).sort((a, b) => {
		const ia = order.indexOf(a);
		const ib = order.indexOf(b);
		return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib) || a.localeCompare(b);
	});
	return ops.map((op) => `${op} ${side.requests[op]}`).join(', ') || 'none';
}

const fmtRatio = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${r.toFixed(2)}x`);

function targets(s: ScenarioResult): string {
	if (!s.raw) return `not measured: ${s.rawError ?? ''}`;
	const lines = Object.entries(s.targets).map(
		([what, t]) => `${t.met ? '✅' : '❌ MISSED'} ${what}: want ${t.want}, got ${t.got ?? 'n/a'}`,
	);
	// informational: the node against the raw client (n8n itself opens a connection per request)
	if (s.floor) lines.push(`ℹ️ node vs raw: ${fmtRatio(s.ratio)} (raw vs n8n floor ${fmtRatio(s.floor.rawVsFloor)})`);
	else if (s.floor === null) lines.push(`ℹ️ node vs n8n floor: not measured (${s.floorError ?? ''})`);
	return lines.join('<br>');
}

function floorTable(r: BenchResults): string[] {
	const rows = r.scenarios.filter((s) => s.floor !== undefined);
	if (!rows.length) return [];
	const lines = [
		'',
		'## n8n floor',
		'',
		'The same work by bare test-only nodes (`bench/floorNodes.ts`) through the same engine path and credential: ' +
			'a declarative node (baseURL expression on the credential, one routing per operation, a pagination function ' +
			'that only caps concurrency and calls `makeRoutingRequest`, output = `result`) and a programmatic poll ' +
			'(`sync` pages through `httpRequestWithAuthentication`). No describe, envelope checks, session renewal or ' +
			'error mapping. The node is held to 1.05x of this floor (wall and CPU); its ratio to the raw client is information.',
		'',
		'| Scenario | Floor ms | Node/floor | Raw/floor | CPU ms floor | Floor requests | Logins | Max in flight | TCP connections |',
		'|---|---:|---:|---:|---:|---|---:|---:|---:|',
	];
	for (const s of rows) {
		const f = s.floor;
		lines.push(
			f
				? `| ${s.name} | ${fmtMs(f.wallMs)} | ${fmtRatio(f.nodeVsFloor)} | ${fmtRatio(f.rawVsFloor)} | ${f.cpuMs} | ` +
						`${requests(f)}${f.failedItems ? `; **${f.failedItems} failed items**` : ''}${f.items !== s.size ? `; **${f.items} items of ${s.size}**` : ''} | ` +
						`${f.logins} | ${f.maxInFlight} | ${f.connections ?? '—'} |`
				: `| ${s.name} | failed | — | — | — | ${s.floorError ?? ''} | — | — | — |`,
		);
	}
	return lines;
}

export function markdown(r: BenchResults): string {
	const lines: string[] = [];
	lines.push(
		`# Benchmark: Vtiger node (n8n engine) vs a minimal raw HTTP client`,
		'',
		`Simulator latency ${r.latencyMs} ms per request; concurrency ${r.concurrency} (node \`maxConcurrency\` and raw client); ` +
			`wall time is the median of ${r.runs} run${r.runs === 1 ? '' : 's'}${r.quick ? ' (--quick: a tenth of the size)' : ''}; ` +
			`requests, logins and in-flight counts are the simulator's, from the median run; CPU is this process's ` +
			`(the simulator runs in it too). ${r.date}, Node ${r.node}, load average ${r.loadAverage.join(' ')}` +
			`${r.loadAverageAfter ? ` → ${r.loadAverageAfter.join(' ')}` : ''} on ${cpus().length} CPUs.`,
		'',
		'| Scenario | Node ms | Raw ms | Ratio | n8n floor ms | Node/floor | CPU ms node/raw | Node requests | Raw requests | Logins node/raw | Max in flight node/raw | TCP connections node/raw | Targets |',
		'|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---|',
	);
	for (const s of r.scenarios) {
		const n = s.node;
		lines.push(
			[
				'',
				`**${s.name}**<br>${s.description}${s.size !== undefined ? ` (N=${s.size})` : ''}`,
				n ? fmtMs(n.wallMs) : 'missing',
				s.raw ? fmtMs(s.raw.wallMs) : 'failed',
				s.ratio === null ? '—' : `${s.ratio.toFixed(2)}x`,
				s.floor ? fmtMs(s.floor.wallMs) : s.floor === null ? 'failed' : '—',
				fmtRatio(s.floor?.nodeVsFloor),
				`${n ? n.cpuMs : '—'} / ${s.raw ? s.raw.cpuMs : '—'}`,
				n ? requests(n) + (n.failedItems ? `; **${n.failedItems} failed items**` : '') : `missing: ${s.nodeMissing ?? ''}`,
				s.raw
					? requests(s.raw) + (s.raw.failedItems ? `; **${s.raw.failedItems} failed items**` : '')
					: `failed: ${s.rawError ?? ''}`,
				`${n ? n.logins : '—'} / ${s.raw ? s.raw.logins : '—'}`,
				`${n ? n.maxInFlight : '—'} / ${s.raw ? s.raw.maxInFlight : '—'}`,
				`${n?.connections ?? '—'} / ${s.raw?.connections ?? '—'}`,
				targets(s),
				'',
			].join(' | ').trim(),
		);
	}
	const missed = r.scenarios.flatMap((s) =>
		(s.raw ? [] : [`- ${s.name}: not measured (${s.rawError ?? ''})`]).concat(
		Object.entries(s.targets)
			.filter(([, t]) => !t.met)
			.map(([what, t]) => `- ${s.name}: ${what} — want ${t.want}, got ${t.got ?? 'n/a'}`)),
	);
	lines.push('', missed.length ? `**Targets missed (${missed.length}):**\n${missed.join('\n')}` : '**Every target met.**');
	lines.push(...floorTable(r), '');
	return lines.join('\n');
}
