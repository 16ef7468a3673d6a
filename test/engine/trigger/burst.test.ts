import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { createHarness } from '../../support/harness';
import { startSimulator } from '../../support/simulator';
import type { Simulator } from '../../support/simulator';
import { SETTLE_SECONDS } from '../../../nodes/Vtiger/trigger/poll';

/**
 * What a burst of saves on a busy Vtiger does to a poll (lab: 4 parallel PHP processes creating Contacts,
 * trigger.burst.live.test.ts): a record is readable in the middle of its save (fields null, filled a
 * moment later, modifiedtime unchanged); a save commits after newer records of its second, or of the
 * next one, were read; sync's `more` query sees a save its page query did not. Vtiger's clock is frozen
 * and moved by hand, so "a poll every 250 ms" is four polls per second of Vtiger's clock.
 */
const params: INodeParameters = { module: 'Contacts', events: ['created', 'updated', 'deleted'], options: {} };
const DAY = 86400;
/** Fields the save writes after the record is readable (lab: null in `created`, '' or '0' a moment later). */
const LATE_FIELDS = ['starred', 'portal', 'homephone', 'leadsource', 'otherphone', 'assistant', 'assistantphone'];

describe.each([
	['positional', 'sync'],
	['stock-8.3-php8', 'VTQL fallback'],
] as const)('Vtiger Trigger under a burst of saves (%s, %s)', (profile, source) => {
	let sim: Simulator;
	let h: ReturnType<typeof createHarness>;
	let data: IDataObject;
	let emitted: IDataObject[];

	beforeEach(async () => {
		sim = await startSimulator({ profile });
		sim.clock.freeze(Math.floor(Date.now() / 1000) + 10 * DAY);
		h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
		data = {};
		emitted = [];
		expect(await poll()).toEqual([]);
		sim.clock.advance(1);
	});
	afterEach(async () => {
		await sim?.stop();
	});

	async function poll(): Promise<string[]> {
		const { items, staticData } = await h.poll(params, data, 'trigger');
		data = staticData as IDataObject;
		emitted.push(...(items ?? []).map((item) => item.json));
		return (items ?? []).map((item) => `${String(item.json.event)}:${String(item.json.id)}`);
	}
	/** Polls until Vtiger's clock has moved past the settle delay, as a poll every 250 ms does. */
	async function pollUntilSettled(): Promise<string[]> {
		const got: string[] = [];
		for (let second = 0; second <= SETTLE_SECONDS + 1; second++) {
			for (let i = 0; i < 4; i++) got.push(...(await poll()));
			sim.clock.advance(1);
		}
		got.push(...(await poll()));
		return got;
	}
	const created = (ids: string[]) => ids.map((id) => `created:${id}`).sort();

	it('a record read in the middle of its save is emitted once, complete, as created', async () => {
		const { id } = sim.store.insert('Contacts', { lastname: 'MidSave' }, { midSave: true }) as { id: string };
		expect(sim.store.get(id)?.starred).toBeNull();
		expect(await poll()).toEqual([]);
		sim.store.finishSave(id);
		expect(await pollUntilSettled()).toEqual([`created:${id}`]);
		const item = emitted.find((json) => json.id === id) as IDataObject;
		const stored = sim.store.get(id) as IDataObject;
		for (const field of LATE_FIELDS) expect([field, item[field]]).toEqual([field, stored[field]]);
		expect(item.starred).toBe('0');
		expect(await pollUntilSettled()).toEqual([]);
	});

	it('a save that commits after newer records were read is not lost', async () => {
		const early = String(sim.store.insert('Contacts', { lastname: 'Early' }).id);
		sim.clock.advance(1);
		const newer = String(sim.store.insert('Contacts', { lastname: 'Newer' }).id);
		expect(await poll()).toEqual([]);
		// stamped a second before the record read above, readable only now
		const late = String(sim.store.insert('Contacts', { lastname: 'Late' }, { modifiedtime: sim.clock.now() - 1 }).id);
		expect((await pollUntilSettled()).sort()).toEqual(created([early, newer, late]));
	});

	// sync only: where it crashes there is no `more` (the VTQL fallback has no such test rather than a skipped one)
	const syncOnly = source === 'sync' ? it : () => undefined;
	syncOnly('a save committed between sync\'s page and its `more` query fails no poll and is emitted once', async () => {
		let raced = '';
		sim.faults.betweenSyncQueries(() => {
			raced = String(sim.store.insert('Contacts', { lastname: 'Raced' }).id);
		});
		expect(await poll()).toEqual([]);
		expect(raced).not.toBe('');
		expect(await pollUntilSettled()).toEqual([`created:${raced}`]);
	});

	it('300 records in 2 seconds (150 a second, more than a sync page), read mid-save, some committed late: each emitted once, complete', async () => {
		const ids: string[] = [];
		const updatedLater: string[] = [];
		let unfinished: string[] = [];
		for (let second = 0; second < 2; second++) {
			for (let quarter = 0; quarter < 4; quarter++) {
				for (let i = 0; i < 38 && ids.length < 300; i++) {
					// every seventh save was stamped in the previous second and commits only now
					const late = ids.length % 7 === 3;
					const at = late ? sim.clock.now() - 1 : sim.clock.now();
					const { id } = sim.store.insert(
						'Contacts',
						{ lastname: `Burst${ids.length}` },
						{ midSave: true, modifiedtime: at, createdtime: at },
					) as { id: string };
					ids.push(id);
					unfinished.push(id);
				}
				// an integration updates a few records of the burst once their save finished
				if (quarter === 2 && second === 1) {
					for (const id of ids.slice(0, 5)) {
						sim.store.finishSave(id);
						const record = sim.store.getRecord(id);
						if (record) record.values.title = 'Updated';
						sim.store.touch(id);
						updatedLater.push(id);
					}
					unfinished = unfinished.filter((id) => !updatedLater.includes(id));
				}
				await poll();
				// the saves read above end a moment later
				for (const id of unfinished) sim.store.finishSave(id);
				unfinished = [];
			}
			sim.clock.advance(1);
		}
		await pollUntilSettled();
		const keys = emitted.map((json) => `${String(json.event)}:${String(json.id)}`);
		expect(keys.filter((key) => !key.startsWith('created:'))).toEqual([]);
		expect([...keys].sort()).toEqual(created(ids));
		for (const json of emitted) {
			expect(LATE_FIELDS.filter((field) => json[field] === null)).toEqual([]);
			if (updatedLater.includes(String(json.id))) expect(json.title).toBe('Updated');
		}
		// the state holds nothing of the burst once it is settled
		expect(JSON.stringify(data).length).toBeLessThan(200);
		expect(sim.count('query') > 0).toBe(source === 'VTQL fallback');
	});
});
