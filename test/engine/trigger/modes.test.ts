import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { assertNoSecrets, createHarness, secretsOf } from '../../support/harness';
import { startSimulator } from '../../support/simulator';
import type { Simulator } from '../../support/simulator';
import { SETTLE_SECONDS } from '../../../nodes/Vtiger/trigger/poll';

type Harness = ReturnType<typeof createHarness>;
const DAY = 86400;
const keys = (items: Array<{ json: IDataObject }> | null) =>
	(items ?? []).map((item) => `${String(item.json.event)}:${String(item.json.id)}`).sort();

describe('Vtiger Trigger modes and options', () => {
	let sim: Simulator;
	let h: Harness;
	let now: number;

	beforeEach(async () => {
		sim = await startSimulator();
		now = Math.floor(Date.now() / 1000) - 30 * DAY; // Vtiger's clock, a month behind the host's
		sim.clock.freeze(now);
		h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
	});
	afterEach(async () => {
		await sim.stop();
	});

	/** Vtiger's clock moves on until the changes are settled: a poll emits them now (trigger.burst.test.ts). */
	const settle = () => sim.clock.advance(SETTLE_SECONDS + 1);
	const params = (extra: INodeParameters = {}): INodeParameters => ({
		module: 'Contacts',
		events: ['created', 'updated', 'deleted'],
		options: {},
		...extra,
	});

	it('offers the entity modules sync can watch', async () => {
		const options = await h.loadOptions('getTriggerModules', {}, { type: 'vtigerTrigger' });
		const values = options.map((option) => option.value);
		expect(values).toEqual(expect.arrayContaining(['Contacts', 'Leads', 'HelpDesk', 'Potentials']));
		expect(values).not.toContain('Users');
		expect(values).not.toContain('Groups');
		expect(options.find((option) => option.value === 'Accounts')?.name).toBe('Organizations (Accounts)');
	});

	it('Fetch Test Event returns the latest record and leaves the cursor alone', async () => {
		const first = await h.poll(params(), {}, 'trigger');
		expect(first.items).toBeNull();
		const saved = first.staticData;
		sim.clock.advance(5);
		const older = sim.store.insert('Contacts', { lastname: 'Older' });
		sim.clock.advance(5);
		const newest = sim.store.insert('Contacts', { lastname: 'Newest' });
		sim.clock.advance(5);
		sim.store.touch(String(older.id));
		sim.clock.advance(5);

		const manual = await h.poll(params(), saved, 'manual');
		expect(manual.items?.map((item) => item.json.lastname)).toEqual(['Older']);
		expect(manual.items?.[0].json).toMatchObject({ event: 'updated', module: 'Contacts', id: older.id });
		expect(manual.staticData).toEqual(saved);

		const next = await h.poll(params(), manual.staticData, 'trigger');
		expect(keys(next.items)).toEqual([`created:${String(newest.id)}`, `created:${String(older.id)}`].sort());
	});

	it('Fetch Test Event says so when the module is empty', async () => {
		await expect(h.poll(params({ module: 'Faq' }), {}, 'manual')).rejects.toThrow('No Faq record found');
	});

	it('an unknown module fails the poll with Vtiger\'s code, naming the operation', async () => {
		await expect(h.poll(params({ module: 'NoSuchModule' }), {}, 'trigger')).rejects.toThrow(
			'Vtiger "sync" failed: ACCESS_DENIED',
		);
	});

	it('first activation starts from Vtiger\'s clock; Start From reaches back to a date', async () => {
		sim.store.insert('Contacts', { lastname: 'LastWeek' }, { modifiedtime: now - 7 * DAY });
		const yesterday = sim.store.insert('Contacts', { lastname: 'Yesterday' }, { modifiedtime: now - DAY });

		const fromNow = await h.poll(params(), {}, 'trigger');
		expect(fromNow.items).toBeNull();
		sim.clock.advance(3);
		const fresh = sim.store.insert('Contacts', { lastname: 'Fresh' });
		settle();
		expect(keys((await h.poll(params(), fromNow.staticData, 'trigger')).items)).toEqual([
			`created:${String(fresh.id)}`,
		]);

		const startFrom = new Date((now - 2 * DAY) * 1000).toISOString();
		const backfill = await h.poll(params({ options: { startFrom } }), {}, 'trigger');
		expect(keys(backfill.items)).toEqual(
			[`created:${String(yesterday.id)}`, `created:${String(fresh.id)}`].sort(),
		);
	});

	it('emits only the selected events; a null poll needs no saving, even across a restart', async () => {
		const onlyCreated = params({ events: ['created'] });
		let memory = (await h.poll(onlyCreated, {}, 'trigger')).staticData;
		sim.clock.advance(2);
		const a = sim.store.insert('Contacts', { lastname: 'A' });
		sim.clock.advance(2);
		sim.store.touch(String(a.id)); // created then updated before the poll: once, as created
		settle();
		const first = await h.poll(onlyCreated, memory, 'trigger');
		expect(keys(first.items)).toEqual([`created:${String(a.id)}`]);
		const saved = first.staticData;
		memory = saved;

		sim.clock.advance(2);
		sim.store.touch(String(a.id));
		sim.store.remove(String(a.id));
		const quiet = await h.poll(onlyCreated, memory, 'trigger');
		expect(quiet.items).toBeNull(); // n8n does not save static data now

		sim.clock.advance(2);
		const b = sim.store.insert('Contacts', { lastname: 'B' });
		settle();
		// restart: n8n reloads what it saved with the last execution
		const afterRestart = await h.poll(onlyCreated, saved, 'trigger');
		expect(keys(afterRestart.items)).toEqual([`created:${String(b.id)}`]);
	});

	it('with only Updated selected, a record created and changed before the poll counts as updated', async () => {
		const onlyUpdated = params({ events: ['updated'] });
		const memory = (await h.poll(onlyUpdated, {}, 'trigger')).staticData;
		sim.clock.advance(2);
		const untouched = sim.store.insert('Contacts', { lastname: 'Untouched' });
		const changed = sim.store.insert('Contacts', { lastname: 'Changed' });
		sim.clock.advance(1);
		sim.store.touch(String(changed.id));
		settle();
		const result = await h.poll(onlyUpdated, memory, 'trigger');
		expect(keys(result.items)).toEqual([`updated:${String(changed.id)}`]);
		expect(keys(result.items)).not.toContain(`updated:${String(untouched.id)}`);
	});

	it('sync does not see group-owned records; the Query source does', async () => {
		const memory = (await h.poll(params(), {}, 'trigger')).staticData;
		sim.clock.advance(2);
		const mine = sim.store.insert('Contacts', { lastname: 'Mine' });
		const team = sim.store.insert('Contacts', { lastname: 'Team' }, { ownerId: '20x3' });
		settle();
		const viaSync = await h.poll(params(), memory, 'trigger');
		expect(keys(viaSync.items)).toEqual([`created:${String(mine.id)}`]);
		const viaQuery = await h.poll(params({ options: { source: 'query' } }), memory, 'trigger');
		expect(keys(viaQuery.items)).toEqual([`created:${String(mine.id)}`, `created:${String(team.id)}`].sort());
		assertNoSecrets({ viaSync, viaQuery, logs: h.logs }, secretsOf(h));
	});
});
