/**
 * Sessions on a real Vtiger: Extend, Log Out, expiry mid-run (the PHP session file deleted: exactly one new
 * login, the work goes on), and many items in parallel written once each.
 */
import type { IDataObject } from 'n8n-workflow';

import { describeLive, expireSession, itIf, liveCapabilities, liveClient, liveHarness, LiveRecords, liveTag, liveTarget } from './env';
import type { LiveCapabilities, LiveClient } from './env';
import { mapped, runVtiger, shown } from './helpers';
import { assertNoSecrets, secretsOf } from '../support/harness';

const sessionDir = Boolean(liveTarget()?.sessionDir);

describeLive('live: session', () => {
	const records = new LiveRecords(['Contacts']);
	let raw: LiveClient;
	let caps: LiveCapabilities;

	beforeAll(async () => {
		raw = await liveClient();
		caps = await liveCapabilities();
	});
	afterAll(async () => {
		expect(await records.cleanup(raw)).toEqual([]);
	});

	it('Session > Extend answers the user and versions, without the session id', async () => {
		const h = liveHarness();
		const r = await runVtiger(h, { resource: 'session', operation: 'extend' });
		expect(shown(r)).toBe('');
		expect(r.items[0].json).toMatchObject({ extended: true, userId: raw.userId });
		assertNoSecrets(r.items, secretsOf(h));
	});

	it('Session > Log Out ends the session and the next request logs in once; where logout crashes, the error says so', async () => {
		const h = liveHarness();
		await runVtiger(h, { resource: 'module', operation: 'getAll' });
		const before = h.store.sessionName;
		const logins = h.store.updates;
		const out = await runVtiger(h, { resource: 'session', operation: 'logout' });
		if (caps.logout) {
			expect(shown(out)).toBe('');
			expect(out.items[0].json).toMatchObject({ loggedOut: true });
			const next = await runVtiger(h, { resource: 'module', operation: 'getAll' });
			expect(shown(next)).toBe('');
			expect(h.store.updates).toBe(logins + 1);
			expect(h.store.sessionName).not.toBe(before);
		} else {
			expect(out.error?.message).toBe('Vtiger "logout" failed: Vtiger crashed (HTTP 500, empty body) running "logout"');
			const next = await runVtiger(h, { resource: 'module', operation: 'getAll' });
			expect(shown(next)).toBe('');
			expect(h.store.updates).toBe(logins);
		}
		assertNoSecrets([out.items, out.error?.message], secretsOf(h));
	});

	itIf(sessionDir, 'VTIGER_SESSION_DIR not set')('the session expires mid-run: exactly one new login, every item done once', async () => {
		const h = liveHarness();
		const first = await runVtiger(h, { resource: 'user', operation: 'getCurrent' });
		expect(shown(first)).toBe('');
		const logins = h.store.updates;
		const dead = h.store.sessionName;
		const tag = liveTag('expiry');
		const items: IDataObject[] = Array.from({ length: 16 }, (_, i) => ({ name: `${tag}-${String(i).padStart(2, '0')}` }));
		const running = runVtiger(h, {
			resource: 'record',
			operation: 'create',
			module: 'Contacts',
			maxConcurrency: 1,
			columns: mapped({ lastname: '={{ $json.name }}', assigned_user_id: raw.userId }),
		}, items);
		// expire the session once a few records are written, while the others are still to come
		for (let written = 0; written < 3; ) {
			await new Promise((done) => setTimeout(done, 50));
			written = (await raw.call<unknown[]>('query', { query: `SELECT id FROM Contacts WHERE lastname LIKE '${tag}-%';` })).length;
		}
		expect(expireSession(dead)).toBe(true);
		const r = await running;
		for (const item of r.items) records.track(String(item.json.id));
		expect(shown(r)).toBe('');
		expect(r.items.map((i) => i.json.lastname)).toEqual(items.map((i) => i.name));
		expect(h.store.updates).toBe(logins + 1);
		expect(h.store.sessionName).not.toBe(dead);
		const stored = await raw.call<Array<{ lastname: string }>>('query', { query: `SELECT lastname FROM Contacts WHERE lastname LIKE '${tag}-%';` });
		expect(stored.map((row) => row.lastname).sort()).toEqual(items.map((i) => i.name));
		assertNoSecrets([r.items, h.logs], secretsOf(h));
	});

	it('30 items creating in parallel: every record written exactly once', async () => {
		const h = liveHarness();
		const tag = liveTag('parallel');
		const items: IDataObject[] = Array.from({ length: 30 }, (_, i) => ({ name: `${tag}-${String(i).padStart(2, '0')}` }));
		const r = await runVtiger(h, {
			resource: 'record',
			operation: 'create',
			module: 'Contacts',
			maxConcurrency: 10,
			columns: mapped({ lastname: '={{ $json.name }}', assigned_user_id: raw.userId }),
		}, items);
		for (const item of r.items) records.track(String(item.json.id));
		expect(shown(r)).toBe('');
		expect(r.items.map((i) => i.json.lastname)).toEqual(items.map((i) => i.name));
		expect(h.store.updates).toBe(1);
		const stored = await raw.call<Array<{ lastname: string }>>('query', {
			query: `SELECT lastname FROM Contacts WHERE lastname LIKE '${tag}-%' LIMIT 100;`,
		});
		expect(stored.map((row) => row.lastname).sort()).toEqual(items.map((i) => i.name));
	});

	itIf(sessionDir, 'VTIGER_SESSION_DIR not set')('12 parallel items on a session that expired before the run: one login, each written once', async () => {
		const h = liveHarness();
		await runVtiger(h, { resource: 'user', operation: 'getCurrent' });
		expireSession(h.store.sessionName);
		const logins = h.store.updates;
		const tag = liveTag('parallel-expired');
		const items: IDataObject[] = Array.from({ length: 12 }, (_, i) => ({ name: `${tag}-${String(i).padStart(2, '0')}` }));
		const r = await runVtiger(h, {
			resource: 'record',
			operation: 'create',
			module: 'Contacts',
			maxConcurrency: 10,
			columns: mapped({ lastname: '={{ $json.name }}', assigned_user_id: raw.userId }),
		}, items);
		for (const item of r.items) records.track(String(item.json.id));
		expect(shown(r)).toBe('');
		expect(h.store.updates).toBe(logins + 1);
		const stored = await raw.call<Array<{ lastname: string }>>('query', {
			query: `SELECT lastname FROM Contacts WHERE lastname LIKE '${tag}-%' LIMIT 100;`,
		});
		expect(stored.map((row) => row.lastname).sort()).toEqual(items.map((i) => i.name));
	});
});
