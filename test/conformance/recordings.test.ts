/**
 * Issue 2's acceptance check: every recorded request from the real Vtiger 8.3.0 lab
 * (test/support/fixtures/vtiger-8.3/transcripts) is replayed against the in-process simulator, in recording order,
 * at its recorded time (the simulator's clock is frozen per record) and with the profile of the port it
 * was recorded on (8080 stock-8.3-php8, 8081 positional; both shared one database in the lab, so one
 * simulator switches profile). Status, success, error code and message and the shape of every result
 * must match. The same cases run against a real server with `tsx test/conformance/replay.ts --url …`.
 */
import { startSimulator, type Simulator } from '../support/simulator';
import { OPERATIONS } from '../support/simulator/ops';
import { formatReport, loadRecordings, replay, type ReplayReport } from './replay';

describe('conformance replay of the Vtiger 8.3 recordings against the simulator', () => {
	let sim: Simulator;
	let report: ReplayReport;

	beforeAll(async () => {
		sim = await startSimulator({ profile: 'stock-8.3-php8' });
		// labuser did not exist until the lab made it in the web UI (LAB_ACTIONS)
		const labuser = sim.store.users.get(sim.user.userId);
		sim.store.users.delete(sim.user.userId);
		const ops = sim['ops'];
		const recordings = loadRecordings();
		report = await replay(recordings, {
			name: 'the simulator',
			url: sim.url,
			positionalUrl: sim.url,
			admin: sim.admin,
			user: sim.user,
			clock: sim.clock,
			beforeRequest: (rec) => sim.setProfile(rec.port === 8081 ? 'positional' : 'stock-8.3-php8'),
			// registered operations without a handler answer HTTP 500 like an unknown one: not covered.
			// Unknown operations (02_auth_session #22) are covered: the simulator must answer them as Vtiger does.
			covers: (op) => !(op in OPERATIONS) || typeof (ops as unknown as Record<string, unknown>)[op] === 'function',
			labAction: (action) => {
				if (action.kind === 'user') {
					if (labuser) sim.store.users.set(labuser.id, labuser);
					return undefined;
				}
				const admin = sim.store.users.get(sim.admin.userId);
				if (!admin) throw new Error('no admin user in the simulator');
				const { rec } = ops.createRecord(admin, action.module, { ...action.fields, LineItems: action.lineItems });
				Object.assign(rec.values, action.storedAs ?? {});
				return sim.store.get(rec.crmid)?.id ?? undefined;
			},
		});
		console.log(formatReport(report));
	}, 120_000);

	afterAll(async () => {
		sim?.clock.unfreeze();
		await sim?.stop();
	});

	it('replays every recording, at least 90% of them, and names a reason for each skip', () => {
		expect(report.total).toBe(532);
		expect(report.replayed / report.total).toBeGreaterThanOrEqual(0.9);
		for (const r of report.results) {
			if (r.outcome.kind === 'skipped') expect(r.outcome.reason).toMatch(/\w{3,}/);
		}
	});

	it('answers every replayed recording like the real server (status, success, error, result shape)', () => {
		const mismatches = report.results.flatMap((r) =>
			r.outcome.kind === 'mismatch'
				? [`${r.rec.file} #${r.rec.line} ${r.rec.operation}: ${r.outcome.diffs.map((d) => d.text).join('; ')}`]
				: [],
		);
		expect(mismatches).toEqual([]);
		expect(report.matched).toBe(report.replayed);
	});
});
