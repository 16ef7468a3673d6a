/**
 * The session pool against a real PHP session lock: parallel creates spread over a few sessions, each
 * record written once; a stored session whose file is deleted mid-run costs one login.
 */
import { startCountingProxy, type CountingProxy } from '../../bench/proxy';
import { describeLive, expireSession, liveClient, liveHarness, liveTag, liveTarget, LiveRecords } from './env';
import { runVtiger } from './helpers';

const CONCURRENCY = 4;

describeLive('session pool on a real Vtiger', () => {
	const records = new LiveRecords(['Contacts']);
	let proxy: CountingProxy | undefined;
	let expireAt: { create: number; session: string } | undefined;
	let expired = false;

	beforeAll(async () => {
		proxy = await startCountingProxy(liveTarget()!.url, (operation, counts) => {
			if (expireAt && !expired && operation === 'create' && counts.create >= expireAt.create) {
				expired = expireSession(expireAt.session);
			}
		});
	});

	afterAll(async () => {
		await proxy?.stop();
		expect(await records.cleanup()).toEqual([]);
	});

	const contacts = (tag: string, n: number) =>
		Array.from({ length: n }, (_, i) => ({ lastname: `${tag}-${String(i).padStart(2, '0')}`, assigned_user_id: '19x1' }));

	const create = (tag: string, n: number) => ({
		parameters: {
			resource: 'record',
			operation: 'create',
			module: 'Contacts',
			columns: { mappingMode: 'autoMapInputData', value: null },
			options: { maxConcurrency: CONCURRENCY },
		},
		items: contacts(tag, n),
	});

	async function writtenOnce(tag: string, n: number): Promise<void> {
		const client = await liveClient();
		const rows = await client.call<Array<{ id: string; lastname: string }>>('query', {
			query: `SELECT id, lastname FROM Contacts WHERE lastname LIKE '${tag}-%' LIMIT 100;`,
		});
		rows.forEach((row) => records.track(row.id));
		expect(rows.map((row) => row.lastname).sort()).toEqual(contacts(tag, n).map((c) => c.lastname));
	}

	test('40 creates at Max Concurrent Requests 4: each written once, at most 4 sessions, logins one per session', async () => {
		const h = liveHarness('admin', { baseUrl: proxy!.url });
		const tag = liveTag('pool');
		proxy!.reset();
		const { parameters, items } = create(tag, 40);
		const run = await runVtiger(h, parameters, items, true);
		run.items.forEach((item) => records.track(item.json.id));
		expect(run.errors).toEqual([]);
		expect(run.items).toHaveLength(40);
		await writtenOnce(tag, 40);
		const requests = proxy!.requests();
		expect(requests.create).toBe(40);
		// a cold start: the stored session and up to 3 more of the pool, each one challenge and one login
		expect(requests.login).toBeGreaterThanOrEqual(1);
		expect(requests.login).toBeLessThanOrEqual(CONCURRENCY);
		expect(requests.getchallenge).toBe(requests.login);
		expect(proxy!.maxInFlight()).toBeLessThanOrEqual(CONCURRENCY);

		// the next run reuses the sessions: no login at all
		proxy!.reset();
		const again = create(liveTag('pool2'), 40);
		const second = await runVtiger(h, again.parameters, again.items, true);
		second.items.forEach((item) => records.track(item.json.id));
		expect(second.errors).toEqual([]);
		await writtenOnce(liveTag('pool2'), 40);
		expect(proxy!.requests().login ?? 0).toBe(0);
	});

	test('the stored session\'s file deleted mid-run: one login, every record written once', async () => {
		if (!liveTarget()?.sessionDir) {
			console.warn('skipped: VTIGER_SESSION_DIR is not set, so a session cannot be expired');
			return;
		}
		const h = liveHarness('admin', { baseUrl: proxy!.url });
		const warm = create(liveTag('warm'), 8);
		const first = await runVtiger(h, warm.parameters, warm.items, true);
		first.items.forEach((item) => records.track(item.json.id));
		await writtenOnce(liveTag('warm'), 8);
		const stored = h.store.sessionName;

		const tag = liveTag('expired');
		proxy!.reset();
		expired = false;
		expireAt = { create: 10, session: stored };
		const { parameters, items } = create(tag, 40);
		const run = await runVtiger(h, parameters, items, true);
		expireAt = undefined;
		run.items.forEach((item) => records.track(item.json.id));
		expect(expired).toBe(true);
		expect(run.errors).toEqual([]);
		await writtenOnce(tag, 40);
		expect(proxy!.requests().login).toBe(1);
		expect(h.store.sessionName).not.toBe(stored);
	});
});
