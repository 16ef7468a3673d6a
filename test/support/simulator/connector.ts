/**
 * The n8n Connector extension (vtiger-extension/): its webservice operations
 * n8n_info, n8n_subscribe, n8n_unsubscribe, n8n_subscription, n8n_resume, an outbox filled by the simulator's writes, and
 * signed Standard Webhooks deliveries to the subscribed URLs (at-least-once, in order per subscription, retried
 * with back-off, 410 disables the subscription).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';

import { WsError } from './errors';
import type { SimRecord, SimUser } from './store';
import { randomHex } from './util';

export const CONNECTOR_VERSION = '0.1.0';
export const CONNECTOR_OPERATIONS = [
	'n8n_info',
	'n8n_inventory_create',
	'n8n_inventory_delete',
	'n8n_inventory_revise',
	'n8n_resume',
	'n8n_settings',
	'n8n_subscribe',
	'n8n_subscription',
	'n8n_unsubscribe',
];
export type ConnectorEvent = 'created' | 'updated' | 'deleted' | 'restored';
const EVENTS: ConnectorEvent[] = ['created', 'updated', 'deleted', 'restored'];

export interface Subscription {
	id: string;
	url: string;
	modules: string[];
	events: ConnectorEvent[];
	label: string;
	ownerId: string;
	createdAt: string;
	expiresAt: string | null;
	status: 'active' | 'disabled';
	disabledReason: string | null;
	failures: number;
	lastDeliveryAt: string | null;
	lastError: string | null;
	secret: string;
	/** ttl in seconds at subscribe time (0 = none), for tests */
	ttl: number;
}

export interface OutboxEntry {
	eventId: string;
	subscriptionId: string;
	body: string;
	attempts: number;
	state: 'pending' | 'delivered' | 'failed';
}

export interface DeliveryAttempt {
	eventId: string;
	subscriptionId: string;
	url: string;
	/** HTTP status, 0 when the connection failed */
	status: number;
	at: number;
}

/** What the simulator gives the connector: records as their owner may see them, users, the clock. */
export interface ConnectorHost {
	now(): number;
	users: Map<string, SimUser>;
	/** the record as `retrieve` answers it to `user`, or undefined when the user may not see it */
	retrieveAs(user: SimUser, rec: SimRecord): Record<string, unknown> | undefined;
	entityModules(user: SimUser): string[];
}

