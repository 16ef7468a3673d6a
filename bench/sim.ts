/** The simulator as the benchmark uses it: one fresh instance per run, counts from its request log. */
import type { Server } from 'node:http';

import { startSimulator, type Simulator } from '../test/support/simulator';

export type BenchSim = Simulator;

export function startBenchSim(latencyMs: number): Promise<BenchSim> {
	return startSimulator({ latencyMs });
}

/**
 * Counts TCP connections the simulator accepts (keep-alive reuse shows as few connections). The
 * simulator does not expose its server, so this reads the private field and gives up without it.
 */
export function countConnections(sim: BenchSim): { count(): number | undefined } {
	const server = (sim as unknown as { server?: Server }).server;
	if (!server || typeof server.on !== 'function') return { count: () => undefined };
	let connections = 0;
	server.on('connection', () => connections++);
	return { count: () => connections };
}

/** Requests by Vtiger operation, from the simulator's log. */
export function requestsByOperation(sim: BenchSim): Record<string, number> {
	const out: Record<string, number> = {};
	for (const e of sim.log) {
		const op = e.operation ?? '(none)';
		out[op] = (out[op] ?? 0) + 1;
	}
	return out;
}

/**
 * Kills every session each time the log reaches a multiple of `every` requests (when one is alive).
 * `noticed()` counts the kills some later request ran into (a kill after the last request kills
 * nothing in use).
 */
export function killEvery(sim: BenchSim, every: number): { noticed(): number; stop(): void } {
	const log = sim.log;
	const push = log.push;
	const killedAt: number[] = [];
	log.push = function (...entries) {
		const n = push.apply(log, entries);
		if (n % every === 0 && sim.sessions().length > 0) {
			sim.killSessions();
			killedAt.push(n);
		}
		return n;
	};
	return {
		noticed: () =>
			killedAt.filter((n) =>
				log.slice(n).some((e) => e.operation !== 'getchallenge' && e.operation !== 'login'),
			).length,
		stop: () => {
			log.push = push;
		},
	};
}
