/**
 * Create or Update over N items whose emails repeat (N/2 distinct, half of them already in the CRM): one
 * `query` and one write (`create` or `revise`) per item, and items sharing an email must not create it twice
 * although n8n runs them at once.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { BenchSim } from './sim';
import { target, type RunContext, type Scenario, type TimedOutcome } from './scenario';
import type { Target } from './types';

const email = (k: number) => `upsert${k}@example.com`;

function item(i: number, distinct: number): IDataObject {
	return { email: email(i % distinct), lastname: `Upsert ${i % distinct}`, title: `Item ${i}`, assigned_user_id: '19x1' };
}

function counts(sim: BenchSim, distinct: number): Record<string, number> {
	const rows = sim.store.all('Contacts').filter((row) => String(row.email ?? '').startsWith('upsert'));
	return {
		queries: sim.log.filter((entry) => entry.operation === 'query').length,
		creates: sim.log.filter((entry) => entry.operation === 'create').length,
		revises: sim.log.filter((entry) => entry.operation === 'revise').length,
		contacts: rows.length,
		emails: new Set(rows.map((row) => row.email)).size,
		distinct,
	};
}

const eq = (want: number, got: number | undefined): Target => target(want, got, got === want);

export const upsertScenario: Scenario = {
	name: 'upsert-1000',
	description: 'Create or Update by email over 1,000 items, 500 distinct emails, 250 of them already in the CRM',
	fullSize: 1000,
	nodeType: 'vtiger',
	async prepare(ctx: RunContext) {
		const { sim } = ctx;
		const distinct = Math.max(2, Math.floor(ctx.size / 2));
		for (const contact of sim.store.all('Contacts')) sim.store.remove(String(contact.id));
		for (let k = 0; k < distinct / 2; k++) sim.store.insert('Contacts', { lastname: `Upsert ${k}`, email: email(k) });
		ctx.state.distinct = distinct;
		ctx.state.items = Array.from({ length: ctx.size }, (_, i) => item(i, distinct));
	},
	async node(ctx: RunContext): Promise<TimedOutcome> {
		const parameters: INodeParameters = {
			resource: 'record',
			operation: 'upsert',
			module: 'Contacts',
			columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: ['email'], schema: [] },
			options: { maxConcurrency: ctx.concurrency },
		};
		const items = ctx.state.items as IDataObject[];
		const result = await ctx.harness!.runNode({ type: 'vtiger', parameters, items, continueOnFail: true });
		return {
			items: result.items.length - result.errors.length,
			failedItems: result.errors.length + (result.error ? 1 : 0),
			extra: counts(ctx.sim, ctx.state.distinct as number),
		};
	},
	async raw(ctx: RunContext): Promise<TimedOutcome> {
		// the least a client can do: per email, its items in order, each one query and one write
		const raw = ctx.raw!;
		const byEmail = new Map<string, IDataObject[]>();
		for (const entry of ctx.state.items as IDataObject[]) {
			const list = byEmail.get(String(entry.email)) ?? [];
			list.push(entry);
			byEmail.set(String(entry.email), list);
		}
		let done = 0;
		await raw.map([...byEmail.values()], async (list) => {
			for (const element of list) {
				const rows = (await raw.call('query', { query: `SELECT id FROM Contacts WHERE email = '${String(element.email)}' LIMIT 0, 100;` })) as IDataObject[];
				if (rows.length) await raw.call('revise', { element: JSON.stringify({ ...element, id: rows[0].id }) });
				else await raw.call('create', { elementType: 'Contacts', element: JSON.stringify(element) });
				done++;
			}
		});
		return { items: done, failedItems: 0, extra: counts(ctx.sim, ctx.state.distinct as number) };
	},
	targets(r, extra) {
		const node = extra.node ?? {};
		const distinct = node.distinct ?? 0;
		return {
			'items answered': eq(r.size, r.node?.items),
			'query requests (one per item)': eq(r.size, node.queries),
			'writes (one create or revise per item)': eq(r.size, (node.creates ?? 0) + (node.revises ?? 0)),
			'creates (one per new email)': eq(distinct - Math.ceil(distinct / 2), node.creates),
			'contacts per email (no duplicates)': eq(distinct, node.contacts),
		};
	},
};