const iso = (epochSeconds: number): string => new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function sign(secret: string, id: string, timestamp: number, body: string): string {
	const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
	return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** Loopback, private and link-local hosts: Vtiger sends there only when the administrator allow-listed them. */
function isInternal(host: string): boolean {
	const name = host.replace(/^\[|\]$/g, '').toLowerCase();
	if (name === 'localhost' || name.endsWith('.localhost') || name === '::1' || name.startsWith('fe80:') || name.startsWith('fc') || name.startsWith('fd')) {
		return true;
	}
	const octets = name.split('.').map(Number);
	if (octets.length !== 4 || octets.some((n) => !Number.isInteger(n))) return false;
	const [a, b] = octets;
	return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

function parseList(raw: string | undefined, code: string, what: string): string[] {
	let list: unknown;
	try {
		list = JSON.parse(raw ?? '[]');
	} catch {
		throw new WsError(code, `${what} must be an encoded JSON array`);
	}
	if (!Array.isArray(list) || list.some((entry) => typeof entry !== 'string')) {
		throw new WsError(code, `${what} must be an encoded JSON array of names`);
	}
	return list as string[];
}

export class N8nConnector {
	readonly subscriptions = new Map<string, Subscription>();
	readonly outbox: OutboxEntry[] = [];
	readonly attempts: DeliveryAttempt[] = [];
	/** internal hosts the administrator allowed (loopback, private, link-local: refused without this consent) */
	allowedHosts: string[] = [];
	/** whether users who are not administrators may subscribe */
	allowNonAdmins = false;
	/** pauses before the 2nd, 3rd … attempt of a delivery (the extension's cron back-off, shortened) */
	retryDelaysMs = [100, 300, 1000, 3000];
	/** failed attempts after which a subscription is disabled */
	maxFailures = 8;
	private pumping = new Map<string, Promise<void>>();
	/** ends a subscription's back-off pause at once (n8n_resume) */
	private wakers = new Map<string, () => void>();
	private sequence = 0;

	constructor(private host: ConnectorHost) {}

	// ---------- operations ----------

	info(user: SimUser): unknown {
		return {
			module: 'N8nConnector',
			version: CONNECTOR_VERSION,
			operations: CONNECTOR_OPERATIONS,
			canSubscribe: user.isAdmin || this.allowNonAdmins,
			destinationsAllowed: this.allowedHosts.length > 0,
		};
	}

	subscribe(params: Record<string, string>, user: SimUser): unknown {
		if (!user.isAdmin && !this.allowNonAdmins) {
			throw new WsError('N8N_NOT_PERMITTED', 'Only administrators may subscribe (Settings > Integration > n8n Connector allows other users)');
		}
		let url: URL;
		try {
			url = new URL(params.url ?? '');
		} catch {
			throw new WsError('N8N_INVALID_URL', 'url must be an absolute http(s) URL');
		}
		if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WsError('N8N_INVALID_URL', 'url must be an absolute http(s) URL');
		if (isInternal(url.hostname) && !this.allowedHosts.includes(url.hostname)) {
			throw new WsError(
				'N8N_DESTINATION_NOT_ALLOWED',
				`Vtiger may not send to ${url.hostname}: an administrator allows destinations in Settings > Integration > n8n Connector`,
			);
		}
		const modules = parseList(params.modules, 'N8N_INVALID_MODULE', 'modules');
		const visible = this.host.entityModules(user);
		const unknown = modules.find((module) => !visible.includes(module));
		if (unknown) throw new WsError('N8N_INVALID_MODULE', `${unknown} is not an entity module this user may see`);
		const events = parseList(params.events, 'N8N_INVALID_EVENTS', 'events');
		if (events.length === 0 || events.some((event) => !EVENTS.includes(event as ConnectorEvent))) {
			throw new WsError('N8N_INVALID_EVENTS', 'events must list created, updated, deleted or restored');
		}
		const ttl = Math.max(0, Math.floor(Number(params.ttl ?? '0') || 0));
		const now = this.host.now();
		const subscription: Subscription = {
			id: `sub_${randomHex(16)}`,
			url: url.toString(),
			modules,
			events: events as ConnectorEvent[],
			label: params.label ?? '',
			ownerId: user.id,
			createdAt: iso(now),
			expiresAt: ttl > 0 ? iso(now + ttl) : null,
			status: 'active',
			disabledReason: null,
			failures: 0,
			lastDeliveryAt: null,
			lastError: null,
			secret: `whsec_${randomBytes(32).toString('base64')}`,
			ttl,
		};
		this.subscriptions.set(subscription.id, subscription);
		return { ...this.publicView(subscription), secret: subscription.secret };
	}

	/** n8n_settings (contract-changes.md): administrators read `{}` or change the keys given. */
	settings(params: Record<string, string>, user: SimUser): unknown {
		if (!user.isAdmin) throw new WsError('N8N_NOT_PERMITTED', 'Only administrators may change the n8n Connector settings');
		let given: { allowNonAdmins?: unknown; allowedHosts?: unknown };
		try {
			given = JSON.parse(params.settings ?? '{}') as typeof given;
		} catch {
			throw new WsError('N8N_INVALID_SETTINGS', 'settings must be an encoded JSON object');
		}
		if (typeof given.allowNonAdmins === 'boolean') this.allowNonAdmins = given.allowNonAdmins;
		if (Array.isArray(given.allowedHosts)) this.allowedHosts = given.allowedHosts.map(String);
		return { allowNonAdmins: this.allowNonAdmins, allowedHosts: this.allowedHosts };
	}

	unsubscribe(params: Record<string, string>, user: SimUser): unknown {
		const id = params.id ?? '';
		const subscription = this.subscriptions.get(id);
		if (!subscription || (!user.isAdmin && subscription.ownerId !== user.id)) return { id, deleted: false };
		this.subscriptions.delete(id);
		return { id, deleted: true };
	}

	subscription(params: Record<string, string>, user: SimUser): unknown {
		const subscription = this.subscriptions.get(params.id ?? '');
		if (!subscription || this.expired(subscription) || (!user.isAdmin && subscription.ownerId !== user.id)) {
			throw new WsError('N8N_SUBSCRIPTION_NOT_FOUND', 'No such subscription (deleted or expired)');
		}
		return this.publicView(subscription);
	}

	/** n8n_resume: the receiver is back; a failing subscription's back-off ends now and its deliveries go out. */
	resume(params: Record<string, string>, user: SimUser): unknown {
		const subscription = this.subscriptions.get(params.id ?? '');
		if (!subscription || this.expired(subscription) || (!user.isAdmin && subscription.ownerId !== user.id)) {
			throw new WsError('N8N_SUBSCRIPTION_NOT_FOUND', 'No such subscription (deleted or expired)');
		}
		if (subscription.status === 'active' && subscription.failures > 0) {
			subscription.failures = 0;
			this.wakers.get(subscription.id)?.();
			this.pump(subscription.id);
		}
		return this.publicView(subscription);
	}

	// ---------- events and delivery ----------

	/** The event handler: one outbox entry per matching subscription; delivery starts at once, after the save. */
	record(event: ConnectorEvent, rec: SimRecord, id: string): void {
		for (const subscription of this.subscriptions.values()) {
			if (subscription.status !== 'active' || this.expired(subscription)) continue;
			if (!subscription.events.includes(event)) continue;
			if (subscription.modules.length > 0 && !subscription.modules.includes(rec.module)) continue;
			const owner = this.host.users.get(subscription.ownerId);
			if (!owner) continue;
			const data: Record<string, unknown> = { event, module: rec.module, id };
			if (event !== 'deleted') {
				const record = this.host.retrieveAs(owner, rec);
				// a record the owner may not see is not delivered
				if (!record) continue;
				data.record = record;
			}
			const eventId = `evt_${(++this.sequence).toString(16).padStart(8, '0')}${randomHex(8)}`;
			const body = JSON.stringify({
				id: eventId,
				type: `record.${event}`,
				createdAt: iso(this.host.now()),
				subscriptionId: subscription.id,
				data,
			});
			this.outbox.push({ eventId, subscriptionId: subscription.id, body, attempts: 0, state: 'pending' });
			this.pump(subscription.id);
		}
	}

	/** Resolves once nothing is being sent or waiting for a retry. */
	async settled(): Promise<void> {
		while (this.pumping.size > 0) await Promise.all([...this.pumping.values()]);
	}

	/** Sends an already delivered event again, freshly signed (Vtiger's at-least-once repeat). */
	async redeliver(eventId: string): Promise<number> {
		const entry = this.outbox.find((candidate) => candidate.eventId === eventId);
		const subscription = entry ? this.subscriptions.get(entry.subscriptionId) : undefined;
		if (!entry || !subscription) throw new Error(`no delivered event ${eventId}`);
		return await this.send(subscription, entry);
	}

	/** Signed headers for `body` as the extension sends them (tests forge and replay with it). */
	signedHeaders(subscriptionId: string, eventId: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
		const subscription = this.subscriptions.get(subscriptionId);
		if (!subscription) throw new Error(`no subscription ${subscriptionId}`);
		return {
			'content-type': 'application/json',
			'user-agent': `Vtiger-N8nConnector/${CONNECTOR_VERSION}`,
			'webhook-id': eventId,
			'webhook-timestamp': String(timestamp),
			'webhook-signature': sign(subscription.secret, eventId, timestamp, body),
		};
	}

	private expired(subscription: Subscription): boolean {
		return subscription.expiresAt !== null && Date.parse(subscription.expiresAt) <= this.host.now() * 1000;
	}

	private publicView(subscription: Subscription): Record<string, unknown> {
		const { secret: _secret, ttl: _ttl, ...rest } = subscription;
		void _secret;
		void _ttl;
		return rest;
	}

	private pump(subscriptionId: string): void {
		if (this.pumping.has(subscriptionId)) return;
		const run = (async () => {
			try {
				for (;;) {
					const subscription = this.subscriptions.get(subscriptionId);
					const next = this.outbox.find((entry) => entry.subscriptionId === subscriptionId && entry.state === 'pending');
					if (!subscription || subscription.status !== 'active' || !next) return;
					if (next.attempts > 0) {
						const delay = this.retryDelaysMs[Math.min(next.attempts - 1, this.retryDelaysMs.length - 1)];
						await new Promise<void>((resolve) => {
							const timer = setTimeout(resolve, delay);
							this.wakers.set(subscriptionId, () => {
								clearTimeout(timer);
								resolve();
							});
						});
						this.wakers.delete(subscriptionId);
					}
					const status = await this.send(subscription, next);
					next.attempts++;
					if (status >= 200 && status < 300) {
						next.state = 'delivered';
						subscription.failures = 0;
						subscription.lastDeliveryAt = iso(this.host.now());
						continue;
					}
					subscription.failures++;
					subscription.lastError = status === 0 ? 'connection failed' : `receiver answered ${status}`;
					if (status === 410) this.disable(subscription, 'receiver answered 410 Gone');
					else if (subscription.failures >= this.maxFailures) this.disable(subscription, `${subscription.failures} failed deliveries`);
				}
			} finally {
				this.pumping.delete(subscriptionId);
			}
		})();
		this.pumping.set(subscriptionId, run);
	}

	private disable(subscription: Subscription, reason: string): void {
		subscription.status = 'disabled';
		subscription.disabledReason = reason;
		for (const entry of this.outbox) {
			if (entry.subscriptionId === subscription.id && entry.state === 'pending') entry.state = 'failed';
		}
	}

	private send(subscription: Subscription, entry: OutboxEntry): Promise<number> {
		const headers = this.signedHeaders(subscription.id, entry.eventId, entry.body);
		const target = new URL(subscription.url);
		return new Promise((resolve) => {
			let finished = false;
			const done = (status: number) => {
				if (finished) return;
				finished = true;
				this.attempts.push({ eventId: entry.eventId, subscriptionId: subscription.id, url: subscription.url, status, at: Date.now() });
				resolve(status);
			};
			const req = httpRequest(
				target,
				{ method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(entry.body)) }, timeout: 10_000 },
				(res) => {
					res.resume();
					res.on('end', () => done(res.statusCode ?? 0));
					res.on('error', () => done(0));
				},
			);
			req.on('timeout', () => req.destroy(new Error('timeout')));
			req.on('error', () => done(0));
			req.end(entry.body);
		});
	}
}
