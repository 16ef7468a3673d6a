/**
 * The five scenarios: the same work done by the Vtiger node through the n8n engine and by the raw
 * client, against a fresh simulator each run. `prepare` is untimed; `node`/`raw` are timed.
 */
import type { IDataObject } from 'n8n-workflow';

import { referencesScenario } from './referencesScenario';
import { target, type RunContext, type Scenario, type TimedOutcome } from './scenario';
import { upsertScenario } from './upsertScenario';
import type { SideResult, Target } from './types';

/** On the simulator the node is measured against the n8n floor (wall and CPU); the ratio to raw is information. */
export const FLOOR_RATIO_MAX = 1.05;

function eq(want: number, got: number | null | undefined): Target {
	return target(want, got, got === want);
}

function req(side: SideResult | null, op: string): number | null {
	return side ? (side.requests[op] ?? 0) : null;
}

export function contact(i: number): IDataObject {
	return { lastname: `Bench ${i}`, firstname: 'Load', email: `bench${i}@example.com`, assigned_user_id: '19x1' };
}

const createScenario = (name: string, description: string, killEvery?: number): Scenario => ({
	name,
	description,
	fullSize: 1000,
	nodeType: 'vtiger',
	killEvery,
	async prepare(ctx) {
		ctx.state.elements = Array.from({ length: ctx.size }, (_, i) => contact(i));
		ctx.state.before = ctx.sim.store.count('Contacts');
	},
	async node(ctx) {
		const out = await ctx.driver!.createRecords(
			ctx.harness!,
			'Contacts',
			ctx.state.elements as IDataObject[],
			ctx.concurrency,
		);
		return { ...out, extra: { written: ctx.sim.store.count('Contacts') - (ctx.state.before as number) } };
	},
	...(killEvery
		? {}
		: {
				async floor(ctx: RunContext): Promise<TimedOutcome> {
					const out = await ctx.driver!.floor.createRecords(
						ctx.harness!,
						'Contacts',
						ctx.state.elements as IDataObject[],
						ctx.concurrency,
					);
					return { ...out, extra: { written: ctx.sim.store.count('Contacts') - (ctx.state.before as number) } };
				},
			}),
	async raw(ctx) {
		const elements = ctx.state.elements as IDataObject[];
		let failed = 0;
		await ctx.raw!.map(elements, async (element) => {
			try {
				await ctx.raw!.call('create', { elementType: 'Contacts', element: JSON.stringify(element) });
			} catch {
				failed++;
			}
		});
		return {
			items: elements.length - failed,
			failedItems: failed,
			extra: { written: ctx.sim.store.count('Contacts') - (ctx.state.before as number) },
		};
	},
	targets(r, extra) {
		const t: Record<string, Target> = {};
		const n = r.size;
		t['records written'] = eq(n, extra.node?.written);
		t['failed items'] = eq(0, r.node?.failedItems);
		if (killEvery) {
			const kills = r.node?.kills ?? 0;
			// a cold start logs in once, then once per session the benchmark killed
			// a cold start logs in the stored session and the pool, then once per session the benchmark killed
			// while work remained (each kill takes the stored session and the pool's)
			t[`logins (<= ${r.concurrency} per kill + ${r.concurrency})`] = target(
				`<= ${r.concurrency * (kills + 1)}`,
				r.node?.logins,
				(r.node?.logins ?? 999) <= r.concurrency * (kills + 1),
			);
		} else {
			t['create requests (one per record)'] = eq(n, req(r.node, 'create'));
			// the stored session and the session pool (one login per lane that ran beside another)
			t[`logins (<= ${r.concurrency})`] = target(`<= ${r.concurrency}`, r.node?.logins, (r.node?.logins ?? 99) <= r.concurrency);
		}
		return t;
	},
});

