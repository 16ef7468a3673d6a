/**
 * Vtiger Instant Trigger through n8n-core's HookContext and WebhookContext, against the simulator with the n8n
 * Connector extension installed: writes made through the Vtiger node reach a receiver on 127.0.0.1 that hands
 * each request to the trigger's webhook() as n8n's webhook server does (raw body, headers, static data saved
 * after each request).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { assertNoSecrets, createHarness } from '../../support/harness';
import type { Harness } from '../../support/harness';
import { WebhookReceiver as Receiver } from '../../support/harness/webhookReceiver';
import { startSimulator } from '../../support/simulator';
import type { N8nConnector, Simulator } from '../../support/simulator';
import { signPayload } from '../../../nodes/Vtiger/instant/signature';

const rl = (value: string) => ({ __rl: true, mode: 'id', value });

let sim: Simulator;
let h: Harness;
let connector: N8nConnector;

const receivers: Receiver[] = [];
async function receiver(parameters: INodeParameters = { module: 'Contacts', events: ['created', 'updated', 'deleted'] }): Promise<Receiver> {
	const r = await new Receiver(h, parameters).start();
	receivers.push(r);
	return r;
}

async function vtiger(parameters: IDataObject): Promise<IDataObject> {
	const run = await h.runNode({ type: 'vtiger', parameters: { resource: 'record', ...parameters } as INodeParameters });
	expect(run.error).toBeUndefined();
	return run.items[0]?.json ?? {};
}

const createContact = async (lastname: string) =>
	await vtiger({ operation: 'create', module: 'Contacts', columns: { mappingMode: 'defineBelow', value: { lastname, assigned_user_id: '19x1' } } });

beforeAll(async () => {
	sim = await startSimulator();
	connector = sim.installConnector();
	connector.retryDelaysMs = [50, 100, 200];
	h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
});

afterEach(async () => {
	await connector.settled();
	for (const r of receivers.splice(0)) await r.stop();
	connector.subscriptions.clear();
	sim.installConnector();
});

afterAll(async () => {
	await sim.stop();
});

describe('activation', () => {
	test('subscribes the production URL with no expiry, for the chosen module and events; the secret stays in static data', async () => {
		const r = await receiver();
		await r.activate();
		const [subscription] = [...connector.subscriptions.values()];
		expect(subscription).toMatchObject({
			url: `${r.baseUrl}/webhook/${[...connector.subscriptions.values()][0].url.split('/webhook/')[1]}`,
			modules: ['Contacts'],
			events: ['created', 'updated', 'deleted'],
			expiresAt: null,
			ownerId: '19x1',
		});
		expect(subscription.url).toMatch(new RegExp(`^${r.baseUrl}/webhook/[^/]+/webhook$`));
		expect(subscription.label).toMatch(/^n8n workflow harness-workflow .*Vtiger Instant Trigger$/);
		const stored = Object.values(r.staticData.subscriptions as IDataObject) as IDataObject[];
		expect(stored).toEqual([expect.objectContaining({ id: subscription.id, secret: subscription.secret })]);
		// the next activation (n8n restarted) finds it
		expect(await r.hook('checkExists')).toBe(true);
		expect(connector.subscriptions.size).toBe(1);
	});

	test('the test URL subscribes for 15 minutes, beside the production subscription', async () => {
		const r = await receiver();
		await r.activate();
		await r.activate(true);
		const subscriptions = [...connector.subscriptions.values()];
		expect(subscriptions).toHaveLength(2);
		const test = subscriptions.find((s) => s.url.includes('/webhook-test/'));
		expect(test?.ttl).toBe(900);
		expect(Date.parse(String(test?.expiresAt)) - Date.parse(String(test?.createdAt))).toBe(900_000);
		expect(subscriptions.find((s) => !s.url.includes('/webhook-test/'))?.expiresAt).toBeNull();
	});

	test('deactivation unsubscribes; Vtiger no longer delivers', async () => {
		const r = await receiver();
		await r.activate();
		expect(await r.hook('delete')).toBe(true);
		expect(connector.subscriptions.size).toBe(0);
		expect(sim.log.filter((e) => e.operation === 'n8n_unsubscribe')).toHaveLength(1);
		await createContact('After Deactivation');
		await new Promise((resolve) => setImmediate(resolve));
		await connector.settled();
		expect(r.executions).toHaveLength(0);
		expect(Object.keys(r.staticData.subscriptions as IDataObject)).toEqual([]);
	});

	test('checkExists repairs a subscription deleted in Vtiger, one disabled after failures, and one that expired', async () => {
		const r = await receiver();
		await r.activate();
		const first = [...connector.subscriptions.keys()][0];
		connector.subscriptions.delete(first);
		expect(await r.hook('checkExists')).toBe(false);
		expect(await r.hook('create')).toBe(true);
		const second = [...connector.subscriptions.values()][0];
		expect(second.id).not.toBe(first);

		second.status = 'disabled';
		second.disabledReason = 'receiver answered 410 Gone';
		expect(await r.hook('checkExists')).toBe(false);
		// the disabled one is removed, not left behind
		expect(connector.subscriptions.has(second.id)).toBe(false);
		await r.activate();
		const third = [...connector.subscriptions.values()][0];
		expect(third.status).toBe('active');

		third.expiresAt = new Date(Date.now() - 1000).toISOString();
		expect(await r.hook('checkExists')).toBe(false);
		await r.activate();
		expect([...connector.subscriptions.values()].map((s) => s.status)).toEqual(['active']);
		await createContact('Repaired');
		await new Promise((resolve) => setImmediate(resolve));
		await connector.settled();
		expect(r.executions.map((items) => items[0].json.lastname)).toEqual(['Repaired']);
	});

	test('n8n back after an outage: checkExists keeps the failing subscription and has Vtiger send the backlog now, not after its back-off', async () => {
		const r = await receiver();
		await r.activate();
		const [subscription] = [...connector.subscriptions.values()];
		connector.retryDelaysMs = [60_000];
		try {
			r.unavailable = true;
			await createContact('While Down');
			await new Promise((resolve) => setTimeout(resolve, 300));
			expect(subscription.failures).toBe(1);
			expect(r.executions).toHaveLength(0);
			// n8n starts again: its activation checks the subscription
			r.unavailable = false;
			sim.clearLog();
			expect(await r.hook('checkExists')).toBe(true);
			expect(sim.log.filter((e) => e.operation === 'n8n_resume').map((e) => e.params.id)).toEqual([subscription.id]);
			await connector.settled();
			expect(r.executions.map((items) => items[0].json.lastname)).toEqual(['While Down']);
			expect(connector.subscriptions.size).toBe(1);
		} finally {
			connector.retryDelaysMs = [50, 100, 200];
		}
	});

	test('a healthy subscription is not resumed; an extension without n8n_resume still finds its subscription', async () => {
		const r = await receiver();
		await r.activate();
		sim.clearLog();
		expect(await r.hook('checkExists')).toBe(true);
		expect(sim.log.filter((e) => e.operation === 'n8n_resume')).toHaveLength(0);
		const [subscription] = [...connector.subscriptions.values()];
		subscription.failures = 3;
		sim.unregisterOperation('n8n_resume');
		try {
			expect(await r.hook('checkExists')).toBe(true);
			expect(connector.subscriptions.size).toBe(1);
		} finally {
			sim.registerOperation('n8n_resume', 'POST', (params, user) => connector.resume(params, user));
		}
	});

	test('changed events re-subscribe with the new list', async () => {
		const r = await receiver();
		await r.activate();
		r.parameters = { module: 'Contacts', events: ['deleted'] };
		expect(await r.hook('checkExists')).toBe(false);
		await r.hook('create');
		expect([...connector.subscriptions.values()].map((s) => s.events)).toEqual([['deleted']]);
	});
});

describe('deliveries', () => {
	test('a create, an update and a delete each start one execution with the polling trigger\'s item shape', async () => {
		const r = await receiver();
		await r.activate();
		const created = await createContact('Instant One');
		const id = String(created.id);
		await vtiger({ operation: 'update', module: 'Contacts', recordId: rl(id), columns: { mappingMode: 'defineBelow', value: { firstname: 'Ina' } } });
		await vtiger({ operation: 'delete', module: 'Contacts', recordId: rl(id) });
		await new Promise((resolve) => setImmediate(resolve));
		await connector.settled();
		expect(r.executions).toHaveLength(3);
		const items = r.executions.map((run) => run[0].json);
		expect(items[0]).toMatchObject({ event: 'created', module: 'Contacts', id, lastname: 'Instant One', assigned_user_id: '19x1' });
		expect(items[1]).toMatchObject({ event: 'updated', module: 'Contacts', id, firstname: 'Ina' });
		expect(items[2]).toEqual({ event: 'deleted', module: 'Contacts', id });
		// raw record values, as the polling trigger gives them (Simplify off)
		expect(typeof items[0].emailoptout).toBe('string');
		expect(r.answers.map((a) => a.status)).toEqual([200, 200, 200]);
		// the subscription's secret stays in static data: never in an item, an answer or a log line
		const secret = [...connector.subscriptions.values()][0].secret;
		assertNoSecrets([r.executions, r.answers.map((a) => a.body), h.logs], [secret, secret.slice('whsec_'.length)]);
	});

	test('events not chosen are filtered by Vtiger: an update-only trigger sees no create', async () => {
		const r = await receiver({ module: 'Contacts', events: ['updated'] });
		await r.activate();
		const created = await createContact('Update Only');
		await vtiger({ operation: 'update', module: 'Contacts', recordId: rl(String(created.id)), columns: { mappingMode: 'defineBelow', value: { firstname: 'U' } } });
		await new Promise((resolve) => setImmediate(resolve));
		await connector.settled();
		expect(r.executions.map((run) => run[0].json.event)).toEqual(['updated']);
	});

	test('Simplify, Reference Labels and ISO date-times shape the record as they do for the polling trigger', async () => {
		const r = await receiver({
			module: 'Contacts',
			events: ['created'],
			simplify: true,
			options: { referenceLabels: true, isoDateTimes: true },
		});
		await r.activate();
		const account = await vtiger({ operation: 'create', module: 'Accounts', columns: { mappingMode: 'defineBelow', value: { accountname: 'Instant Org', assigned_user_id: '19x1' } } });
		await vtiger({
			operation: 'create',
			module: 'Contacts',
			columns: { mappingMode: 'defineBelow', value: { lastname: 'Shaped', account_id: String(account.id), assigned_user_id: '19x1' } },
		});
		await new Promise((resolve) => setImmediate(resolve));
		await connector.settled();
		const [item] = r.executions.map((run) => run[0].json);
		expect(item).toMatchObject({ event: 'created', module: 'Contacts', lastname: 'Shaped', account_id_label: 'Instant Org', label: 'Shaped' });
		expect(item.emailoptout).toBe(false);
		expect(String(item.createdtime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
		expect(item.description).toBeUndefined();
	});

	test('a restore is delivered as "restored" with the record', async () => {
		const r = await receiver({ module: 'Contacts', events: ['restored'] });
		await r.activate();
		const rec = sim.store.insert('Contacts', { lastname: 'Back Again' });
		sim.recordEvent('restored', String(rec.id));
		await connector.settled();
		expect(r.executions.map((run) => run[0].json)).toEqual([expect.objectContaining({ event: 'restored', id: rec.id, lastname: 'Back Again' })]);
	});
});

describe('security', () => {
	async function oneDelivery(): Promise<{ r: Receiver; eventId: string; body: string; subscriptionId: string }> {
		const r = await receiver();
		await r.activate();
		await createContact('Signed');
		await new Promise((resolve) => setImmediate(resolve));
		await connector.settled();
		expect(r.executions).toHaveLength(1);
		const entry = connector.outbox[connector.outbox.length - 1];
		return { r, eventId: entry.eventId, body: entry.body, subscriptionId: entry.subscriptionId };
	}

	test('an unsigned request answers 401 and starts nothing', async () => {
		const { r, body } = await oneDelivery();
		const answer = await r.post({ 'content-type': 'application/json' }, body.replace('evt_', 'evt_x'));
		expect(answer.status).toBe(401);
		expect(answer.items).toBeUndefined();
	});

	test('a forged signature (other secret, or the body changed after signing) answers 401 and starts nothing', async () => {
		const { r, body, subscriptionId } = await oneDelivery();
		const fresh = body.replace(/"id":"evt_[^"]+"/, '"id":"evt_forged"');
		const other = signPayload(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, 'evt_forged', Math.floor(Date.now() / 1000), fresh);
		const headers = connector.signedHeaders(subscriptionId, 'evt_forged', fresh);
		const forged = await r.post({ ...headers, 'webhook-signature': other }, fresh);
		expect(forged.status).toBe(401);
		expect(forged.items).toBeUndefined();
		const tampered = await r.post(headers, fresh.replace('Signed', 'Tampered'));
		expect(tampered.status).toBe(401);
		expect(tampered.items).toBeUndefined();
		// the same headers over the body they signed are accepted: the refusals above are the signature's
		const genuine = await r.post(headers, fresh);
		expect(genuine.status).toBe(200);
		expect(genuine.items).toHaveLength(1);
	});

	test('a replay signed more than 5 minutes ago answers 401; within the window it is accepted', async () => {
		const { r, body, subscriptionId } = await oneDelivery();
		const now = Math.floor(Date.now() / 1000);
		const replayBody = body.replace(/"id":"evt_[^"]+"/, '"id":"evt_replayed"');
		const stale = await r.post(connector.signedHeaders(subscriptionId, 'evt_replayed', replayBody, now - 301), replayBody);
		expect(stale.status).toBe(401);
		expect(stale.items).toBeUndefined();
		const future = await r.post(connector.signedHeaders(subscriptionId, 'evt_replayed', replayBody, now + 301), replayBody);
		expect(future.status).toBe(401);
		const recent = await r.post(connector.signedHeaders(subscriptionId, 'evt_replayed', replayBody, now - 240), replayBody);
		expect(recent.status).toBe(200);
		expect(recent.items).toHaveLength(1);
	});

	test('a repeated webhook-id (Vtiger\'s at-least-once retry) is acknowledged and dropped', async () => {
		const { r, eventId } = await oneDelivery();
		expect(await connector.redeliver(eventId)).toBe(200);
		expect(await connector.redeliver(eventId)).toBe(200);
		expect(r.executions).toHaveLength(1);
		expect(r.answers.slice(-2).map((a) => a.body)).toEqual([
			{ received: true, duplicate: true },
			{ received: true, duplicate: true },
		]);
	});

	test('remembered event ids are bounded', async () => {
		const { r, body, subscriptionId } = await oneDelivery();
		for (let n = 0; n < 520; n++) {
			const id = `evt_bulk${n}`;
			const each = body.replace(/"id":"evt_[^"]+"/, `"id":"${id}"`);
			const answer = await r.post(connector.signedHeaders(subscriptionId, id, each), each);
			r.staticData = answer.staticData;
		}
		expect((r.staticData.seenEventIds as string[]).length).toBe(500);
	});

	test('a receiver that fails gets Vtiger\'s retry, which starts the execution once', async () => {
		const r = await receiver();
		await r.activate();
		// the first attempt fails before the node runs (n8n down): the outbox keeps the event
		const realBase = r.baseUrl;
		const subscription = [...connector.subscriptions.values()][0];
		const goodUrl = subscription.url;
		subscription.url = goodUrl.replace(realBase, 'http://127.0.0.1:9');
		connector.retryDelaysMs = [300];
		try {
			await createContact('Retried');
			while (!connector.attempts.some((a) => a.subscriptionId === subscription.id)) {
				await new Promise((resolve) => setTimeout(resolve, 5));
			}
			subscription.url = goodUrl;
			await connector.settled();
		} finally {
			connector.retryDelaysMs = [50, 100, 200];
		}
		const attempts = connector.attempts.filter((a) => a.subscriptionId === subscription.id);
		expect(attempts.map((a) => a.status)).toEqual([0, 200]);
		expect(r.executions).toHaveLength(1);
	});
});

describe('errors from subscribing', () => {
	test('without the extension: says to install it and where the zip is', async () => {
		const r = await receiver();
		sim.uninstallConnector();
		try {
			await expect(r.hook('create')).rejects.toMatchObject({
				message: expect.stringMatching(/n8n_subscribe.*n8n Connector extension is probably not installed/),
				description: expect.stringMatching(/dist\/vtiger-extension\/.*Module Management › Import Module/),
			});
		} finally {
			sim.installConnector();
		}
	});

	test('a destination outside the administrator\'s allow-list: N8N_DESTINATION_NOT_ALLOWED and where to allow it', async () => {
		const r = await receiver();
		sim.installConnector({ allowedHosts: ['n8n.example.com'] });
		await expect(r.hook('create')).rejects.toMatchObject({
			message: expect.stringMatching(/^Vtiger "n8n_subscribe" failed: N8N_DESTINATION_NOT_ALLOWED/),
			description: expect.stringMatching(/Settings › Integration › n8n Connector/),
		});
		expect(connector.subscriptions.size).toBe(0);
	});

	test('a user who is not an administrator: N8N_NOT_PERMITTED and what to ask for', async () => {
		const other = createHarness({ baseUrl: sim.baseUrl, username: sim.user.username, accessKey: sim.user.accessKey });
		const r = await receiver();
		await expect(
			other.hook('create', r.parameters, {}, { baseUrl: r.baseUrl }),
		).rejects.toMatchObject({
			message: expect.stringMatching(/N8N_NOT_PERMITTED/),
			description: expect.stringMatching(/administrator/),
		});
	});
});
