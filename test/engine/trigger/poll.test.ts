import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { createHarness } from '../../support/harness';
import { startSimulator } from '../../support/simulator';
import type { Simulator } from '../../support/simulator';
import { SETTLE_SECONDS } from '../../../nodes/Vtiger/trigger/poll';

type Harness = ReturnType<typeof createHarness>;
type Event = 'created' | 'updated' | 'deleted';

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const DAY = 86400;

/**
 * Polls like n8n does: static data lives in memory between polls, and is saved (what a restart
 * reloads) only when a poll returned items.
 */
class TriggerRun {
	memory: IDataObject = {};
	saved: IDataObject = {};
	polls = 0;

	constructor(
		private h: Harness,
		private parameters: INodeParameters,
	) {}

	async poll(): Promise<IDataObject[]> {
		const { items, staticData } = await this.h.poll(this.parameters, this.memory, 'trigger');
		this.polls++;
		this.memory = staticData as IDataObject;
		if (items === null) return [];
		this.saved = clone(this.memory);
		return items.map((item) => item.json);
	}

	restart(): void {
		this.memory = clone(this.saved);
	}
}

const key = (json: IDataObject) => `${String(json.event)}:${String(json.id)}`;

/** Random but reproducible. */
function lcg(seed: number) {
	let state = seed;
	return (n: number) => {
		state = (state * 1103515245 + 12345) % 2147483648;
		return state % n;
	};
}

interface Scenario {
	profile: 'positional' | 'stock-8.3-php8';
	totalChanges: number;
	deletionsVisible: boolean;
}

async function runScenario(sim: Simulator, h: Harness, scenario: Scenario) {
	const module = 'Contacts';
	const run = new TriggerRun(h, { module, events: ['created', 'updated', 'deleted'], options: {} });
	const random = lcg(7);
	const start = sim.clock.now();

	// a CRM that already has history: none of it is reported after activation
	for (let i = 0; i < 30; i++) sim.store.insert(module, { lastname: `Old${i}` }, { modifiedtime: start - DAY + i });
	expect(await run.poll()).toEqual([]);

	const live: string[] = sim.store.all(module).map((r) => String(r.id));
	let changes = 0;
	let pending = new Map<string, Event>();
	const problems: string[] = [];
	let round = 0;
	let boundaryDone = false;
	let sessionKilled = false;
	let restarted = false;
	let maxState = 0;

	const record = (id: string, event: Event) => {
		const before = pending.get(id);
		if (event === 'updated' && before === 'created') return; // still one "created"
		pending.set(id, event);
	};
	// a poll emits what is settled: changes at least SETTLE_SECONDS (+1 for the read itself) behind Vtiger's clock
	const check = async (label: string) => {
		sim.clock.advance(SETTLE_SECONDS + 1);
		const got = await run.poll();
		maxState = Math.max(maxState, JSON.stringify(run.memory).length);
		const expected = [...pending.entries()]
			.filter(([, event]) => scenario.deletionsVisible || event !== 'deleted')
			.map(([id, event]) => `${event}:${id}`)
			.sort();
		const actual = got.map(key).sort();
		if (JSON.stringify(actual) !== JSON.stringify(expected)) {
			const missing = expected.filter((k) => !actual.includes(k));
			const extra = actual.filter((k) => !expected.includes(k));
			problems.push(`${label}: missing ${missing.slice(0, 5).join(',')} (${missing.length}) extra ${extra.slice(0, 5).join(',')} (${extra.length})`);
		}
		for (const json of got) {
			if (json.event !== 'deleted') {
				expect(json.module).toBe(module);
				expect(typeof json.lastname).toBe('string');
				expect(json.modifiedtime).toBe(sim.store.get(String(json.id))?.modifiedtime);
			} else {
				expect(Object.keys(json).sort()).toEqual(['event', 'id', 'module']);
			}
		}
		pending = new Map();
	};

	while (changes < scenario.totalChanges) {
		round++;
		sim.clock.advance(random(3));
		const changedThisRound = new Set<string>();
		const batch = Math.min(100 + random(300), scenario.totalChanges - changes);
		for (let i = 0; i < batch; i++) {
			if (random(5) === 0) sim.clock.advance(1);
			const roll = random(10);
			if (roll < 5 || live.length < 50) {
				const created = sim.store.insert(module, { lastname: `R${round}-${i}` });
				live.push(String(created.id));
				changedThisRound.add(String(created.id));
				record(String(created.id), 'created');
				// some are changed again before the poll: still reported once, as created
				if (random(8) === 0) {
					sim.store.touch(String(created.id));
				}
			} else {
				let index = random(live.length);
				let guard = 0;
				while (changedThisRound.has(live[index]) && guard++ < 20) index = random(live.length);
				const id = live[index];
				if (changedThisRound.has(id)) continue;
				changedThisRound.add(id);
				if (roll < 9) {
					sim.store.touch(id);
					record(id, 'updated');
				} else {
					sim.store.remove(id);
					live.splice(index, 1);
					record(id, 'deleted');
				}
			}
			changes++;
		}

		if (!boundaryDone && changes > scenario.totalChanges / 3) {
			// 150 records in one second: 75 before a poll, 75 more after it: that poll emits none of them
			// (unsettled), a later one all of them
			await check(`round ${round} (before the crowded second)`);
			for (let i = 0; i < 75; i++) {
				const created = sim.store.insert(module, { lastname: `Edge${i}` });
				live.push(String(created.id));
				record(String(created.id), 'created');
			}
			changes += 75;
			expect(await run.poll()).toEqual([]);
			for (let i = 75; i < 150; i++) {
				const created = sim.store.insert(module, { lastname: `Edge${i}` });
				live.push(String(created.id));
				record(String(created.id), 'created');
			}
			changes += 75;
			boundaryDone = true;
		}
		if (!sessionKilled && changes > scenario.totalChanges / 2) {
			sim.killSessions();
			sessionKilled = true;
			const logins = sim.count('login');
			await check(`round ${round} (expired session)`);
			expect(sim.count('login')).toBe(logins + 1);
			continue;
		}
		if (!restarted && changes > (scenario.totalChanges * 2) / 3) {
			await check(`round ${round} (before restart)`);
			// a poll that finds nothing (not saved by n8n), then n8n restarts and reloads static data
			sim.clock.advance(2);
			await check(`round ${round} (empty poll)`);
			run.restart();
			restarted = true;
			continue;
		}
		await check(`round ${round}`);
	}
	sim.clock.advance(1);
	await check('final');
	expect(problems).toEqual([]);
	expect(boundaryDone && sessionKilled && restarted).toBe(true);
	return { polls: run.polls, maxState, changes };
}

