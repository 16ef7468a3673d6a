import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { describeModule } from '../records/describe';
import { readRecordOutput, shapeRecords } from '../records/output';
import type { RecordOutput } from '../records/output';
import { verifySignature } from './signature';
import { INSTANT_EVENTS, readInstantEvents, readInstantModule, storedSubscriptions } from './subscription';
import type { InstantEvent } from './subscription';

/** How many delivered event ids the node remembers to drop Vtiger's repeats (at-least-once delivery). */
export const SEEN_EVENT_IDS = 500;

/** Ids accepted by this process but maybe not yet in saved static data (two deliveries at once). */
const recentlySeen = new Map<string, string[]>();

interface Delivery {
	id: string;
	event: InstantEvent;
	module: string;
	recordId: string;
	record?: IDataObject;
}

function parseDelivery(raw: Buffer): Delivery | undefined {
	let body: unknown;
	try {
		body = JSON.parse(raw.toString('utf8'));
	} catch {
		return undefined;
	}
	const envelope = (typeof body === 'object' && body !== null ? body : {}) as IDataObject;
	const data = (typeof envelope.data === 'object' && envelope.data !== null ? envelope.data : {}) as IDataObject;
	const event = String(data.event ?? '') as InstantEvent;
	if (!INSTANT_EVENTS.includes(event) || typeof envelope.id !== 'string') return undefined;
	const record = typeof data.record === 'object' && data.record !== null ? (data.record as IDataObject) : undefined;
	return { id: envelope.id, event, module: String(data.module ?? ''), recordId: String(data.id ?? record?.id ?? ''), record };
}

function refuse(ctx: IWebhookFunctions, status: number, message: string): IWebhookResponseData {
	const response = ctx.getResponseObject();
	response.status(status).json({ message });
	return { noWebhookResponse: true };
}

/** The raw bytes Vtiger signed: n8n keeps them as `rawBody` when it parses a webhook's JSON body. */
function rawBodyOf(ctx: IWebhookFunctions): Buffer | undefined {
	const request = ctx.getRequestObject() as { rawBody?: unknown };
	const raw = request.rawBody;
	if (Buffer.isBuffer(raw)) return raw;
	if (typeof raw === 'string') return Buffer.from(raw, 'utf8');
	return undefined;
}

function readOutput(ctx: IWebhookFunctions): RecordOutput {
	return { ...readRecordOutput(ctx), simplify: ctx.getNodeParameter('simplify', false) === true };
}

/** The polling trigger's item shape: `event`, `module` and the record's fields (a deletion: its `id`). */
async function toItem(ctx: IWebhookFunctions, delivery: Delivery, module: string): Promise<INodeExecutionData> {
	const json: IDataObject = { event: delivery.event, module };
	if (delivery.record) {
		let record = delivery.record;
		const output = readOutput(ctx);
		if (output.simplify || output.referenceLabels || output.isoDateTimes) {
			const description = await describeModule(ctx, module);
			[record] = await shapeRecords(ctx, description, [record], output);
		}
		Object.assign(json, record);
	} else {
		json.id = delivery.recordId;
	}
	json.event = delivery.event;
	json.module = module;
	return { json };
}

/**
 * The webhook: a delivery signed with this node's subscription secret, within five minutes, is one item;
 * anything unsigned, forged or replayed answers 401 and starts nothing; an event id already seen is
 * acknowledged and dropped.
 */
export async function receiveDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const staticData = this.getWorkflowStaticData('node');
	const secrets = Object.values(storedSubscriptions(staticData)).map((subscription) => subscription.secret);
	const raw = rawBodyOf(this);
	if (!raw) return refuse(this, 400, 'Expected a JSON body');
	const verdict = verifySignature(this.getHeaderData(), raw, secrets, Math.floor(Date.now() / 1000));
	if (!verdict.ok) {
		this.logger.warn(`Vtiger Instant Trigger: refused a delivery (${verdict.reason} signature)`);
		return refuse(this, 401, 'Invalid webhook signature');
	}
	const delivery = parseDelivery(raw);
	if (!delivery) return refuse(this, 400, 'Not a Vtiger record event');

	const key = `${this.getWorkflow().id ?? ''}\u0000${this.getNode().id}`;
	const seen = Array.isArray(staticData.seenEventIds) ? (staticData.seenEventIds as string[]) : [];
	const recent = recentlySeen.get(key) ?? [];
	if (seen.includes(delivery.id) || recent.includes(delivery.id)) {
		return { webhookResponse: { received: true, duplicate: true } };
	}
	const remember = () => {
		staticData.seenEventIds = [...seen, delivery.id].slice(-SEEN_EVENT_IDS);
		recentlySeen.set(key, [...(recentlySeen.get(key) ?? []), delivery.id].slice(-SEEN_EVENT_IDS));
	};

	const module = readInstantModule(this);
	if (delivery.module !== module || !readInstantEvents(this).includes(delivery.event)) {
		remember();
		return { webhookResponse: { received: true, ignored: true } };
	}
	// remembered only once the item exists: a failed label lookup answers 500, and Vtiger's retry is not a repeat
	const item = await toItem(this, delivery, module);
	remember();
	return { workflowData: [[item]] };
}
