/**
 * The "n8n floor": the least a node can cost inside n8n 2.41 for the benchmark's work. Two bare,
 * test-only node types run through the same harness/engine path as the Vtiger node and trigger, with
 * the same credential (preAuthentication login, generic `authenticate` adding `sessionName`):
 * - `benchFloor`: declarative, `requestDefaults.baseURL` as the credential expression, one routing per
 *   operation, `paginate: true` into a pagination function that only caps concurrency (the node's
 *   `maxConcurrency` semantics: at most N requests per CRM in flight) and calls `makeRoutingRequest`;
 *   the output is Vtiger's `result` (n8n's `rootProperty`). No describe, no envelope checks, no session
 *   renewal, no error mapping.
 * - `benchFloorTrigger`: programmatic poll that follows `sync` pages with
 *   `this.helpers.httpRequestWithAuthentication` and emits `updated` + `deleted`.
 * Whatever these cost beyond the raw client is n8n's (per-request agents, expressions per item…).
 */
import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';

import { normalizeBaseUrl, VTIGER_BASE_URL_EXPRESSION } from '../nodes/Vtiger/webservice/url';

type ResultOptions = DeclarativeRestApiSettings.ResultOptions;

const PAGE = 100;

// the same gate semantics as the node's concurrency.ts: `limit` slots per CRM in this process
const gates = new Map<string, { active: number; waiting: Array<() => void> }>();

async function withSlot<T>(key: string, limit: number, task: () => Promise<T>): Promise<T> {
	let gate = gates.get(key);
	if (!gate) {
		gate = { active: 0, waiting: [] };
		gates.set(key, gate);
	}
	const g = gate;
	if (g.active >= limit) await new Promise<void>((resolve) => g.waiting.push(resolve));
	else g.active++;
	try {
		return await task();
	} finally {
		const next = g.waiting.shift();
		if (next) next();
		else if (--g.active === 0) gates.delete(key);
	}
}

function limitOf(ctx: IExecutePaginationFunctions): number {
	return Number(ctx.getNodeParameter('maxConcurrency', 5)) || 5;
}

/** One request per item, under the concurrency cap. */
async function floorRequest(this: IExecutePaginationFunctions, requestData: ResultOptions): Promise<INodeExecutionData[]> {
	return await withSlot(String(requestData.options.baseURL), limitOf(this), async () => await this.makeRoutingRequest(requestData));
}

/** VTQL pages `LIMIT offset,100` until a short page: ceil((N+1)/100) requests. */
async function floorQueryPager(this: IExecutePaginationFunctions, requestData: ResultOptions): Promise<INodeExecutionData[]> {
	const module = String(this.getNodeParameter('module'));
	const out: INodeExecutionData[] = [];
	for (let offset = 0; ; offset += PAGE) {
		requestData.options.qs = { ...(requestData.options.qs ?? {}), query: `SELECT * FROM ${module} LIMIT ${offset},${PAGE};` };
		const page = await withSlot(
			String(requestData.options.baseURL),
			limitOf(this),
			async () => await this.makeRoutingRequest(requestData),
		);
		out.push(...page);
		if (page.length < PAGE) return out;
	}
}

const takeResult = { postReceive: [{ type: 'rootProperty' as const, properties: { property: 'result' } }] };

export class BenchFloor implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bench Floor',
		name: 'benchFloor',
		group: ['transform'],
		version: 1,
		description: 'benchmark-only: the least a declarative node costs in n8n',
		defaults: { name: 'Bench Floor' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'vtigerApi', required: true }],
		requestDefaults: { baseURL: VTIGER_BASE_URL_EXPRESSION, url: '/webservice.php' },
		properties: [
			{ displayName: 'Max Concurrency', name: 'maxConcurrency', type: 'number', default: 5 },
			{ displayName: 'Module', name: 'module', type: 'string', default: 'Contacts' },
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'create',
				options: [
					{
						name: 'Create',
						value: 'create',
						routing: {
							request: {
								method: 'POST',
								headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
								body: {
									operation: 'create',
									elementType: '={{ $parameter.module }}',
									element: '={{ JSON.stringify($json) }}',
								},
							},
							send: { paginate: true },
							output: takeResult,
							operations: { pagination: floorRequest },
						},
					},
					{
						name: 'Get Many',
						value: 'getAll',
						routing: {
							request: { method: 'GET', qs: { operation: 'query' } },
							send: { paginate: true },
							output: takeResult,
							operations: { pagination: floorQueryPager },
						},
					},
				],
			},
		],
	};
}

interface SyncPage {
	updated: IDataObject[];
	deleted: string[];
	more: boolean;
	lastModifiedTime: number;
}

export class BenchFloorTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bench Floor Trigger',
		name: 'benchFloorTrigger',
		group: ['trigger'],
		version: 1,
		description: 'benchmark-only: the least a sync-polling trigger costs in n8n',
		defaults: { name: 'Bench Floor Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'vtigerApi', required: true }],
		properties: [
			{ displayName: 'Module', name: 'module', type: 'string', default: 'Contacts' },
			{ displayName: 'Since (Epoch Seconds)', name: 'since', type: 'number', default: 0 },
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const credentials = await this.getCredentials('vtigerApi');
		const url = `${normalizeBaseUrl(credentials.url)}/webservice.php`;
		const elementType = this.getNodeParameter('module') as string;
		const state = this.getWorkflowStaticData('node');
		let cursor = Number(state.cursor ?? this.getNodeParameter('since'));
		const items: INodeExecutionData[] = [];
		for (;;) {
			const body = (await this.helpers.httpRequestWithAuthentication.call(this, 'vtigerApi', {
				method: 'GET',
				url,
				qs: { operation: 'sync', elementType, modifiedTime: cursor },
				json: true,
			})) as { result: SyncPage };
			const page = body.result;
			for (const json of page.updated) items.push({ json });
			for (const id of page.deleted) items.push({ json: { id, deleted: true } });
			cursor = page.lastModifiedTime;
			if (!page.more) break;
		}
		state.cursor = cursor;
		return items.length ? [items] : null;
	}
}

/** Fresh instances per harness (n8n's loader adds "Request Options" to each instance it loads). */
export function floorNodeTypes(): Record<string, INodeType> {
	return { benchFloor: new BenchFloor(), benchFloorTrigger: new BenchFloorTrigger() };
}