describe('Vtiger Trigger through the engine', () => {
	let sim: Simulator;
	let h: Harness;

	afterEach(async () => {
		await sim?.stop();
	});

	const setup = async (profile: Scenario['profile']) => {
		sim = await startSimulator({ profile });
		// Vtiger's clock, ten days away from the n8n host's: only Vtiger's may count
		sim.clock.freeze(Math.floor(Date.now() / 1000) + 10 * DAY);
		h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
	};

	it('sync: 10,000 changes over many polls, each emitted exactly once', async () => {
		await setup('positional');
		const result = await runScenario(sim, h, { profile: 'positional', totalChanges: 10000, deletionsVisible: true });
		expect(result.changes).toBeGreaterThanOrEqual(10000);
		// bounded de-duplication state: ids and fingerprints of one second, never the history (3.3 KB measured)
		expect(result.maxState).toBeLessThan(8000);
		expect(sim.count('query')).toBe(0);
	});

	it('stock 8.3.0 (sync crashes): VTQL fallback emits every create and update exactly once', async () => {
		await setup('stock-8.3-php8');
		const result = await runScenario(sim, h, {
			profile: 'stock-8.3-php8',
			totalChanges: 4000,
			deletionsVisible: false,
		});
		expect(result.changes).toBeGreaterThanOrEqual(4000);
		expect(sim.count('query')).toBeGreaterThan(40);
		// every poll tried sync first and got Vtiger's HTTP 500; after the expired session it was
		// refused (INVALID_SESSIONID) once more, before the renewal
		expect(sim.count('sync')).toBe(result.polls + 1);
	});
});
