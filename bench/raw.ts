/**
 * The least any client could do: one keep-alive agent, one login, the fewest requests possible,
 * the same number of requests in flight as the node. The benchmark's yardstick. With `sessions` > 1
 * it is the raw session-pool client: request lane i (of `map`) uses session i, logins one at a time.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';

export class VtigerCallError extends Error {
	constructor(
		readonly operation: string,
		readonly code: string,
		message: string,
	) {
		super(`${operation}: ${code} ${message}`);
	}
}

const GET_OPERATIONS = new Set(['getchallenge', 'retrieve', 'query', 'sync', 'describe', 'listtypes']);

export type Params = Record<string, string | number>;

export class RawClient {
	private readonly agent: http.Agent;
	private readonly target: URL;
	private readonly pool: string[] = [];
	private readonly poolLogins = new Map<number, Promise<void>>();
	private loginChain: Promise<unknown> = Promise.resolve();
	private session = '';
	private loginInFlight: Promise<void> | undefined;
	/** the logged-in user's id (19x1 …) */
	userId = '';

	constructor(
		url: string,
		private readonly username: string,
		private readonly accessKey: string,
		readonly concurrency: number,
		readonly sessions = 1,
	) {
		this.target = new URL(url);
		this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	}

	close(): void {
		this.agent.destroy();
	}

	/** One HTTP request; resolves to Vtiger's `result` or throws VtigerCallError. */
	send(operation: string, params: Params): Promise<unknown> {
		const all: Params = { operation, ...params };
		const encoded = new URLSearchParams(
			Object.entries(all).map(([k, v]): [string, string] => [k, String(v)]),
		).toString();
		const isGet = GET_OPERATIONS.has(operation);
		const path = isGet ? `${this.target.pathname}?${encoded}` : this.target.pathname;
		return new Promise((resolve, reject) => {
			const req = http.request(
				{
					agent: this.agent,
					host: this.target.hostname,
					port: this.target.port,
					path,
					method: isGet ? 'GET' : 'POST',
					headers: isGet
						? {}
						: {
								'Content-Type': 'application/x-www-form-urlencoded',
								'Content-Length': Buffer.byteLength(encoded),
							},
				},
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (c: Buffer) => chunks.push(c));
					res.on('end', () => {
						const text = Buffer.concat(chunks).toString('utf8');
						let body: { success?: boolean; result?: unknown; error?: { code?: string; message?: string } };
						try {
							body = JSON.parse(text) as typeof body;
						} catch {
							reject(new VtigerCallError(operation, `HTTP_${res.statusCode ?? 0}`, text.slice(0, 100)));
							return;
						}
						if (body.success) resolve(body.result);
						else reject(new VtigerCallError(operation, body.error?.code ?? '?', body.error?.message ?? ''));
					});
					res.on('error', reject);
				},
			);
			req.on('error', reject);
			if (!isGet) req.write(encoded);
			req.end();
		});
	}

	/** challenge + login, one at a time (a second challenge for the user replaces the first token). */
	private newSession(): Promise<string> {
		const run = this.loginChain.then(async () => {
			const challenge = (await this.send('getchallenge', { username: this.username })) as { token: string };
			const accessKey = createHash('md5').update(challenge.token + this.accessKey).digest('hex');
			const result = (await this.send('login', { username: this.username, accessKey })) as {
				sessionName: string;
				userId: string;
			};
			this.userId = result.userId;
			return result.sessionName;
		});
		this.loginChain = run.catch(() => undefined);
		return run;
	}

	/** getchallenge + login; concurrent callers share one login. */
	login(): Promise<void> {
		if (!this.loginInFlight) {
			this.loginInFlight = (async () => {
				this.session = await this.newSession();
			})().finally(() => {
				this.loginInFlight = undefined;
			});
		}
		return this.loginInFlight;
	}

	/** Lane 0 and a one-session client use the shared session; lane i of a pool its own. */
	async call(operation: string, params: Params, lane = 0): Promise<unknown> {
		const slot = this.sessions > 1 ? lane % this.sessions : 0;
		if (slot > 0) return await this.callPooled(slot, operation, params);
		if (!this.session) await this.login();
		const used = this.session;
		try {
			return await this.send(operation, { ...params, sessionName: used });
		} catch (error) {
			if (
				!(error instanceof VtigerCallError) ||
				(error.code !== 'INVALID_SESSIONID' && error.code !== 'AUTHENTICATION_REQUIRED')
			) {
				throw error;
			}
			if (this.loginInFlight) await this.loginInFlight;
			else if (this.session === used) await this.login();
			return await this.send(operation, { ...params, sessionName: this.session });
		}
	}

	private async poolLogin(slot: number, dead?: string): Promise<void> {
		const running = this.poolLogins.get(slot);
		if (running) return await running;
		if (this.pool[slot] && this.pool[slot] !== dead) return;
		const flight = this.newSession().then((session) => {
			this.pool[slot] = session;
		});
		this.poolLogins.set(slot, flight);
		try {
			await flight;
		} finally {
			this.poolLogins.delete(slot);
		}
	}

	private async callPooled(slot: number, operation: string, params: Params): Promise<unknown> {
		if (!this.pool[slot]) await this.poolLogin(slot);
		const used = this.pool[slot];
		try {
			return await this.send(operation, { ...params, sessionName: used });
		} catch (error) {
			if (!(error instanceof VtigerCallError) || (error.code !== 'INVALID_SESSIONID' && error.code !== 'AUTHENTICATION_REQUIRED')) {
				throw error;
			}
			await this.poolLogin(slot, used);
			return await this.send(operation, { ...params, sessionName: this.pool[slot] });
		}
	}

	/** Runs fn over items with at most `concurrency` in flight (worker w is lane w); results in input order. */
	async map<T, R>(items: T[], fn: (item: T, index: number, lane: number) => Promise<R>): Promise<R[]> {
		const results = new Array<R>(items.length);
		let next = 0;
		const worker = async (lane: number) => {
			while (next < items.length) {
				const i = next++;
				results[i] = await fn(items[i], i, lane);
			}
		};
		await Promise.all(Array.from({ length: Math.min(this.concurrency, items.length) }, (_, lane) => worker(lane)));
		return results;
	}

	// The scenarios' work, done the cheapest way.

	createMany(elementType: string, elements: Array<Record<string, unknown>>): Promise<unknown[]> {
		return this.map(elements, (element, _i, lane) =>
			this.call('create', { elementType, element: JSON.stringify(element) }, lane),
		);
	}

	/** VTQL pages of 100 until a short page: ceil((N+1)/100) requests for N records. */
	async queryAll(module: string): Promise<unknown[]> {
		const rows: unknown[] = [];
		for (let offset = 0; ; offset += 100) {
			const page = (await this.call('query', {
				query: `SELECT * FROM ${module} LIMIT ${offset},100;`,
			})) as unknown[];
			rows.push(...page);
			if (page.length < 100) return rows;
		}
	}

	/** sync from the cursor, following `more`. */
	async syncFrom(
		elementType: string,
		cursor: number,
	): Promise<{ updated: unknown[]; deleted: string[]; cursor: number }> {
		const updated: unknown[] = [];
		const deleted: string[] = [];
		for (;;) {
			const page = (await this.call('sync', { modifiedTime: cursor, elementType })) as {
				updated: unknown[];
				deleted: string[];
				more: boolean;
				lastModifiedTime: number;
			};
			updated.push(...page.updated);
			deleted.push(...page.deleted);
			cursor = page.lastModifiedTime;
			if (!page.more) return { updated, deleted, cursor };
		}
	}

	retrieve(id: string): Promise<unknown> {
		return this.call('retrieve', { id });
	}
}