export const SCENARIOS: Scenario[] = [
	createScenario('create-1000', 'Create 1,000 Contacts (1,000 input items)'),
	{
		name: 'getmany-10000',
		description: 'Get Many, Return All, over 10,000 Contacts',
		fullSize: 10000,
		nodeType: 'vtiger',
		async prepare(ctx) {
			// exactly N live Contacts (the lab's fixed records count)
			const live = ctx.sim.store.all('Contacts').length;
			for (let i = live; i < ctx.size; i++) ctx.sim.store.insert('Contacts', contact(i));
			const total = ctx.sim.store.all('Contacts').length;
			if (total !== ctx.size) throw new Error(`${total} live Contacts, wanted ${ctx.size}`);
		},
		async node(ctx) {
			return await ctx.driver!.getMany(ctx.harness!, 'Contacts', ctx.concurrency);
		},
		async floor(ctx) {
			return await ctx.driver!.floor.getMany(ctx.harness!, 'Contacts', ctx.concurrency);
		},
		async raw(ctx) {
			const rows = await ctx.raw!.queryAll('Contacts');
			return { items: rows.length, failedItems: 0 };
		},
		targets(r) {
			const total = r.size;
			return {
				'records returned': eq(total, r.node?.items),
				'query requests (ceil((N+1)/100))': eq(Math.ceil((total + 1) / 100), req(r.node, 'query')),
			};
		},
	},
	{
		name: 'trigger-drain-5000',
		description: 'One trigger poll that drains 5,000 changes (then one idle poll)',
		fullSize: 5000,
		nodeType: 'vtigerTrigger',
		// cold on both sides: the poll (and the raw client) log in inside the timed window
		async prepare(ctx) {
			const { sim } = ctx;
			// the changes lie in the recent past, one a second as a busy CRM makes them: 100 distinct
			// modification times per sync page
			const t0 = sim.clock.now() - ctx.size - 60;
			const existing = sim.store.all('Contacts').map((c) => c.id as string);
			for (let i = 0; i < ctx.size; i++) {
				const at = t0 + 1 + i;
				if (i < existing.length) sim.store.touch(existing[i], at);
				else sim.store.insert('Contacts', contact(i), { modifiedtime: at, createdtime: at });
			}
			ctx.state.cursor = t0;
			ctx.state.startFrom = new Date(t0 * 1000).toISOString();
		},
		async node(ctx) {
			// first activation with Start From before the changes: this poll drains them all
			const drained = await ctx.driver!.poll(ctx.harness!, 'Contacts', {}, ctx.state.startFrom as string);
			ctx.state.staticData = drained.staticData;
			return { items: drained.count, failedItems: 0 };
		},
		async floor(ctx) {
			const drained = await ctx.driver!.floor.poll(ctx.harness!, 'Contacts', {}, ctx.state.cursor as number);
			ctx.state.staticData = drained.staticData;
			return { items: drained.count, failedItems: 0 };
		},
		async after(ctx) {
			ctx.sim.clearLog();
			if (ctx.side === 'floor') {
				const idle = await ctx.driver!.floor.poll(ctx.harness!, 'Contacts', ctx.state.staticData as IDataObject);
				return { idlePollRequests: ctx.sim.log.length, idlePollItems: idle.count };
			}
			if (ctx.driver) {
				const idle = await ctx.driver.poll(ctx.harness!, 'Contacts', ctx.state.staticData as IDataObject);
				return { idlePollRequests: ctx.sim.log.length, idlePollItems: idle.count };
			}
			const out = await ctx.raw!.syncFrom('Contacts', ctx.state.cursor as number);
			return { idlePollRequests: ctx.sim.log.length, idlePollItems: out.updated.length };
		},
		async raw(ctx) {
			const out = await ctx.raw!.syncFrom('Contacts', ctx.state.cursor as number);
			ctx.state.cursor = out.cursor;
			return { items: out.updated.length + out.deleted.length, failedItems: 0 };
		},
		targets(r, extra) {
			return {
				'changes emitted': eq(r.size, r.node?.items),
				'sync requests (as raw)': eq(req(r.raw, 'sync') ?? 0, req(r.node, 'sync')),
				'idle poll requests': eq(1, extra.node?.idlePollRequests),
			};
		},
	},
	{
		name: 'get-100-executions',
		description: '100 consecutive executions of a Get (session reused)',
		fullSize: 100,
		nodeType: 'vtiger',
		warmRaw: true,
		async prepare(ctx) {
			const rec = ctx.sim.store.insert('Contacts', contact(0));
			ctx.state.id = rec.id;
			// steady state: one execution has already logged in
			if (ctx.driver) await ctx.driver.get(ctx.harness!, rec.id as string, ctx.concurrency);
		},
		async node(ctx) {
			let items = 0;
			let failed = 0;
			for (let i = 0; i < ctx.size; i++) {
				const out = await ctx.driver!.get(ctx.harness!, ctx.state.id as string, ctx.concurrency);
				items += out.items;
				failed += out.failedItems;
			}
			return { items, failedItems: failed };
		},
		async raw(ctx) {
			for (let i = 0; i < ctx.size; i++) await ctx.raw!.retrieve(ctx.state.id as string);
			return { items: ctx.size, failedItems: 0 };
		},
		targets(r) {
			return {
				logins: eq(0, r.node?.logins),
				'getchallenge requests': eq(0, req(r.node, 'getchallenge')),
				'retrieve requests (one per execution)': eq(r.size, req(r.node, 'retrieve')),
				'failed items': eq(0, r.node?.failedItems),
			};
		},
	},
	createScenario('create-1000-kill', '1,000 Creates, every session killed every 100 requests', 100),
	referencesScenario,
	upsertScenario,
];
