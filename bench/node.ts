/**
 * The node side: the Vtiger node and the Vtiger Trigger run through the real n8n-core engine by the
 * engine harness (test/support/harness), with a credential store per run (a cold start logs in).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { Harness } from '../test/support/harness';
import { floorNodeTypes } from './floorNodes';
import type { BenchSim } from './sim';
import type { RunOutcome } from './types';

export type NodeHarness = Harness;

export interface NodeDriver {
	harness(sim: BenchSim): NodeHarness;
	createRecords(h: NodeHarness, module: string, elements: IDataObject[], concurrency: number): Promise<RunOutcome>;
	getMany(h: NodeHarness, module: string, concurrency: number): Promise<RunOutcome>;
	get(h: NodeHarness, id: string, concurrency: number): Promise<RunOutcome>;
	poll(h: NodeHarness, module: string, staticData: IDataObject, startFrom?: string): Promise<{ count: number; staticData: IDataObject }>;
	/** the n8n floor (bench/floorNodes.ts): the same work by bare nodes through the same engine path */
	floor: {
		createRecords(h: NodeHarness, module: string, elements: IDataObject[], concurrency: number): Promise<RunOutcome>;
		getMany(h: NodeHarness, module: string, concurrency: number): Promise<RunOutcome>;
		poll(h: NodeHarness, module: string, staticData: IDataObject, since?: number): Promise<{ count: number; staticData: IDataObject }>;
	};
}

async function execute(
	h: NodeHarness,
	parameters: INodeParameters,
	items?: IDataObject[],
	type = 'vtiger',
): Promise<RunOutcome> {
	const result = await h.runNode({ type, parameters, items, continueOnFail: true });
	if (result.error) {
		// the run stopped: nothing it was given counts as done
		return { items: 0, failedItems: items?.length ?? 1, error: result.error.message } as RunOutcome;
	}
	return {
		items: result.items.length - result.errors.length,
		failedItems: result.errors.length,
		...(result.errors.length ? { error: `first failed item: ${result.errors[0]}` } : {}),
	};
}

/** Loads the harness and checks the node types it needs; a string says what is missing. */
export async function loadNodeDriver(): Promise<{ driver: NodeDriver; missing: Record<string, string> } | string> {
	let harnessModule: typeof import('../test/support/harness');
	try {
		harnessModule = await import('../test/support/harness');
	} catch (error) {
		return `engine harness (test/support/harness) does not load: ${(error as Error).message.split('\n')[0]}`;
	}
	const { createHarness } = harnessModule;
	const probe = createHarness({ baseUrl: 'http://127.0.0.1:1', username: 'admin', accessKey: 'x' });
	const missing: Record<string, string> = {};
	for (const type of ['vtiger', 'vtigerTrigger']) {
		try {
			probe.nodeTypes.getByName(type);
		} catch (error) {
			missing[type] = `node type "${type}" does not load: ${(error as Error).message.split('\n')[0]}`;
		}
	}
	const driver: NodeDriver = {
		harness: (sim) =>
			createHarness({
				baseUrl: sim.baseUrl,
				username: sim.admin.username,
				accessKey: sim.admin.accessKey,
				nodeTypes: floorNodeTypes(),
			}),
		createRecords: (h, module, elements, concurrency) =>
			execute(
				h,
				{
					resource: 'record',
					operation: 'create',
					module,
					columns: { mappingMode: 'autoMapInputData', value: null },
					options: { maxConcurrency: concurrency },
				},
				elements,
			),
		getMany: (h, module, concurrency) =>
			execute(h, { resource: 'record', operation: 'getAll', module, returnAll: true, options: { maxConcurrency: concurrency } }),
		get: (h, id, concurrency) =>
			execute(h, {
				resource: 'record',
				operation: 'get',
				module: 'Contacts',
				recordId: { __rl: true, mode: 'id', value: id },
				options: { maxConcurrency: concurrency },
			}),
		async poll(h, module, staticData, startFrom) {
			const out = await h.poll(
				{ module, events: ['created', 'updated', 'deleted'], options: startFrom ? { startFrom } : {} },
				staticData,
				'trigger',
			);
			return { count: out.items?.length ?? 0, staticData: out.staticData };
		},
		floor: {
			createRecords: (h, module, elements, concurrency) =>
				execute(h, { operation: 'create', module, maxConcurrency: concurrency }, elements, 'benchFloor'),
			getMany: (h, module, concurrency) =>
				execute(h, { operation: 'getAll', module, maxConcurrency: concurrency }, undefined, 'benchFloor'),
			async poll(h, module, staticData, since) {
				const out = await h.poll({ module, since: since ?? 0 }, staticData, 'trigger', { type: 'benchFloorTrigger' });
				return { count: out.items?.length ?? 0, staticData: out.staticData };
			},
		},
	};
	return { driver, missing };
}
