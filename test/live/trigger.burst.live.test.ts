/**
 * Vtiger Trigger under a burst of saves on a real Vtiger: while the trigger polls every 250 ms, 4 parallel
 * PHP processes create Contacts with vtws_create inside the server's own Vtiger tree (as an import or another
 * integration does; where ../shared/lab's tree is not at hand, 4 parallel webservice clients), and then 300
 * records change within 2 seconds (more than sync's 100-row page in one second). Each run must be exact:
 * every record emitted once, as created, carrying the record as Vtiger lists it after its save finished;
 * nothing repeated, nothing invented, no failed poll. Other users of the CRM may change Contacts meanwhile:
 * only this run's records count.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { describeLive, liveClient, liveHarness, LiveRecords, liveTag, liveTarget } from './env';
import type { LiveClient } from './env';
import type { Harness } from '../support/harness';

const PROCESSES = 4;
const PER_PROCESS = 30;
const POLL_EVERY_MS = 250;
/** The settle delay of the built trigger (nodes/Vtiger/trigger/poll.ts), plus the read's own second. */
const SETTLE_SECONDS: number = (
	require(resolve(__dirname, '../../dist/nodes/Vtiger/trigger/poll.js')) as { SETTLE_SECONDS: number }
).SETTLE_SECONDS;

const params: INodeParameters = { module: 'Contacts', events: ['created', 'updated', 'deleted'], options: {} };
const sleep = async (ms: number) => await new Promise((done) => setTimeout(done, ms));
const epochOf = (text: unknown) => Date.parse(`${String(text).replace(' ', 'T')}Z`) / 1000;

/** The Vtiger tree this server runs, when the lab is here (LAB_DIR, VT_URL_* from its lab.env). */
function labTree(): string | undefined {
	const { LAB_DIR, VT_URL_POS, VT_URL_STOCK } = process.env;
	const url = liveTarget()?.url;
	if (!LAB_DIR || !url) return undefined;
	const tree = url === VT_URL_POS ? `${LAB_DIR}/vtiger-pos` : url === VT_URL_STOCK ? `${LAB_DIR}/vtiger` : undefined;
	return tree && existsSync(`${tree}/config.inc.php`) ? tree : undefined;
}

