/**
 * Readable references (Get Many › Options › Reference Labels) over N Contacts, each linked to its own
 * Organization, every tenth owned by a group: the labels must cost one `id IN` query per linked module
 * per page of 100 records, never one request per record.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { BenchSim } from './sim';
import type { RunContext, Scenario, TimedOutcome } from './scenario';
import type { Target } from './types';

const GROUP = '20x3';

/** Queries sent per module (FROM …) since the log was cleared. */
function queriesByModule(sim: BenchSim): Record<string, number> {
	const out: Record<string, number> = {};
	for (const entry of sim.log) {
		if (entry.operation !== 'query') continue;
		const module = /\bFROM\s+(\w+)/i.exec(String(entry.params.query ?? ''))?.[1] ?? '?';
		out[module] = (out[module] ?? 0) + 1;
	}
	return out;
}

function counts(sim: BenchSim, labelled: number): Record<string, number> {
	const byModule = queriesByModule(sim);
	return {
		labelled,
		contactsQueries: byModule.Contacts ?? 0,
		accountsQueries: byModule.Accounts ?? 0,
		usersQueries: byModule.Users ?? 0,
		groupsQueries: byModule.Groups ?? 0,
		retrieves: sim.log.filter((entry) => entry.operation === 'retrieve').length,
	};
}

function eq(want: number, got: number | undefined): Target {
	return { want, got: got ?? null, met: got === want };
}

export const referencesScenario: Scenario = {
	name: 'refs-getmany-1000',
	description: 'Get Many with Reference Labels over 1,000 Contacts, each linked to its own Organization',
	fullSize: 1000,
	nodeType: 'vtiger',
	async prepare(ctx: RunContext) {
		const { sim } = ctx;
		for (const contact of sim.store.all('Contacts')) sim.store.remove(String(contact.id));
		for (let i = 0; i < ctx.size; i++) {
			const account = sim.store.insert('Accounts', { accountname: `Bench Org ${i}` });
			sim.store.insert(
				'Contacts',
				{ lastname: `Bench ${i}`, account_id: account.id },
				i % 10 === 0 ? { ownerId: GROUP } : {},
			);
		}
	},
	async node(ctx: RunContext): Promise<TimedOutcome> {
		const parameters: INodeParameters = {
			resource: 'record',
			operation: 'getAll',
			module: 'Contacts',
			returnAll: true,
			options: { referenceLabels: true },
			maxConcurrency: ctx.concurrency,
		};
		const result = await ctx.harness!.runNode({ type: 'vtiger', parameters, continueOnFail: true });
		const labelled = result.items.filter(
			(item) => String(item.json.account_id_label ?? '').startsWith('Bench Org') && item.json.assigned_user_id_label,
		).length;
		return {
			items: result.items.length - result.errors.length,
			failedItems: result.errors.length + (result.error ? 1 : 0),
			extra: counts(ctx.sim, labelled),
		};
	},
	async raw(ctx: RunContext): Promise<TimedOutcome> {
		// the least a client can do: per page, one IN query per linked module
		const raw = ctx.raw!;
		let labelled = 0;
		let total = 0;
		const inList = (ids: string[]) => ids.map((id) => `'${id}'`).join(',');
		for (let offset = 0; ; offset += 100) {
			const page = (await raw.call('query', { query: `SELECT * FROM Contacts LIMIT ${offset},100;` })) as IDataObject[];
			total += page.length;
			if (page.length > 0) {
				const accounts = [...new Set(page.map((row) => String(row.account_id)))];
				const owners = [...new Set(page.map((row) => String(row.assigned_user_id)))];
				const users = owners.filter((id) => id.startsWith('19x'));
				const groups = owners.filter((id) => id.startsWith('20x'));
				const [orgs] = await Promise.all([
					raw.call('query', { query: `SELECT accountname FROM Accounts WHERE id IN (${inList(accounts)}) LIMIT 0, 100;` }),
					users.length ? raw.call('query', { query: `SELECT first_name, last_name, user_name FROM Users WHERE id IN (${inList(users)}) LIMIT 0, 100;` }) : undefined,
					groups.length ? raw.call('query', { query: `SELECT groupname FROM Groups WHERE id IN (${inList(groups)}) LIMIT 0, 100;` }) : undefined,
				]);
				labelled += (orgs as IDataObject[]).length;
			}
			if (page.length < 100) break;
		}
		return { items: total, failedItems: 0, extra: counts(ctx.sim, labelled) };
	},
	targets(r, extra) {
		const pages = Math.ceil(r.size / 100);
		const node = extra.node ?? {};
		return {
			'records returned': eq(r.size, r.node?.items),
			'records with organization and owner labels': eq(r.size, node.labelled),
			'Accounts label queries (one per page)': eq(pages, node.accountsQueries),
			'Users label queries (≤ one per page)': { want: `<= ${pages}`, got: node.usersQueries ?? null, met: (node.usersQueries ?? Infinity) <= pages },
			'Groups label queries (≤ one per page)': { want: `<= ${pages}`, got: node.groupsQueries ?? null, met: (node.groupsQueries ?? Infinity) <= pages },
			'retrieve requests (none per record)': eq(0, node.retrieves),
		};
	},
};
