/** Shapes of bench/results.json (read by other tools) and of one measured run. */

export interface Target {
	want: number | string;
	got: number | string | null;
	met: boolean;
}

export interface SideResult {
	/** median wall time of the runs, ms */
	wallMs: number;
	/** every run's wall time, ms, in run order */
	runsMs: number[];
	/** median CPU time of this process (engine or raw client, plus the in-process simulator), ms */
	cpuMs: number;
	/** HTTP requests by Vtiger operation (from the simulator's log), of the median run */
	requests: Record<string, number>;
	/** count('login') of the median run */
	logins: number;
	/** most requests in flight at once (simulator), of the median run */
	maxInFlight: number;
	/** TCP connections the simulator accepted during the work (keep-alive reuse), null if unknown */
	connections: number | null;
	/** items the work produced (records created, rows read, changes emitted, records got) */
	items: number;
	/** items that failed (Continue On Fail output with an error / raw calls that threw) */
	failedItems: number;
	/** sessions the benchmark killed while this side worked (scenario 5) */
	kills?: number;
	/** measured after the timed work (e.g. the idle poll of scenario 3), of the median run */
	extra?: Record<string, number>;
	/** the error that stopped a run, if one did */
	error?: string;
}

/**
 * The n8n floor: the same work by bare test-only nodes (bench/floorNodes.ts) through the same engine
 * path and credential as the node: what any node costs in n8n. Informational, not a target.
 */
export interface FloorResult extends SideResult {
	/** node wall / floor wall (null when the node did not run) */
	nodeVsFloor: number | null;
	/** raw wall / floor wall */
	rawVsFloor: number | null;
}

export interface ScenarioResult {
	name: string;
	description: string;
	size: number;
	concurrency: number;
	node: SideResult | null;
	/** why the node side could not run */
	nodeMissing?: string;
	/** null when the raw client could not do the work (then `rawError` says why) */
	raw: SideResult | null;
	rawError?: string;
	ratio: number | null;
	targets: Record<string, Target>;
	/** scenarios 1–3: the n8n floor side (absent when the scenario has none, null when it failed) */
	floor?: FloorResult | null;
	/** why the floor side could not run */
	floorError?: string;
}

export interface BenchResults {
	latencyMs: number;
	concurrency: number;
	runs: number;
	quick: boolean;
	date: string;
	node: string;
	/** os.loadavg() at the start and the end: the machine is shared, wall times suffer under load */
	loadAverage: number[];
	loadAverageAfter?: number[];
	scenarios: ScenarioResult[];
}

/** What one timed run of one side returns. */
export interface RunOutcome {
	items: number;
	failedItems: number;
	/** the run stopped with this error (node side) */
	error?: string;
}