/** Runs test/live/support/burst.php in `tree`; its JSON lines (Vtiger's own output lines are skipped). */
async function php(tree: string, args: string[]): Promise<IDataObject[]> {
	const script = resolve(__dirname, 'support/burst.php');
	return await new Promise((done, fail) => {
		const child = spawn('php', [script, tree, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		let err = '';
		child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
		child.on('error', fail);
		child.on('close', (code) => {
			if (code !== 0) return fail(new Error(`php burst.php ${args[0]} exited ${code}: ${err.slice(0, 400)}`));
			done(out.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as IDataObject));
		});
	});
}

const lastModified = (saved: Saved[]) => Math.max(...saved.map((record) => epochOf(record.modifiedtime)));

interface Saved {
	id: string;
	modifiedtime: string;
	/** seconds from the start of the modifiedtime second to the end of the save (what the settle delay covers) */
	lag?: number;
}

describeLive('live: trigger under a burst of saves', () => {
	const records = new LiveRecords(['Contacts']);
	const tree = labTree();
	let h: Harness;
	let raw: LiveClient;
	const lanes: LiveClient[] = [];
	const created: string[] = [];

	beforeAll(async () => {
		h = liveHarness();
		raw = await liveClient();
		for (let i = 0; i < PROCESSES; i++) lanes.push(await liveClient());
	});
	afterAll(async () => {
		// deleted in parallel, then whatever is left of this run by its tag
		const ids = [...new Set(created)];
		if (tree) {
			const share = Math.ceil(ids.length / PROCESSES);
			await Promise.all(lanes.map(async (_lane, i) => await php(tree, ['delete', ...ids.slice(i * share, (i + 1) * share)])));
		} else {
			await Promise.all(lanes.map(async (lane, i) => {
				for (let j = i; j < ids.length; j += PROCESSES) await lane.send('delete', { id: ids[j] });
			}));
		}
		expect(await records.cleanup(raw)).toEqual([]);
	});

	/** Creates `perLane` Contacts from each of 4 parallel PHP processes (or webservice clients). */
	async function burst(prefix: string, perLane: number): Promise<Saved[]> {
		const startAt = Date.now() + 300;
		const runs = lanes.map(async (lane, i): Promise<Saved[]> => {
			if (tree) {
				const rows = await php(tree, ['create', String(perLane), `${prefix}-p${i}`, String(startAt)]);
				return rows.map((row) => ({
					id: String(row.id),
					modifiedtime: String(row.modifiedtime),
					lag: Number(row.ended) - epochOf(row.modifiedtime),
				}));
			}
			const out: Saved[] = [];
			for (let j = 0; j < perLane; j++) {
				const record = await lane.call<{ id: string; modifiedtime: string }>('create', {
					elementType: 'Contacts',
					element: { lastname: `${prefix}-p${i}-${j}`, assigned_user_id: lane.userId },
				});
				out.push({ id: record.id, modifiedtime: record.modifiedtime });
			}
			return out;
		});
		const saved = (await Promise.all(runs)).flat();
		for (const record of saved) created.push(records.track(record.id));
		return saved;
	}

	/**
	 * Polls every 250 ms while `work` runs, and on until a poll started SETTLE_SECONDS + 2 s after the last
	 * modifiedtime `work` resolves to (the settle delay, the read's own second, one for the clocks); this
	 * run's items only.
	 */
	async function pollDuring(staticData: IDataObject, tag: string, work: Promise<number>) {
		const items: IDataObject[] = [];
		let data = staticData;
		let polls = 0;
		let finished = false;
		void work.then(
			() => (finished = true),
			() => (finished = true),
		);
		// a poll starts 250 ms after the previous one started (n8n never runs two at once)
		const poll = async () => {
			const began = Date.now();
			const out = await h.poll(params, data, 'trigger');
			data = out.staticData as IDataObject;
			polls++;
			for (const item of out.items ?? []) {
				if (String(item.json.lastname ?? '').startsWith(tag) || created.includes(String(item.json.id))) items.push(item.json);
			}
			await sleep(Math.max(0, POLL_EVERY_MS - (Date.now() - began)));
		};
		while (!finished) await poll();
		const until = ((await work) + SETTLE_SECONDS + 2) * 1000;
		do await poll();
		while (Date.now() < until);
		return { items, polls, data };
	}

	/** lost / repeated / invented, against the records a query lists now that every save has finished. */
	async function verdict(items: IDataObject[], saved: Saved[]) {
		const ids = saved.map((record) => record.id);
		const keys = items.map((item) => `${String(item.event)}:${String(item.id)}`);
		const lost = ids.filter((id) => !keys.includes(`created:${id}`));
		const repeated = keys.filter((key, index) => keys.indexOf(key) !== index);
		const invented = keys.filter((key) => !key.startsWith('created:') || !ids.includes(key.slice(8)));
		// every field as Vtiger lists the record now (VTQL pages of 100, by id)
		const now = new Map<string, IDataObject>();
		for (let i = 0; i < ids.length; i += 100) {
			const page = ids.slice(i, i + 100).map((id) => `'${id}'`).join(',');
			for (const row of await raw.call<IDataObject[]>('query', { query: `SELECT * FROM Contacts WHERE id IN (${page});` })) now.set(String(row.id), row);
		}
		const incomplete: string[] = [];
		for (const item of items) {
			const row = now.get(String(item.id));
			if (!row) continue;
			const differs = Object.keys(row).filter((field) => field in item && JSON.stringify(item[field]) !== JSON.stringify(row[field]));
			if (differs.length > 0) incomplete.push(`${String(item.id)}: ${differs.join(',')}`);
		}
		const lags = saved.map((record) => record.lag).filter((lag): lag is number => lag !== undefined).sort((a, b) => a - b);
		return { lost, repeated, invented, incomplete, maxLag: lags.length ? Number(lags[lags.length - 1].toFixed(2)) : undefined };
	}

	it(`${PROCESSES} parallel ${tree ? 'PHP processes' : 'webservice clients'} create ${PROCESSES * PER_PROCESS} Contacts while the trigger polls every 250 ms: each emitted once, complete`, async () => {
		const tag = liveTag('burst');
		const first = await h.poll(params, {}, 'trigger');
		const started = Date.now();
		const work = burst(tag, PER_PROCESS);
		const { items, polls } = await pollDuring(first.staticData as IDataObject, tag, work.then(lastModified));
		const saved = await work;
		const result = await verdict(items, saved);
		console.log(
			`trigger burst (${tree ? 'PHP' : 'HTTP'}): ${saved.length} created, ${items.length} emitted in ${polls} polls, ` +
				`${((Date.now() - started) / 1000).toFixed(1)} s; lost ${result.lost.length}, repeated ${result.repeated.length}, ` +
				`invented ${result.invented.length}, incomplete ${result.incomplete.length}; longest save after its modifiedtime second began: ${result.maxLag ?? '?'} s`,
		);
		expect(result).toMatchObject({ lost: [], repeated: [], invented: [], incomplete: [] });
		expect(saved).toHaveLength(PROCESSES * PER_PROCESS);
	});

	it('300 Contacts created within 2 seconds (150 a second: more than a sync page) are each emitted once, complete', async () => {
		const tag = liveTag('burst300');
		let saved: Saved[];
		let first;
		let change: Promise<number>;
		if (tree) {
			// Vtiger saves about 20 records a second on the lab's 2 cores: the 300 are created first, and once
			// the trigger runs, one SQL statement dates their creation to this second and the next, 150 each
			saved = await burst(tag, 300 / PROCESSES);
			first = await h.poll(params, {}, 'trigger');
			change = (async () => {
				await sleep(1000 - (Date.now() % 1000));
				await dateIntoTwoSeconds(saved.map((record) => record.id));
				// the statement's second is this one at the latest
				return Math.floor(Date.now() / 1000) + 1;
			})();
		} else {
			first = await h.poll(params, {}, 'trigger');
			const creating = burst(tag, 300 / PROCESSES);
			change = creating.then(lastModified);
			saved = [];
			void creating.then((records) => saved.push(...records));
		}
		const started = Date.now();
		const { items, polls } = await pollDuring(first.staticData as IDataObject, tag, change);
		const result = await verdict(items, saved);
		console.log(
			`trigger burst of 300 (${tree ? 'dated into 2 s' : 'HTTP creates'}): ${items.length} emitted in ${polls} polls, ` +
				`${((Date.now() - started) / 1000).toFixed(1)} s; lost ${result.lost.length}, repeated ${result.repeated.length}, ` +
				`invented ${result.invented.length}, incomplete ${result.incomplete.length}`,
		);
		expect(saved).toHaveLength(300);
		expect(result).toMatchObject({ lost: [], repeated: [], invented: [], incomplete: [] });
	});

	/** The lab's database: createdtime and modifiedtime of these records set to this second and the next, 150 each. */
	async function dateIntoTwoSeconds(ids: string[]) {
		const { VT_DB_SOCKET, VT_DB_USER, VT_DB_PASSWORD, VT_DB_NAME } = process.env;
		if (!VT_DB_SOCKET || !VT_DB_USER || !VT_DB_NAME) throw new Error('the lab database is not in the environment (lab.env)');
		const crmids = ids.map((id) => Number(id.split('x')[1]));
		const at = (seconds: number, list: number[]) =>
			`UPDATE vtiger_crmentity SET createdtime = UTC_TIMESTAMP() + INTERVAL ${seconds} SECOND, ` +
			`modifiedtime = UTC_TIMESTAMP() + INTERVAL ${seconds} SECOND WHERE crmid IN (${list.join(',')});`;
		const sql = `${at(0, crmids.slice(0, 150))} ${at(1, crmids.slice(150))}`;
		await new Promise<void>((done, fail) => {
			const child = spawn('mariadb', [`--socket=${VT_DB_SOCKET}`, `-u${VT_DB_USER}`, `-p${VT_DB_PASSWORD ?? ''}`, VT_DB_NAME, '-e', sql], {
				stdio: ['ignore', 'ignore', 'pipe'],
			});
			let err = '';
			child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
			child.on('error', fail);
			child.on('close', (code) => (code === 0 ? done() : fail(new Error(`mariadb exited ${code}: ${err.slice(0, 300)}`))));
		});
	}
});
