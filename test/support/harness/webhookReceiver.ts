/**
 * n8n's side of a webhook trigger for tests: an HTTP server on 127.0.0.1 that hands each request to the node's
 * webhook() through the harness (raw body, headers) and keeps the node's static data between requests as n8n's
 * database does; hook() and activate() run the node's webhookMethods with this receiver's URL.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Harness, WebhookResult } from './index';

/** One node, its static data as the database keeps it, every request and the executions it started. */
export class WebhookReceiver {
	staticData: IDataObject = {};
	readonly executions: INodeExecutionData[][] = [];
	readonly answers: WebhookResult[] = [];
	baseUrl = '';
	/** n8n unreachable: every request is answered 503 without reaching the node */
	unavailable = false;
	private server: Server;

	constructor(
		private h: Harness,
		public parameters: INodeParameters,
	) {
		this.server = createServer((req, res) => {
			if (this.unavailable) {
				res.writeHead(503);
				res.end();
				return;
			}
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
				this.h.webhook(this.parameters, this.staticData, { headers, body: Buffer.concat(chunks) }, { baseUrl: this.baseUrl })
					.then((answer) => {
						this.answers.push(answer);
						this.staticData = answer.staticData;
						if (answer.items) this.executions.push(answer.items);
						res.writeHead(answer.status, { 'Content-Type': 'application/json' });
						res.end(JSON.stringify(answer.body ?? {}));
					})
					.catch((error: Error) => {
						res.writeHead(500);
						res.end(error.message);
					});
			});
		});
	}

	async start(): Promise<this> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
		this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	async hook(method: 'checkExists' | 'create' | 'delete', test = false): Promise<boolean> {
		const answer = await this.h.hook(method, this.parameters, this.staticData, { baseUrl: this.baseUrl, test });
		this.staticData = answer.staticData;
		return answer.result;
	}

	/** n8n's activation: checkExists, then create when it answered false. */
	async activate(test = false): Promise<void> {
		if (!(await this.hook('checkExists', test)) && !(await this.hook('create', test))) throw new Error('create answered false');
	}

	async post(headers: Record<string, string>, body: string): Promise<WebhookResult> {
		return await this.h.webhook(this.parameters, this.staticData, { headers, body }, { baseUrl: this.baseUrl });
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}

