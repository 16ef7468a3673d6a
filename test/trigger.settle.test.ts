import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { createHarness } from './harness';
import { startSimulator } from './simulator';
import type { Simulator } from './simulator';

/**
 * Vtiger's modifiedtime has one-second resolution: a record saved again in the second of the poll that
 * emitted it keeps its modifiedtime (found by the live suite on the lab). Vtiger's clock is frozen here,
 * so every save below happens in that one second.
 */
const params: INodeParameters = { module: 'Contacts', events: ['created', 'updated', 'deleted'], options: {} };
const DAY = 86400;

describe.each([
	['positional', 'sync'],
	['stock-8.3-php8', 'VTQL fallback'],
] as const)('Vtiger Trigger, changes within the cursor\'s second (%s, %s)', (profile, source) => {
	let sim: Simulator;
	let h: ReturnType<typeof createHarness>;
	let data: IDataObject;

	beforeEach(async () => {
		sim = await startSimulator({ profile });
		sim.clock.freeze(Math.floor(Date.now() / 1000) + 10 * DAY);
		h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
		data = {};
		expect(await poll()).toEqual([]);
	});
	afterEach(async () => {
		await sim?.stop();
	});

	async function poll(): Promise<string[]> {
		const { items, staticData } = await h.poll(params, data, 'trigger');
		data = staticData as IDataObject;
		return (items ?? []).map((item) => `${String(item.json.event)}:${String(item.json.id)}:${String(item.json.title ?? '')}`);
	}
	const save = (id: string, title: string) => {
		const record = sim.store.getRecord(id);
		if (!record) throw new Error(`no ${id}`);
		record.values.title = title;
		sim.store.touch(id);
	};
	const stateSize = () => JSON.stringify(data).length;

	it('an update saved in the second of the poll that emitted the creation is emitted once, as updated', async () => {
		const id = String(sim.store.insert('Contacts', { lastname: 'Same', title: 'First' }).id);
		expect(await poll()).toEqual([`created:${id}:First`]);
		save(id, 'Second');
		expect(await poll()).toEqual([`updated:${id}:Second`]);
		expect(await poll()).toEqual([]);
		save(id, 'Third');
		expect(await poll()).toEqual([`updated:${id}:Third`]);
		// a save that changes nothing, in the same second, is nothing to report
		sim.store.touch(id);
		expect(await poll()).toEqual([]);
		// the next second: as before
		sim.clock.advance(1);
		save(id, 'Fourth');
		expect(await poll()).toEqual([`updated:${id}:Fourth`]);
		expect(await poll()).toEqual([]);
		expect(sim.count('query') > 0).toBe(source === 'VTQL fallback');
	});

	it('a record created and updated in one second before the poll is emitted once, as created', async () => {
		const id = String(sim.store.insert('Contacts', { lastname: 'Twice', title: 'First' }).id);
		save(id, 'Second');
		expect(await poll()).toEqual([`created:${id}:Second`]);
		expect(await poll()).toEqual([]);
	});

	it('a deletion in the same second is emitted once where sync sees deletions', async () => {
		const id = String(sim.store.insert('Contacts', { lastname: 'Gone', title: 'First' }).id);
		expect(await poll()).toEqual([`created:${id}:First`]);
		save(id, 'Second');
		expect(await poll()).toEqual([`updated:${id}:Second`]);
		sim.store.remove(id);
		expect(await poll()).toEqual(profile === 'positional' ? [`deleted:${id}:`] : []);
		expect(await poll()).toEqual([]);
	});

	it('state saved before fingerprints existed still loads: nothing repeated, later saves of that second emitted', async () => {
		const a = String(sim.store.insert('Contacts', { lastname: 'OldA', title: 'First' }).id);
		expect(await poll()).toEqual([`created:${a}:First`]);
		// the previous version's static data: no boundaryFingerprints
		const state = data.vtigerTrigger as IDataObject;
		expect(state.boundaryIds).toEqual([a]);
		delete state.boundaryFingerprints;
		const b = String(sim.store.insert('Contacts', { lastname: 'OldB', title: 'First' }).id);
		expect(await poll()).toEqual([`created:${b}:First`]);
		expect((data.vtigerTrigger as IDataObject).boundaryFingerprints).toHaveLength(2);
		save(a, 'Second');
		expect(await poll()).toEqual([`updated:${a}:Second`]);
		expect(await poll()).toEqual([]);
	});

	it('state stays bounded: 150 records in one second, each saved twice more in it, emitted once per save', async () => {
		const ids: string[] = [];
		for (let i = 0; i < 150; i++) ids.push(String(sim.store.insert('Contacts', { lastname: `Bulk${i}`, title: 'v1' }).id));
		expect((await poll()).sort()).toEqual(ids.map((id) => `created:${id}:v1`).sort());
		for (const version of ['v2', 'v3']) {
			for (const id of ids) save(id, version);
			expect((await poll()).sort()).toEqual(ids.map((id) => `updated:${id}:${version}`).sort());
		}
		expect(await poll()).toEqual([]);
		// the ids and 8-character fingerprints of that one second, nothing more
		const quoted = (length: number) => length + 3; // "…",
		const bound = ids.reduce((sum, id) => sum + quoted(id.length) + quoted(8), 200);
		expect(stateSize()).toBeLessThan(bound);
		sim.clock.advance(1);
		save(ids[0], 'v4');
		expect(await poll()).toEqual([`updated:${ids[0]}:v4`]);
		expect(stateSize()).toBeLessThan(200);
	});
});
