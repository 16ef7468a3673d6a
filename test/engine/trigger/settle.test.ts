import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { createHarness } from '../../support/harness';
import { startSimulator } from '../../support/simulator';
import type { Simulator } from '../../support/simulator';
import { recordFingerprint } from '../../../nodes/Vtiger/trigger/fingerprint';
import { SETTLE_SECONDS } from '../../../nodes/Vtiger/trigger/poll';
import { vtigerDateTimeToEpoch } from '../../../nodes/Vtiger/records/time';

/**
 * Vtiger's modifiedtime has one-second resolution, and a save goes on after its record is readable: a
 * poll emits a record only once its second is SETTLE_SECONDS behind Vtiger's clock, so every save of
 * that second is in what it emits, once. Vtiger's clock is frozen here and moved by hand.
 */
const params: INodeParameters = { module: 'Contacts', events: ['created', 'updated', 'deleted'], options: {} };
const DAY = 86400;

describe.each([
	['positional', 'sync'],
	['stock-8.3-php8', 'VTQL fallback'],
] as const)('Vtiger Trigger, saves within one second (%s, %s)', (profile, source) => {
	let sim: Simulator;
	let h: ReturnType<typeof createHarness>;
	let data: IDataObject;

	beforeEach(async () => {
		sim = await startSimulator({ profile });
		sim.clock.freeze(Math.floor(Date.now() / 1000) + 10 * DAY);
		h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
		data = {};
		expect(await poll()).toEqual([]);
		sim.clock.advance(1);
	});
	afterEach(async () => {
		await sim?.stop();
	});

	async function poll(): Promise<string[]> {
		const { items, staticData } = await h.poll(params, data, 'trigger');
		data = staticData as IDataObject;
		return (items ?? []).map((item) => `${String(item.json.event)}:${String(item.json.id)}:${String(item.json.title ?? '')}`);
	}
	const settle = () => sim.clock.advance(SETTLE_SECONDS + 1);
	const save = (id: string, title: string, at?: number) => {
		const record = sim.store.getRecord(id);
		if (!record) throw new Error(`no ${id}`);
		record.values.title = title;
		sim.store.touch(id, at);
	};
	const stateSize = () => JSON.stringify(data).length;

	it('saves of one second are emitted once it is settled, with the last content, once', async () => {
		const id = String(sim.store.insert('Contacts', { lastname: 'Same', title: 'First' }).id);
		expect(await poll()).toEqual([]);
		save(id, 'Second');
		expect(await poll()).toEqual([]);
		settle();
		expect(await poll()).toEqual([`created:${id}:Second`]);
		expect(await poll()).toEqual([]);
		save(id, 'Third');
		expect(await poll()).toEqual([]);
		save(id, 'Fourth');
		sim.store.touch(id);
		settle();
		expect(await poll()).toEqual([`updated:${id}:Fourth`]);
		expect(await poll()).toEqual([]);
		expect(sim.count('query') > 0).toBe(source === 'VTQL fallback');
	});

	it('a deletion is emitted once where sync sees deletions, without waiting', async () => {
		const id = String(sim.store.insert('Contacts', { lastname: 'Gone', title: 'First' }).id);
		settle();
		expect(await poll()).toEqual([`created:${id}:First`]);
		save(id, 'Second');
		sim.store.remove(id);
		expect(await poll()).toEqual(profile === 'positional' ? [`deleted:${id}:`] : []);
		expect(await poll()).toEqual([]);
		settle();
		expect(await poll()).toEqual([]);
	});

	it('state saved by the previous version loads: nothing repeated, a later save of its second emitted', async () => {
		const { items } = await h.poll(params, data, 'trigger');
		expect(items).toBeNull();
		const a = String(sim.store.insert('Contacts', { lastname: 'OldA', title: 'First' }).id);
		settle();
		const { items: first } = await h.poll(params, data, 'trigger');
		const emitted = first?.[0].json as IDataObject;
		expect(emitted.id).toBe(a);
		// what the previous version saved after emitting it: its second, its id and the record's fingerprint
		const { event: _event, module: _module, ...record } = emitted;
		void _event;
		void _module;
		const second = vtigerDateTimeToEpoch(emitted.modifiedtime) as number;
		const previousVersionState = () => ({
			vtigerTrigger: {
				module: 'Contacts',
				cursor: second,
				boundaryTime: emitted.modifiedtime,
				boundaryIds: [a],
				boundaryFingerprints: [recordFingerprint(record)],
				deletedIds: [],
			},
		});
		data = previousVersionState();
		const b = String(sim.store.insert('Contacts', { lastname: 'OldB', title: 'First' }, { modifiedtime: second }).id);
		expect(await poll()).toEqual([`created:${b}:First`]);
		expect(await poll()).toEqual([]);
		expect((data.vtigerTrigger as IDataObject).boundaryIds).toBeUndefined();

		data = previousVersionState();
		// saved again in that second after the previous version emitted it
		save(a, 'Second', second);
		expect((await poll()).sort()).toEqual([`created:${b}:First`, `updated:${a}:Second`].sort());
		expect(await poll()).toEqual([]);
	});

	it('state stays bounded: 150 records in one second, each saved twice more in it, emitted once each', async () => {
		const ids: string[] = [];
		for (let i = 0; i < 150; i++) ids.push(String(sim.store.insert('Contacts', { lastname: `Bulk${i}`, title: 'v1' }).id));
		expect(await poll()).toEqual([]);
		for (const version of ['v2', 'v3']) {
			for (const id of ids) save(id, version);
			expect(await poll()).toEqual([]);
		}
		settle();
		expect((await poll()).sort()).toEqual(ids.map((id) => `created:${id}:v3`).sort());
		for (const id of ids) save(id, 'v4');
		// unsettled: nothing kept for them but, for the records created in a settled second, their ids
		expect(await poll()).toEqual([]);
		expect(stateSize()).toBeLessThan(200);
		settle();
		expect((await poll()).sort()).toEqual(ids.map((id) => `updated:${id}:v4`).sort());
		expect(await poll()).toEqual([]);
		expect(stateSize()).toBeLessThan(200);
	});
});
