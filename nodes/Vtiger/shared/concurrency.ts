export const DEFAULT_MAX_CONCURRENCY = 5;

interface Gate {
	active: number;
	waiting: Array<() => void>;
}

const gates = new Map<string, Gate>();

/**
 * Runs `task` when fewer than `limit` tasks for the same key (one CRM) are running in this process.
 * RoutingNode starts every item's request at once; a small PHP server should not see hundreds.
 */
export async function withCrmSlot<T>(key: string, limit: number, task: () => Promise<T>): Promise<T> {
	const max = Number.isFinite(limit) && limit >= 1 ? Math.floor(limit) : DEFAULT_MAX_CONCURRENCY;
	let gate = gates.get(key);
	if (!gate) {
		gate = { active: 0, waiting: [] };
		gates.set(key, gate);
	}
	const current = gate;
	if (current.active >= max) {
		await new Promise<void>((resolve) => current.waiting.push(resolve));
	} else {
		current.active++;
	}
	try {
		return await task();
	} finally {
		const next = current.waiting.shift();
		if (next) {
			// the slot passes straight to the next waiter
			next();
		} else {
			current.active--;
			if (current.active === 0) gates.delete(key);
		}
	}
}

/** The node's `maxConcurrency` parameter; a node or context without it gets the default. */
export function readMaxConcurrency(ctx: object): number {
	const getter = (ctx as { getNodeParameter?: unknown }).getNodeParameter;
	if (typeof getter !== 'function') return DEFAULT_MAX_CONCURRENCY;
	try {
		const value = (getter as (name: string, ...rest: unknown[]) => unknown).call(
			ctx,
			'maxConcurrency',
			...(takesItemIndex(ctx) ? [0, DEFAULT_MAX_CONCURRENCY] : [DEFAULT_MAX_CONCURRENCY]),
		);
		const limit = Number(value);
		return Number.isFinite(limit) && limit >= 1 ? Math.floor(limit) : DEFAULT_MAX_CONCURRENCY;
	} catch {
		return DEFAULT_MAX_CONCURRENCY;
	}
}

/** IExecuteFunctions.getNodeParameter takes an item index; the single-item, poll and load-options contexts do not. */
function takesItemIndex(ctx: object): boolean {
	const probe = ctx as { getItemIndex?: unknown; getInputData?: unknown };
	return typeof probe.getInputData === 'function' && typeof probe.getItemIndex !== 'function';
}
