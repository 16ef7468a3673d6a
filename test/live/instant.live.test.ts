/**
 * Vtiger Instant Trigger against a real Vtiger with the n8n Connector extension installed (vtiger-extension/,
 * installed by the live setup): the built node subscribes a receiver on 127.0.0.1, the CRM's own deliveries of
 * this run's webservice create, update and delete become one item each, and unsubscribing stops them. The
 * receiver's loopback address needs the administrator's consent: the test adds 127.0.0.1 to the allow-list and
 * puts the list back afterwards. Other users change Contacts meanwhile: only this run's records are looked at.
 */
import { resolve } from 'node:path';

import type { INodeType } from 'n8n-workflow';

import { WebhookReceiver } from '../support/harness/webhookReceiver';
import { builtNodeTypes, describeLive, liveClient, liveHarness, LiveRecords, liveTag } from './env';
import type { LiveClient } from './env';

interface Settings {
	allowNonAdmins: boolean;
	allowedHosts: string[];
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((done) => setTimeout(done, 200));
	}
}

describeLive('live: instant trigger (n8n Connector extension)', () => {
	const records = new LiveRecords(['Contacts']);
	let raw: LiveClient;
	let before: Settings | undefined;

	beforeAll(async () => {
		raw = await liveClient();
		const info = await raw.send('n8n_info', {}, 'GET');
		if (!info.body?.success) {
			throw new Error(
				`the n8n Connector extension is not installed on this Vtiger (n8n_info: HTTP ${info.status}): the live setup installs dist/vtiger-extension/N8nConnector-<version>.zip`,
			);
		}
		before = await raw.call<Settings>('n8n_settings', { settings: {} });
		await raw.call('n8n_settings', { settings: { allowedHosts: [...new Set([...before.allowedHosts, '127.0.0.1'])] } });
	});

	afterAll(async () => {
		if (before) await raw.call('n8n_settings', { settings: { allowedHosts: before.allowedHosts } });
		expect(await records.cleanup(raw)).toEqual([]);
	});

	test('a create, an update and a delete of this run arrive once each, signed; unsubscribing stops deliveries', async () => {
		const { VtigerInstantTrigger } = require(resolve(__dirname, '../../dist/nodes/Vtiger/VtigerInstantTrigger.node.js')) as {
			VtigerInstantTrigger: new () => INodeType;
		};
		const h = liveHarness('admin', { nodeTypes: { ...builtNodeTypes(), vtigerInstantTrigger: new VtigerInstantTrigger() } });
		const receiver = await new WebhookReceiver(h, { module: 'Contacts', events: ['created', 'updated', 'deleted'] }).start();
		try {
			await receiver.activate();
			const subscriptionId = (Object.values(receiver.staticData.subscriptions as Record<string, { id: string }>)[0] ?? {}).id;
			expect(subscriptionId).toMatch(/^sub_/);
			expect(await receiver.hook('checkExists')).toBe(true);

			const tag = liveTag('instant');
			const created = await raw.call<{ id: string }>('create', {
				elementType: 'Contacts',
				element: { lastname: tag, assigned_user_id: raw.userId },
			});
			const id = records.track(created.id);
			const mine = () => receiver.executions.map((items) => items[0].json).filter((json) => json.id === id);
			// delivery right after each save; the cron retry path is not needed when the receiver is up. The body is
			// built when it is sent: an update deleted before that arrives with id and module only, so each change
			// waits for the one before it
			await until('the create', () => mine().length >= 1, 60000);
			await raw.call('revise', { element: { id, firstname: 'Instant' } });
			await until('the update', () => mine().length >= 2, 60000);
			await raw.call('delete', { id });
			await until('the delete', () => mine().length >= 3, 60000);
			await new Promise((done) => setTimeout(done, 3000));
			expect(mine().map((json) => json.event)).toEqual(['created', 'updated', 'deleted']);
			expect(mine()[0]).toMatchObject({ module: 'Contacts', lastname: tag });
			expect(mine()[1]).toMatchObject({ firstname: 'Instant' });
			expect(receiver.answers.filter((answer) => answer.status === 401)).toEqual([]);

			expect(await receiver.hook('delete')).toBe(true);
			const gone = await raw.send('n8n_subscription', { id: subscriptionId }, 'GET');
			expect(gone.body?.error?.code).toBe('N8N_SUBSCRIPTION_NOT_FOUND');
			const after = await raw.call<{ id: string }>('create', {
				elementType: 'Contacts',
				element: { lastname: liveTag('after'), assigned_user_id: raw.userId },
			});
			records.track(after.id);
			await new Promise((done) => setTimeout(done, 3000));
			expect(receiver.executions.map((items) => items[0].json.id)).not.toContain(after.id);
		} finally {
			await receiver.hook('delete').catch(() => false);
			await receiver.stop();
		}
	});
});
