import * as crypto from 'node:crypto';

import { startSimulator, type Simulator } from '../support/simulator';
import { N8n } from './helpers/n8n';
import { CREDENTIAL_TYPE, credentialData, n8nId, PACKAGE, vtigerCredential } from './helpers/workflow';
import type { WorkflowJson } from './helpers/n8n';

const INSTANT_TRIGGER = `${PACKAGE}.vtigerInstantTrigger`;

/** A webservice client of the simulator: the writes a person or another integration makes in Vtiger. */
async function webservice(sim: Simulator): Promise<(operation: string, params: Record<string, string>) => Promise<Record<string, unknown>>> {
	const challenge = (await (await fetch(`${sim.url}?operation=getchallenge&username=admin`)).json()) as { result: { token: string } };
	const accessKey = crypto.createHash('md5').update(challenge.result.token + sim.admin.accessKey).digest('hex');
	const login = (await (
		await fetch(sim.url, { method: 'POST', body: new URLSearchParams({ operation: 'login', username: 'admin', accessKey }) })
	).json()) as { result: { sessionName: string } };
	return async (operation, params) => {
		const answer = (await (
			await fetch(sim.url, {
				method: 'POST',
				body: new URLSearchParams({ operation, sessionName: login.result.sessionName, ...params }),
			})
		).json()) as { success: boolean; result: Record<string, unknown> };
		if (!answer.success) throw new Error(`${operation}: ${JSON.stringify(answer)}`);
		return answer.result;
	};
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

/**
 * The Vtiger Instant Trigger in a started n8n 2.41.1: activation subscribes through the simulator's n8n
 * Connector extension, Vtiger's signed deliveries start executions, deactivation unsubscribes.
 */
describe('the Vtiger Instant Trigger inside a started n8n', () => {
	let sim: Simulator;
	let n8n: N8n;
	const credential = vtigerCredential('Vtiger account', { url: '', username: '', accessKey: '' });
	const workflow: WorkflowJson = {
		id: n8nId(),
		name: 'Contacts, instantly',
		active: false,
		nodes: [
			{
				id: crypto.randomUUID(),
				name: 'Vtiger Instant Trigger',
				type: INSTANT_TRIGGER,
				typeVersion: 1,
				position: [0, 0],
				webhookId: crypto.randomUUID(),
				parameters: { module: 'Contacts', events: ['created', 'updated', 'deleted'], options: {} },
				credentials: { [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
		pinData: {},
	} as WorkflowJson;

	beforeAll(async () => {
		sim = await startSimulator();
		sim.installConnector();
		credential.data = credentialData({ url: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
		n8n = await N8n.create('instant');
		await n8n.importCredentials([credential]);
		await n8n.importWorkflows([workflow]);
		await n8n.publishWorkflow(workflow.id);
		await n8n.start();
		await n8n.login();
	});

	afterAll(async () => {
		await n8n?.stop();
		await sim?.stop();
	});

	test('activation subscribes n8n\'s production URL; a create, an update and a delete each start one execution; deactivation unsubscribes', async () => {
		await until('the subscription made at activation', () => sim.connector.subscriptions.size === 1, 60000);
		const [subscription] = [...sim.connector.subscriptions.values()];
		expect(subscription.url).toBe(`${n8n.baseUrl}/webhook/${workflow.nodes[0].webhookId as string}/webhook`);
		expect(subscription).toMatchObject({ modules: ['Contacts'], events: ['created', 'updated', 'deleted'], expiresAt: null });

		const call = await webservice(sim);
		const created = await call('create', {
			elementType: 'Contacts',
			element: JSON.stringify({ lastname: 'Instant E2E', assigned_user_id: '19x1' }),
		});
		const id = String(created.id);
		await call('revise', { element: JSON.stringify({ id, firstname: 'Ina' }) });
		await call('delete', { id });
		await sim.connector.settled();

		const list = await n8n.waitForExecutions(workflow.id, (l) => l.filter((e) => e.status === 'success').length >= 3, 60000);
		// Vtiger repeats a delivery (at-least-once): the node drops it
		const delivered = sim.connector.outbox.filter((entry) => entry.state === 'delivered');
		expect(delivered).toHaveLength(3);
		expect(await sim.connector.redeliver(delivered[0].eventId)).toBe(200);
		await new Promise((resolve) => setTimeout(resolve, 3000));
		const after = await n8n.waitForExecutions(workflow.id, () => true, 10000);
		expect(after.length).toBe(list.length);
		expect(after.every((e) => e.mode === 'webhook' && e.status === 'success')).toBe(true);
		const items: Array<Record<string, unknown>> = [];
		for (const summary of [...after].reverse()) {
			const execution = await n8n.getExecution(summary.id);
			items.push(...(execution.data.resultData.runData['Vtiger Instant Trigger'][0].data?.main?.[0] ?? []).map((item) => item.json as Record<string, unknown>));
		}
		expect(items.map((json) => [json.event, json.id])).toEqual([
			['created', id],
			['updated', id],
			['deleted', id],
		]);
		expect(items[0]).toMatchObject({ module: 'Contacts', lastname: 'Instant E2E' });
		expect(items[1]).toMatchObject({ firstname: 'Ina' });

		// an unsigned request is refused and starts nothing
		const forged = await fetch(subscription.url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ id: 'evt_forged', type: 'record.created', data: { event: 'created', module: 'Contacts', id } }),
		});
		expect(forged.status).toBe(401);

		const deactivated = await n8n.rest('POST', `/workflows/${workflow.id}/deactivate`, {});
		expect(deactivated.status).toBe(200);
		await until('the unsubscribe at deactivation', () => sim.connector.subscriptions.size === 0, 30000);
		expect(sim.log.filter((e) => e.operation === 'n8n_unsubscribe' && e.params.id === subscription.id)).toHaveLength(1);
		const final = await n8n.waitForExecutions(workflow.id, () => true, 10000);
		expect(final.length).toBe(after.length);
	});

	test('"Listen for test event" subscribes the test URL for 15 minutes; the next change runs the workflow once and the subscription goes', async () => {
		const before = await n8n.waitForExecutions(workflow.id, () => true, 10000);
		const listen = await n8n.rest<{ waitingForWebhook?: boolean }>('POST', `/workflows/${workflow.id}/run`, {
			workflowData: { ...workflow, active: false },
			triggerToStartFrom: { name: 'Vtiger Instant Trigger' },
		});
		expect(listen.status).toBe(200);
		expect(listen.data.waitingForWebhook).toBe(true);
		await until('the test URL\'s subscription', () => sim.connector.subscriptions.size === 1, 30000);
		const [subscription] = [...sim.connector.subscriptions.values()];
		expect(subscription.url).toBe(`${n8n.baseUrl}/webhook-test/${workflow.nodes[0].webhookId as string}/webhook`);
		expect(subscription.ttl).toBe(900);

		const call = await webservice(sim);
		const created = await call('create', {
			elementType: 'Contacts',
			element: JSON.stringify({ lastname: 'Test Event', assigned_user_id: '19x1' }),
		});
		await sim.connector.settled();
		const list = await n8n.waitForExecutions(workflow.id, (l) => l.length > before.length && l[0].status === 'success', 60000);
		const execution = await n8n.getExecution(list[0].id);
		expect(execution.mode).toBe('manual');
		const items = execution.data.resultData.runData['Vtiger Instant Trigger'][0].data?.main?.[0] ?? [];
		expect(items.map((item) => item.json)).toEqual([expect.objectContaining({ event: 'created', id: created.id, lastname: 'Test Event' })]);
		// n8n removes a test webhook once it was called: the node unsubscribes
		await until('the test subscription removed', () => sim.connector.subscriptions.size === 0, 30000);
	});
});
