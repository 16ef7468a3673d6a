const tails = new Map<string, Promise<void>>();

/**
 * Runs `task` after every earlier task with the same key has finished, whatever their outcome (a queue
 * per key; other keys run freely). RoutingNode starts all items of a declarative node at once: two items
 * that would create the same record wait for each other (upsert), and so do two logins of one user.
 */
export async function runSerially<T>(key: string, task: () => Promise<T>): Promise<T> {
	const previous = tails.get(key) ?? Promise.resolve();
	let release: () => void = () => undefined;
	const done = new Promise<void>((resolve) => {
		release = resolve;
	});
	const tail = previous.then(async () => await done);
	tails.set(key, tail);
	await previous;
	try {
		return await task();
	} finally {
		release();
		if (tails.get(key) === tail) tails.delete(key);
	}
}
