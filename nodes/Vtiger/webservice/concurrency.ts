import type { IDataObject } from 'n8n-workflow';

export const DEFAULT_MAX_CONCURRENCY = 5;

interface Gate {
	active: number;
	/** lanes[i] is true while a task holds lane i */
	lanes: boolean[];
	waiting: Array<(lane: number) => void>;
}

const gates = new Map<string, Gate>();

function freeLane(gate: Gate): number {
	const index = gate.lanes.indexOf(false);
	const lane = index === -1 ? gate.lanes.length : index;
	gate.lanes[lane] = true;
	return lane;
}

/**
 * Runs `task` when fewer than `limit` tasks for the same key (one CRM) are running in this process.
 * RoutingNode starts every item's request at once; a small PHP server should not see hundreds.
 * The task gets its lane: the lowest number no other running task holds (0 when it runs alone),
 * so lane 0 can use the stored session and lanes 1… sessions of the pool, each one request at a time.
 */
export async function withCrmSlot<T>(key: string, limit: number, task: (lane: number) => Promise<T>): Promise<T> {
	const max = Number.isFinite(limit) && limit >= 1 ? Math.floor(limit) : DEFAULT_MAX_CONCURRENCY;
	let gate = gates.get(key);
	if (!gate) {
		gate = { active: 0, lanes: [], waiting: [] };
		gates.set(key, gate);
	}
	const current = gate;
	let lane: number;
	if (current.active >= max) {
		lane = await new Promise<number>((resolve) => current.waiting.push(resolve));
	} else {
		current.active++;
		lane = freeLane(current);
	}
	try {
		return await task(lane);
	} finally {
		const next = current.waiting.shift();
		if (next) {
			// the slot and its lane pass straight to the next waiter
			next(lane);
		} else {
			current.active--;
			current.lanes[lane] = false;
			if (current.active === 0) gates.delete(key);
		}
	}
}

/** Where the request settings live: the operation's Options; a top-level `maxConcurrency` of workflows saved before that move still counts. */
export const REQUEST_OPTIONS_PARAMETER = 'options';

export interface RequestSettings {
	maxConcurrency: number;
	sessionPool: boolean;
}

function readParameter(ctx: object, name: string): unknown {
	const getter = (ctx as { getNodeParameter?: unknown }).getNodeParameter;
	if (typeof getter !== 'function') return undefined;
	try {
		return (getter as (name: string, ...rest: unknown[]) => unknown).call(
			ctx,
			name,
			...(takesItemIndex(ctx) ? [0, undefined] : [undefined]),
		);
	} catch {
		return undefined;
	}
}

function asLimit(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const limit = Number(value);
	return Number.isFinite(limit) && limit >= 1 ? Math.floor(limit) : undefined;
}

/** Max Concurrent Requests and Session Pool of the node's Options; a node or context without them gets the defaults. */
export function readRequestSettings(ctx: object): RequestSettings {
	const options = readParameter(ctx, REQUEST_OPTIONS_PARAMETER);
	const chosen = typeof options === 'object' && options !== null ? (options as IDataObject) : {};
	return {
		maxConcurrency:
			asLimit(chosen.maxConcurrency) ?? asLimit(readParameter(ctx, 'maxConcurrency')) ?? DEFAULT_MAX_CONCURRENCY,
		sessionPool: chosen.sessionPool !== false,
	};
}

export function readMaxConcurrency(ctx: object): number {
	return readRequestSettings(ctx).maxConcurrency;
}

/** IExecuteFunctions.getNodeParameter takes an item index; the single-item, poll and load-options contexts do not. */
function takesItemIndex(ctx: object): boolean {
	const probe = ctx as { getItemIndex?: unknown; getInputData?: unknown };
	return typeof probe.getInputData === 'function' && typeof probe.getItemIndex !== 'function';
}
