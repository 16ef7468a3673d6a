import { startSimulator, type Simulator } from '../../support/simulator';
import { createHarness } from '../../support/harness';

/** Kills every live session each time the simulator has logged `every` more requests. */
function killEvery(sim: Simulator, every: number): { kills: () => number; killed: () => number; stop: () => void } {
	const log = sim.log;
	const push = log.push;
	let kills = 0;
	let killed = 0;
	log.push = function (...entries) {
		const length = push.apply(log, entries);
		if (length % every === 0 && sim.sessions().length > 0) {
			killed += sim.sessions().length;
			sim.killSessions();
			kills++;
		}
		return length;
	};
	return { kills: () => kills, killed: () => killed, stop: () => (log.push = push) };
}

describe('sessions killed again and again under load', () => {
	let sim: Simulator;
	beforeAll(async () => (sim = await startSimulator({ latencyMs: 2 })));
	afterAll(async () => await sim.stop());

	test('300 creates with every session killed each 60 requests: every item written, one login per killed session', async () => {
		const h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
		const items = Array.from({ length: 300 }, (_, i) => ({ lastname: `Killed${i}`, assigned_user_id: '19x1' }));
		sim.clearLog();
		const killer = killEvery(sim, 60);
		const result = await h.runNode({
			type: 'vtiger',
			parameters: {
				resource: 'record',
				operation: 'create',
				module: 'Contacts',
				columns: { mappingMode: 'autoMapInputData', value: null },
				maxConcurrency: 5,
			},
			items,
			continueOnFail: true,
		});
		killer.stop();

		expect(result.errors).toEqual([]);
		expect(result.items).toHaveLength(300);
		const written = new Set(result.items.map((item) => item.json.lastname));
		expect(written.size).toBe(300);
		expect(killer.kills()).toBeGreaterThanOrEqual(4);
		// the cold start (the stored session and up to 4 of the pool), then at most one login per killed session
		expect(sim.count('login')).toBeLessThanOrEqual(killer.killed() + 5);
		expect(sim.count('login')).toBeGreaterThanOrEqual(killer.kills());
		// at most the requests in flight at a kill are spent on a dead session
		expect(sim.count('create')).toBeLessThanOrEqual(300 + 5 * killer.kills());
		expect(sim.maxInFlight).toBeLessThanOrEqual(5);
	});
});
