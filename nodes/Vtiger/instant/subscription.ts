import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IHookFunctions, INode } from 'n8n-workflow';

import { failureOf } from '../webservice/errors';
import { EXTENSION_REMEDY } from '../webservice/extension';
import { vtigerApiRequest } from '../webservice/transport';

/** The extension's webservice operations (the N8nConnector contract). */
export const SUBSCRIBE = 'n8n_subscribe';
export const UNSUBSCRIBE = 'n8n_unsubscribe';
export const SUBSCRIPTION = 'n8n_subscription';
export const RESUME = 'n8n_resume';

/** A test URL's subscription ends by itself: a closed editor leaves nothing behind in Vtiger. */
export const TEST_SUBSCRIPTION_TTL_SECONDS = 15 * 60;

export const INSTANT_EVENTS = ['created', 'updated', 'deleted', 'restored'] as const;
export type InstantEvent = (typeof INSTANT_EVENTS)[number];

const MODULE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** What the node keeps of one subscription, by the webhook URL it delivers to. */
/** A type, not an interface: like n8n's static data (IDataObject) it is plain JSON, so one reads as the other. */
export type StoredSubscription = {
	id: string;
	/** `whsec_…`: only n8n_subscribe ever answers it */
	secret: string;
	expiresAt: string | null;
	module: string;
	events: string[];
};

type Subscriptions = Record<string, StoredSubscription>;

/** The node's static data: subscriptions by URL (the test URL's and the production URL's). */
export function storedSubscriptions(staticData: IDataObject): Subscriptions {
	if (typeof staticData.subscriptions !== 'object' || staticData.subscriptions === null) staticData.subscriptions = {};
	return staticData.subscriptions as Subscriptions;
}

export function readInstantModule(ctx: { getNodeParameter(name: string, fallback: unknown): unknown; getNode(): INode }): string {
	const module = String(ctx.getNodeParameter('module', '') ?? '').trim();
	if (!MODULE_NAME.test(module)) {
		throw new NodeOperationError(ctx.getNode(), `"${module}" is not a Vtiger module name`, {
			description: 'Choose the module to watch from the list.',
		});
	}
	return module;
}

export function readInstantEvents(ctx: { getNodeParameter(name: string, fallback: unknown): unknown; getNode(): INode }): InstantEvent[] {
	const raw = ctx.getNodeParameter('events', []) as unknown;
	const events = (Array.isArray(raw) ? raw : []).filter((event): event is InstantEvent =>
		INSTANT_EVENTS.includes(event as InstantEvent),
	);
	if (events.length === 0) throw new NodeOperationError(ctx.getNode(), 'Choose at least one event to watch');
	return events;
}

const EXTENSION_MISSING = `${EXTENSION_REMEDY} Without it, use the polling Vtiger Trigger.`;

/** What the user should do about a failed subscription call, or undefined when the error says enough. */
function advice(operation: string, error: unknown): { message: string; description: string } | undefined {
	const failure = failureOf(error);
	if (!failure) return undefined;
	if (failure.kind === 'crash' || failure.kind === 'empty' || failure.kind === 'plainText') {
		// Vtiger answers an operation it does not know with a PHP fatal error: HTTP 500, empty body
		// (test/support/fixtures/vtiger-8.3/README.md, "Unhandled PHP errors")
		return {
			message: `Vtiger "${operation}" failed: the CRM does not know this operation, so the n8n Connector extension is probably not installed (or is disabled)`,
			description: EXTENSION_MISSING,
		};
	}
	if (failure.kind !== 'vtiger') return undefined;
	const detail = failure.detail ? ` – ${failure.detail}` : '';
	switch (failure.code) {
		case 'N8N_DESTINATION_NOT_ALLOWED':
			return {
				message: `Vtiger "${operation}" failed: N8N_DESTINATION_NOT_ALLOWED${detail}`,
				description:
					'Vtiger refuses to send to this n8n address until its administrator allows it: in Vtiger, Settings › Integration › n8n Connector, add the host of n8n\'s webhook URL to the allowed internal destinations (loopback, private and link-local addresses need that consent; public hosts are always allowed). If n8n runs behind a proxy, set WEBHOOK_URL so n8n gives Vtiger its public address.',
			};
		case 'N8N_NOT_PERMITTED':
			return {
				message: `Vtiger "${operation}" failed: N8N_NOT_PERMITTED${detail}`,
				description:
					'Only Vtiger administrators may subscribe unless an administrator allows other users (Settings › Integration › n8n Connector). Ask for that, or use a credential of an administrator.',
			};
		case 'N8N_INVALID_MODULE':
			return {
				message: `Vtiger "${operation}" failed: N8N_INVALID_MODULE${detail}`,
				description: 'The chosen module is not an entity module this user may see. Choose another module.',
			};
		default:
			return undefined;
	}
}

function asNodeError(ctx: IHookFunctions, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), error as Error);
}

async function call(ctx: IHookFunctions, operation: string, params: IDataObject): Promise<IDataObject> {
	try {
		const result = await vtigerApiRequest.call(ctx, operation, params);
		return (typeof result === 'object' && result !== null ? result : {}) as IDataObject;
	} catch (error) {
		const better = advice(operation, error);
		if (!better) throw asNodeError(ctx, error);
		const wrapped = new NodeApiError(ctx.getNode(), { message: better.message, vtigerOperation: operation }, better);
		const failure = failureOf(error);
		if (failure) (wrapped as { cause?: unknown }).cause = error;
		throw wrapped;
	}
}

