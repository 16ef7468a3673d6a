/**
 * User resource and the second, non-admin user. Nothing here changes a user: Change Password is asked with a
 * wrong old password for the second user and Delete for a user id that does not exist, so a server that runs
 * them refuses, and one that lacks their handler files answers its plain text; the test asserts what the user
 * sees either way.
 */
import { describeLive, itIf, liveCapabilities, liveClient, liveHarness, LiveRecords, liveTag, liveTarget } from './env';
import type { LiveClient } from './env';
import { mapped, rl, runVtiger, shown } from './helpers';
import { assertNoSecrets, secretsOf } from '../support/harness';

const user2 = liveTarget()?.user2;

describeLive('live: user', () => {
	const records = new LiveRecords(['Contacts']);
	let raw: LiveClient;

	beforeAll(async () => {
		raw = await liveClient();
	});
	afterAll(async () => {
		expect(await records.cleanup(raw)).toEqual([]);
	});

	it('User > Get Current returns the credential\'s user', async () => {
		const h = liveHarness();
		const r = await runVtiger(h, { resource: 'user', operation: 'getCurrent' });
		expect(shown(r)).toBe('');
		expect(r.items[0].json).toMatchObject({ id: raw.userId, user_name: liveTarget()!.username });
		assertNoSecrets(r.items, secretsOf(h));
	});

	itIf(Boolean(user2), 'VTIGER_USERNAME2 not set')('User > Get Current as a non-admin: the id and user name of the login, and why no more', async () => {
		// lab, both servers: retrieve of the user's own 19x record answers ACCESS_DENIED for a non-admin
		const h = liveHarness('user2');
		const r = await runVtiger(h, { resource: 'user', operation: 'getCurrent' });
		expect(shown(r)).toBe('');
		const me = await liveClient('user2');
		expect(r.items.map((i) => i.json)).toEqual([
			{ id: me.userId, user_name: user2!.username, notice: expect.stringMatching(/administrators only/) },
		]);
	});

	itIf(Boolean(user2), 'VTIGER_USERNAME2 not set')('User > Change Password with a wrong old password changes nothing and says why', async () => {
		const h = liveHarness('user2');
		const id = (await liveClient('user2')).userId;
		const r = await runVtiger(h, {
			resource: 'user',
			operation: 'changePassword',
			userId: rl(id),
			oldPassword: 'not-the-old-password-9',
			newPassword: 'N3w-secret-never-set!',
		});
		// the lab answers "Sorry! Attempt to access restricted file." (handler path registered wrong); a CRM
		// that runs it refuses the old password
		expect(r.error?.message).toMatch(/^Vtiger "changePassword" failed: .*(restricted file|password)/i);
		expect(JSON.stringify([r.error?.message, (r.error as { description?: string }).description])).not.toMatch(/N3w-secret|not-the-old/);
		// the key still logs in: nothing changed
		expect((await liveHarness('user2').testCredential()).status).toBe('OK');
	});

	it('User > Delete of a user that does not exist fails with the server\'s answer', async () => {
		const h = liveHarness();
		const r = await runVtiger(h, { resource: 'user', operation: 'delete', userId: rl('19x999999'), newOwnerId: rl(raw.userId) });
		expect(r.error?.message).toMatch(/^Vtiger "deleteUser" failed: /);
		const same = await runVtiger(h, { resource: 'user', operation: 'delete', userId: rl(raw.userId), newOwnerId: rl(raw.userId) });
		expect(same.error?.message).toBe('Transfer Records To: choose another user than the one to delete');
	});

	itIf(Boolean(user2), 'VTIGER_USERNAME2 not set')('the non-admin user works on their own records (where the server lets non-admins see modules)', async () => {
		const caps = await liveCapabilities();
		const h = liveHarness('user2');
		const owner = (await liveClient('user2')).userId;
		const lastname = liveTag('user2');
		const created = await runVtiger(h, {
			resource: 'record',
			operation: 'create',
			module: 'Contacts',
			columns: mapped({ lastname, assigned_user_id: owner }),
		}, undefined, true);
		if (caps.user2Entities) {
			// the field mapper's owner choices: itself first (it may neither query Users nor retrieve itself)
			const { fields } = await h.resourceMapping('getCreateFields', { resource: 'record', operation: 'create', module: 'Contacts' });
			const owners = fields.find((f) => f.id === 'assigned_user_id')?.options ?? [];
			expect(owners[0]).toEqual({ name: `${user2!.username} (you)`, value: owner });
			expect(created.errors).toEqual([]);
			const id = records.track(String(created.items[0].json.id));
			expect(await raw.call('retrieve', { id })).toMatchObject({ lastname, assigned_user_id: owner });
			const got = await runVtiger(h, { resource: 'record', operation: 'get', module: 'Contacts', recordId: rl(id) });
			expect(got.items[0].json).toMatchObject({ id, lastname });
			const deleted = await runVtiger(h, { resource: 'record', operation: 'delete', module: 'Contacts', recordId: rl(id) });
			expect(shown(deleted)).toBe('');
		} else {
			// stock 8.3.0: non-admins see no entity module (Vtiger issue #1934); the node must not write anything
			expect(created.errors.join(' ')).toMatch(/ACCESS_DENIED|Contacts/);
			const found = await raw.call<unknown[]>('query', { query: `SELECT id FROM Contacts WHERE lastname = '${lastname}';` });
			expect(found).toEqual([]);
		}
	});
});
