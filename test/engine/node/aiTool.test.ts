/**
 * The Vtiger node as an AI agent's tool. n8n's loader turns a `usableAsTool` node into "<name>Tool" (outputs
 * ai_tool, an execute that runs RoutingNode); an agent asks for its tools with getInputConnectionData, which builds
 * each with n8n-core's createNodeAsTool (schema from the $fromAI() calls in the parameters). The agent fixture
 * below invokes the tool with arguments as a model would and returns what the model would read.
 */
import type { StructuredTool } from '@langchain/core/tools';
import { RoutingNode } from 'n8n-core';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeParameters, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { Vtiger } from '../../../nodes/Vtiger/Vtiger.node';
import { createHarness } from '../../support/harness';
import type { Harness } from '../../support/harness';
import { startSimulator } from '../../support/simulator';
import type { Simulator } from '../../support/simulator';

/** What n8n's NodeTypes does for "vtigerTool" (n8n/dist/node-types.js, tool-generation/ai-tools.js). */
function vtigerTool(): INodeType {
	const base = new Vtiger();
	const description: INodeTypeDescription = {
		...base.description,
		name: `${base.description.name}Tool`,
		displayName: `${base.description.displayName} Tool`,
		inputs: [],
		outputs: [NodeConnectionTypes.AiTool],
	};
	delete description.usableAsTool;
	const tool: INodeType = {
		description,
		methods: base.methods,
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			// n8n calls it with its ExecuteContext (a SupplyDataContext for a tool), which is what RoutingNode takes
			return (await new RoutingNode(this as unknown as ConstructorParameters<typeof RoutingNode>[0], tool).runNode()) ?? [];
		},
	};
	return tool;
}

/** An agent whose "model" calls the first connected tool once per input item with `json.args`. */
const agentFixture: INodeType = {
	description: {
		displayName: 'Agent Fixture',
		name: 'agentFixture',
		group: ['transform'],
		version: 1,
		description: 'Calls its tool like a model would',
		defaults: { name: 'Agent' },
		inputs: [NodeConnectionTypes.Main, { type: NodeConnectionTypes.AiTool, required: true }],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const tools = (await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0)) as StructuredTool[];
		const [tool] = tools;
		const output: INodeExecutionData[] = [];
		for (const item of this.getInputData()) {
			let answer: string;
			try {
				answer = String(await tool.invoke(item.json.args as IDataObject));
			} catch (error) {
				answer = `ERROR ${(error as Error).message}`;
			}
			const shape = (tool.schema as unknown as { shape: Record<string, { description?: string }> }).shape;
			output.push({
				json: {
					name: tool.name,
					description: tool.description,
					arguments: Object.fromEntries(Object.entries(shape).map(([key, value]) => [key, value.description ?? ''])),
					answer,
				},
			});
		}
		return [output];
	},
};

let sim: Simulator;
let h: Harness;

beforeAll(async () => {
	sim = await startSimulator();
	h = createHarness({
		baseUrl: sim.baseUrl,
		username: sim.admin.username,
		accessKey: sim.admin.accessKey,
		nodeTypes: { vtigerTool: vtigerTool(), agentFixture },
	});
});
afterAll(async () => await sim.stop());
beforeEach(() => sim.clearLog());

async function agentCalls(parameters: IDataObject, args: IDataObject) {
	const r = await h.runNode({
		type: 'agentFixture',
		items: [{ args }],
		subNodes: [
			{
				name: 'Vtiger CRM',
				type: 'vtigerTool',
				typeVersion: 2,
				parameters: { descriptionType: 'auto', ...parameters } as INodeParameters,
				connectionType: NodeConnectionTypes.AiTool,
			},
		],
	});
	expect(r.error).toBeUndefined();
	return r.items[0].json as { name: string; description: string; arguments: Record<string, string>; answer: string };
}

