/**
 * What a scenario is (the contract between bench/run.ts and each scenario file), apart from the list of
 * scenarios so that a scenario file imports it without importing the list that imports it.
 */
import type { RawClient } from './raw';
import type { BenchSim } from './sim';
import type { NodeDriver, NodeHarness } from './node';
import type { RunOutcome, ScenarioResult, Target } from './types';

export type Side = 'node' | 'raw' | 'floor';

export interface RunContext {
	sim: BenchSim;
	side: Side;
	size: number;
	concurrency: number;
	/** present on the node and floor sides */
	driver?: NodeDriver;
	harness?: NodeHarness;
	/** present on the raw side */
	raw?: RawClient;
	/** scenario-specific state from prepare */
	state: Record<string, unknown>;
}

export interface TimedOutcome extends RunOutcome {
	/** measured after the timed work (e.g. an idle poll), reported beside the counts */
	extra?: Record<string, number>;
}

export interface Scenario {
	name: string;
	description: string;
	fullSize: number;
	/** the node type the node side runs */
	nodeType: 'vtiger' | 'vtigerTrigger';
	/** kill every session after this many requests (also with --quick: the size shrinks, not the rate) */
	killEvery?: number;
	/** the raw client logs in before the timer starts (steady-state scenarios) */
	warmRaw?: boolean;
	prepare(ctx: RunContext): Promise<void>;
	node(ctx: RunContext): Promise<TimedOutcome>;
	raw(ctx: RunContext): Promise<TimedOutcome>;
	/** the n8n floor (bench/floorNodes.ts): the same work by a bare node through the same engine path */
	floor?(ctx: RunContext): Promise<TimedOutcome>;
	/** untimed, after the counts were taken: measures more (e.g. an idle poll) into `extra` */
	after?(ctx: RunContext): Promise<Record<string, number>>;
	targets(r: Omit<ScenarioResult, 'targets'>, extra: { node?: Record<string, number>; raw?: Record<string, number> }): Record<string, Target>;
}

export function target(want: number | string, got: number | string | null | undefined, met: boolean): Target {
	return { want, got: got ?? null, met: got !== null && got !== undefined && met };
}