function isTestUrl(ctx: IHookFunctions): boolean {
	return ctx.getMode() === 'manual' || ctx.getActivationMode() === 'manual';
}

function webhookUrl(ctx: IHookFunctions): string {
	const url = ctx.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(ctx.getNode(), 'n8n gave this trigger no webhook URL');
	return url;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
	return a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
}

/**
 * checkExists: the subscription this node made for its URL is still there, active, unexpired and watching
 * what the node asks for. Anything else (deleted in Vtiger, disabled after failed deliveries, expired, the
 * parameters changed) answers false, so n8n calls create and the subscription is repaired.
 */
export async function subscriptionExists(this: IHookFunctions): Promise<boolean> {
	const url = webhookUrl(this);
	const subscriptions = storedSubscriptions(this.getWorkflowStaticData('node'));
	const stored = subscriptions[url];
	if (!stored) return false;
	let current: IDataObject;
	try {
		current = await call(this, SUBSCRIPTION, { id: stored.id });
	} catch (error) {
		if (failureOf(error)?.code === 'N8N_SUBSCRIPTION_NOT_FOUND') {
			// an expired one may still be stored in Vtiger until its cron cleans up: removing it is idempotent
			await removeSubscription(this, url, stored);
			delete subscriptions[url];
			return false;
		}
		throw asNodeError(this, error);
	}
	const expiresAt = typeof current.expiresAt === 'string' ? Date.parse(current.expiresAt) : NaN;
	const usable =
		current.status === 'active' &&
		current.url === url &&
		!(Number.isFinite(expiresAt) && expiresAt <= Date.now()) &&
		stored.module === readInstantModule(this) &&
		sameList(stored.events, readInstantEvents(this));
	if (usable) {
		if (Number(current.failures) > 0) await resumeDeliveries(this, stored.id);
		return true;
	}
	// a disabled or outdated subscription is replaced, not left behind
	await removeSubscription(this, url, stored);
	return false;
}

/**
 * n8n is back (it checks its subscriptions when it starts and on every activation) and Vtiger is still waiting out
 * the back-off of failed deliveries (up to 5 minutes, then the next cron run): n8n_resume sends the backlog now.
 * An extension without it, or any failure here, leaves the back-off to deliver later: nothing is lost.
 */
async function resumeDeliveries(ctx: IHookFunctions, id: string): Promise<void> {
	try {
		await vtigerApiRequest.call(ctx, RESUME, { id });
	} catch (error) {
		ctx.logger.debug(`Vtiger "${RESUME}" failed; Vtiger delivers after its back-off instead`, { error: (error as Error).message });
	}
}

/** create: subscribes the node's URL (the production URL without expiry, a test URL for 15 minutes). */
export async function subscribe(this: IHookFunctions): Promise<boolean> {
	const url = webhookUrl(this);
	const module = readInstantModule(this);
	const events = readInstantEvents(this);
	const staticData = this.getWorkflowStaticData('node');
	const subscriptions = storedSubscriptions(staticData);
	const previous = subscriptions[url];
	if (previous) await removeSubscription(this, url, previous);
	const workflow = this.getWorkflow();
	const result = await call(
		this,
		SUBSCRIBE,
		{
			url,
			modules: JSON.stringify([module]),
			events: JSON.stringify(events),
			ttl: String(isTestUrl(this) ? TEST_SUBSCRIPTION_TTL_SECONDS : 0),
			label: `n8n workflow ${workflow.id ?? ''} "${workflow.name ?? ''}" / ${this.getNode().name}${isTestUrl(this) ? ' (test)' : ''}`,
		},
	);
	const id = typeof result.id === 'string' ? result.id : '';
	const secret = typeof result.secret === 'string' ? result.secret : '';
	if (!id || !secret.startsWith('whsec_')) {
		throw new NodeOperationError(this.getNode(), `Vtiger "${SUBSCRIBE}" answered without a subscription id and secret`, {
			description: 'The n8n Connector extension in Vtiger may be older than this node. Update it from this package\'s dist/vtiger-extension/ folder.',
		});
	}
	subscriptions[url] = {
		id,
		secret,
		expiresAt: typeof result.expiresAt === 'string' ? result.expiresAt : null,
		module,
		events,
	};
	return true;
}

async function removeSubscription(ctx: IHookFunctions, url: string, stored: StoredSubscription): Promise<boolean> {
	const subscriptions = storedSubscriptions(ctx.getWorkflowStaticData('node'));
	try {
		await call(ctx, UNSUBSCRIBE, { id: stored.id });
	} catch (error) {
		if (failureOf(error)?.code !== 'N8N_SUBSCRIPTION_NOT_FOUND') {
			ctx.logger.warn(`Vtiger Instant Trigger: could not remove subscription ${stored.id}: ${(error as Error).message}`);
			return false;
		}
	}
	delete subscriptions[url];
	return true;
}

/** delete: unsubscribes the node's URL (an id Vtiger no longer knows counts as removed). */
export async function unsubscribe(this: IHookFunctions): Promise<boolean> {
	const url = webhookUrl(this);
	const stored = storedSubscriptions(this.getWorkflowStaticData('node'))[url];
	if (!stored) return true;
	return await removeSubscription(this, url, stored);
}