describe('Vtiger as an AI agent tool', () => {
	test('Get Many with a filter value from the model: one query, the records as the answer', async () => {
		sim.store.insert('Contacts', { lastname: 'Agentson', email: 'ada@acme.example' });
		sim.store.insert('Contacts', { lastname: 'Other', email: 'bob@else.example' });
		const call = await agentCalls(
			{
				resource: 'record',
				operation: 'getAll',
				module: 'Contacts',
				filters: {
					conditions: [
						{
							field: 'email',
							operator: 'like',
							value: "={{ $fromAI('email_pattern', 'Email pattern, % is the wildcard, e.g. %@acme.example', 'string') }}",
						},
					],
				},
			},
			{ email_pattern: '%@acme.example' },
		);
		expect(call.name).toBe('Vtiger_CRM');
		expect(call.description).toBe('Get many records in Vtiger CRM');
		expect(call.arguments).toEqual({ email_pattern: 'Email pattern, % is the wildcard, e.g. %@acme.example' });
		const answer = JSON.parse(call.answer) as IDataObject[];
		expect(answer).toEqual([expect.objectContaining({ lastname: 'Agentson', email: 'ada@acme.example' })]);
		expect(sim.log.filter((e) => e.operation === 'query').map((e) => e.params.query)).toEqual([
			"SELECT * FROM Contacts WHERE email LIKE '%@acme.example' LIMIT 0, 50;",
		]);
	});

	test('Get by a record id the model gives', async () => {
		const rec = sim.store.insert('Contacts', { lastname: 'Byid', firstname: 'Ida' });
		const call = await agentCalls(
			{
				resource: 'record',
				operation: 'get',
				module: 'Contacts',
				recordId: { __rl: true, mode: 'id', value: "={{ $fromAI('contact_id', 'Vtiger ID of the contact, like 12x87', 'string') }}" },
			},
			{ contact_id: String(rec.id) },
		);
		expect(JSON.parse(call.answer)).toEqual([expect.objectContaining({ id: rec.id, lastname: 'Byid', firstname: 'Ida' })]);
	});

	test('Create with mapper fields from the model writes the record; a refused write comes back as an error the model reads', async () => {
		const parameters = {
			resource: 'record',
			operation: 'create',
			module: 'Contacts',
			columns: {
				mappingMode: 'defineBelow',
				value: {
					lastname: "={{ $fromAI('last_name', 'Last name of the contact', 'string') }}",
					email: "={{ $fromAI('email', 'Email address', 'string') }}",
					assigned_user_id: '19x1',
				},
				matchingColumns: [],
				schema: [],
			},
		};
		const call = await agentCalls(parameters, { last_name: 'Modelmade', email: 'model@example.com' });
		expect(Object.keys(call.arguments).sort()).toEqual(['email', 'last_name']);
		const [created] = JSON.parse(call.answer) as IDataObject[];
		expect(created).toMatchObject({ lastname: 'Modelmade', email: 'model@example.com' });
		expect(sim.store.get(String(created.id))).toMatchObject({ lastname: 'Modelmade', email: 'model@example.com' });

		const refused = await agentCalls(parameters, { last_name: '', email: 'nobody@example.com' });
		expect(refused.answer).toMatch(/^ERROR Fields: Contacts needs "Last Name"/);
		expect(sim.log.filter((e) => e.operation === 'create')).toHaveLength(1);
	});

	test('Create or Update by an email from the model: created once, then updated', async () => {
		const parameters = {
			resource: 'record',
			operation: 'upsert',
			module: 'Contacts',
			columns: {
				mappingMode: 'defineBelow',
				value: {
					email: "={{ $fromAI('email', 'Email address that identifies the contact', 'string') }}",
					lastname: "={{ $fromAI('last_name', 'Last name of the contact', 'string') }}",
					title: "={{ $fromAI('job_title', 'Job title', 'string') }}",
					assigned_user_id: '19x1',
				},
				matchingColumns: ['email'],
				schema: [],
			},
		};
		const first = await agentCalls(parameters, { email: 'agent.upsert@example.com', last_name: 'Upserted', job_title: 'CTO' });
		const second = await agentCalls(parameters, { email: 'agent.upsert@example.com', last_name: 'Upserted', job_title: 'CEO' });
		expect(JSON.parse(first.answer)).toEqual([expect.objectContaining({ _operation: 'created', title: 'CTO' })]);
		expect(JSON.parse(second.answer)).toEqual([expect.objectContaining({ _operation: 'updated', title: 'CEO' })]);
		expect(sim.store.all('Contacts').filter((c) => c.email === 'agent.upsert@example.com').map((c) => c.title)).toEqual(['CEO']);
	});
});
