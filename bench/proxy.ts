/**
 * A counting proxy on 127.0.0.1 in front of a real Vtiger: every side of the server benchmark talks
 * through it, so requests by operation, logins and requests in flight are counted the same way for
 * all of them (the simulator's log does that on the simulator).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
	/** http://127.0.0.1:PORT/…/webservice.php, the target's path on a local port */
	url: string;
	requests(): Record<string, number>;
	maxInFlight(): number;
	reset(): void;
	stop(): Promise<void>;
}

function operationOf(url: string, body: string): string {
	const query = new URL(url, 'http://x').searchParams.get('operation');
	if (query) return query.toLowerCase();
	const fromBody = new URLSearchParams(body).get('operation');
	return (fromBody ?? '(none)').toLowerCase();
}

/** `onRequest` runs before a request is forwarded (live tests expire a session at a chosen request). */
export async function startCountingProxy(
	target: string,
	onRequest?: (operation: string, counts: Record<string, number>) => void,
): Promise<CountingProxy> {
	const upstream = new URL(target);
	const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
	let counts: Record<string, number> = {};
	let inFlight = 0;
	let maxInFlight = 0;
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks);
			const operation = operationOf(req.url ?? '/', body.toString('utf8'));
			counts[operation] = (counts[operation] ?? 0) + 1;
			onRequest?.(operation, counts);
			inFlight++;
			maxInFlight = Math.max(maxInFlight, inFlight);
			const headers = { ...req.headers, host: upstream.host };
			const forward = http.request(
				{ agent, host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
				(answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
					answer.on('end', () => inFlight--);
				},
			);
			forward.on('error', (error) => {
				inFlight--;
				res.writeHead(502);
				res.end(String(error));
			});
			forward.end(body);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}${upstream.pathname}`,
		requests: () => ({ ...counts }),
		maxInFlight: () => maxInFlight,
		reset: () => {
			counts = {};
			maxInFlight = inFlight;
		},
		stop: async () => {
			agent.destroy();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
