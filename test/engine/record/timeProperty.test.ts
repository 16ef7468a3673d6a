/**
 * Property: whatever the node (or the trigger) hands on is valid input for the same instant. Random
 * instants and dates, many of them within hours of a daylight-saving change of the workflow's zone, are
 * stored in the simulator as Vtiger stores them (UTC text), read in a random output mode (node version 1
 * or 2, Simplify on or off, Date-Times as ISO 8601 on or off, the trigger) by a random read (Get, Get Many,
 * Query, the trigger), written back by a random write (Update, Replace, Create or Update, Create) with Map
 * Automatically, and must be stored exactly as before; a created copy exactly as the original. Filters and
 * Get Changes' since given an output's createdtime/modifiedtime compare with that very instant.
 *
 * Seeded: TIME_SEED=<n> repeats a run (every test name carries its seed and case).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { createHarness } from '../../support/harness';
import type { Harness } from '../../support/harness';
import { startSimulator } from '../../support/simulator';
import type { Simulator } from '../../support/simulator';
import { SETTLE_SECONDS } from '../../../nodes/Vtiger/trigger/poll';

const SEED = Number(process.env.TIME_SEED ?? 20261207);

/** mulberry32: a small seeded generator, uniform in [0, 1). */
function generator(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = Math.imul(state ^ (state >>> 15), 1 | state);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

class Random {
	private readonly next: () => number;
	constructor(seed: number) {
		this.next = generator(seed);
	}
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}
	pick<T>(list: readonly T[]): T {
		return list[this.int(0, list.length - 1)];
	}
	chance(p: number): boolean {
		return this.next() < p;
	}
}

/** Zones with DST, half and quarter hours, a 30-minute DST (Lord Howe), far east and west, none at all. */
const ZONES = [
	'America/New_York', 'Europe/Berlin', 'UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe',
	'Pacific/Chatham', 'America/St_Johns', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'America/Santiago',
	'Africa/Casablanca', 'Europe/Dublin', 'Asia/Tehran', 'America/Sao_Paulo', 'Australia/Sydney', 'Europe/London',
	'America/Los_Angeles',
];
const ALL_ZONES = Intl.supportedValuesOf('timeZone');

/** The zone's offset from UTC in minutes at `ms`, as Intl prints it ("GMT+05:45"): independent of the node's code. */
const offsetFormats = new Map<string, Intl.DateTimeFormat>();
function offsetMinutes(ms: number, zone: string): number {
	let format = offsetFormats.get(zone);
	if (!format) {
		format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
		offsetFormats.set(zone, format);
	}
	const name = format.formatToParts(new Date(ms)).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
	const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
	if (!match) return 0;
	return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

/** The instants (ms, to the minute) at which the zone's offset changes in `year`. */
function transitions(zone: string, year: number): number[] {
	const found: number[] = [];
	const step = 6 * 3600_000;
	const end = Date.UTC(year + 1, 0, 1);
	for (let at = Date.UTC(year, 0, 1); at < end; at += step) {
		if (offsetMinutes(at, zone) === offsetMinutes(at + step, zone)) continue;
		let [low, high] = [at, at + step];
		while (high - low > 60_000) {
			const middle = low + Math.floor((high - low) / 120_000) * 60_000;
			if (offsetMinutes(middle, zone) === offsetMinutes(low, zone)) low = middle;
			else high = middle;
		}
		found.push(high);
	}
	return found;
}

const pad = (n: number) => String(n).padStart(2, '0');
const utcDate = (ms: number) => {
	const d = new Date(ms);
	return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
};
const utcTime = (ms: number) => {
	const d = new Date(ms);
	return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};
/** The wall-clock date of `ms` in `zone`. */
const localDate = (ms: number, zone: string) => utcDate(ms + offsetMinutes(ms, zone) * 60_000);

/** A random whole-second instant from 1971 to 2099; about half of them within 3 hours of one of the zone's offset changes. */
function instant(random: Random, zone: string): number {
	const year = random.int(1971, 2099);
	const edges = random.chance(0.6) ? transitions(zone, year) : [];
	if (edges.length) return random.pick(edges) + random.int(-3 * 3600, 3 * 3600) * 1000;
	return Date.UTC(year, 0, 1) + random.int(0, 365 * 86400 - 1) * 1000;
}

/** A random date from 1900 to 2099 (leap days included), a third of them the local date of an offset change. */
function date(random: Random, zone: string): string {
	const year = random.int(1900, 2099);
	const edges = random.chance(0.35) ? transitions(zone, Math.max(1971, year)) : [];
	if (edges.length) return localDate(random.pick(edges), zone);
	if (random.chance(0.1)) {
		const leap = 1904 + 4 * random.int(0, 48);
		return `${leap}-02-29`;
	}
	return utcDate(Date.UTC(year, 0, 1) + random.int(0, 364) * 86400_000);
}

/** How records leave the node: version, Simplify, Date-Times as ISO 8601. */
interface Mode {
	name: string;
	typeVersion: number;
	parameters: IDataObject;
	iso: boolean;
}
const MODES: Mode[] = [
	{ name: 'v1', typeVersion: 1, parameters: {}, iso: false },
	{ name: 'v1 ISO', typeVersion: 1, parameters: { options: { isoDateTimes: true } }, iso: true },
	{ name: 'v2 Simplify', typeVersion: 2, parameters: {}, iso: false },
	{ name: 'v2 Simplify ISO', typeVersion: 2, parameters: { options: { isoDateTimes: true } }, iso: true },
	{ name: 'v2 raw', typeVersion: 2, parameters: { simplify: false }, iso: false },
	{ name: 'v2 raw ISO', typeVersion: 2, parameters: { simplify: false, options: { isoDateTimes: true } }, iso: true },
];
const READS = ['get', 'getAll', 'query', 'trigger'] as const;
const WRITES = ['update', 'replace', 'upsert', 'create'] as const;
type Read = (typeof READS)[number];
type Write = (typeof WRITES)[number];

interface Kind {
	module: string;
	/** the fields that must come back unchanged */
	fields: string[];
	writes: readonly Write[];
	/** a record's stored values, as Vtiger holds them */
	values(random: Random, zone: string, tag: string): IDataObject;
	/** the instants the ISO output must denote, by output field */
	instants?(stored: IDataObject): Record<string, number>;
}

const pairInstants = (stored: IDataObject): Record<string, number> => {
	const result: Record<string, number> = {};
	if (stored.time_start) result.date_start = Date.parse(`${String(stored.date_start)}T${String(stored.time_start)}Z`);
	if (stored.time_end) result.due_date = Date.parse(`${String(stored.due_date)}T${String(stored.time_end)}Z`);
	return result;
};

function span(random: Random, zone: string): [number, number] {
	const start = instant(random, zone);
	// an end across a day, a night or an offset change
	return [start, start + random.int(0, 3 * 86400) * 1000];
}

const KINDS: Record<string, Kind> = {
	'Events start/end': {
		module: 'Events',
		fields: ['date_start', 'time_start', 'due_date', 'time_end'],
		writes: WRITES,
		values(random, zone, tag) {
			const [start, end] = span(random, zone);
			return { subject: tag, activitytype: random.pick(['Call', 'Meeting']), eventstatus: 'Planned', date_start: utcDate(start), time_start: utcTime(start), due_date: utcDate(end), time_end: utcTime(end) };
		},
		instants: pairInstants,
	},
	'Calendar start/end': {
		module: 'Calendar',
		fields: ['date_start', 'time_start', 'due_date', 'time_end'],
		writes: WRITES,
		values(random, zone, tag) {
			const [start, end] = span(random, zone);
			// a task may have a due date without a time
			const timed = random.chance(0.75);
			return { subject: tag, activitytype: 'Task', taskstatus: 'Not Started', date_start: utcDate(start), time_start: utcTime(start), due_date: utcDate(end), time_end: timed ? utcTime(end) : '' };
		},
		instants: pairInstants,
	},
	'Contacts birthday': {
		module: 'Contacts',
		fields: ['birthday'],
		writes: WRITES,
		values: (random, zone, tag) => ({ lastname: tag, birthday: date(random, zone) }),
	},
	'Potentials closingdate': {
		module: 'Potentials',
		fields: ['closingdate'],
		writes: WRITES,
		values: (random, zone, tag) => ({ potentialname: tag, sales_stage: 'Prospecting', closingdate: date(random, zone) }),
	},
	'Invoice duedate': {
		module: 'Invoice',
		fields: ['duedate'],
		// an invoice cannot be created, nor replaced, without its line items (Line Items, not dates)
		writes: ['update', 'upsert'],
		values: (random, zone, tag) => ({ subject: tag, bill_street: 'Street 1', ship_street: 'Street 1', invoicestatus: 'Created', duedate: date(random, zone) }),
	},
};
const NAME_FIELD: Record<string, string> = { Events: 'subject', Calendar: 'subject', Contacts: 'lastname', Potentials: 'potentialname', Invoice: 'subject' };

interface Case {
	index: number;
	kind: string;
	zone: string;
	mode: Mode;
	read: Read;
	write: Write;
	writeVersion: number;
	records: IDataObject[];
}

const CASES_PER_KIND: Record<string, number> = { 'Events start/end': 24, 'Calendar start/end': 24, 'Contacts birthday': 8, 'Potentials closingdate': 8, 'Invoice duedate': 6 };

function cases(): Case[] {
	const random = new Random(SEED);
	const all: Case[] = [];
	for (const [kind, count] of Object.entries(CASES_PER_KIND)) {
		for (let i = 0; i < count; i++) {
			const zone = random.chance(0.8) ? random.pick(ZONES) : random.pick(ALL_ZONES);
			const read = random.pick(READS);
			// the trigger has no Simplify (it is version 1): raw or ISO 8601
			const mode = read === 'trigger' ? random.pick([MODES[0], MODES[1]]) : random.pick(MODES);
			const tag = `rt${SEED}-${all.length}`;
			const records = Array.from({ length: random.int(1, 4) }, () => KINDS[kind].values(random, zone, tag));
			all.push({ index: all.length, kind, zone, mode, read, write: random.pick(KINDS[kind].writes), writeVersion: random.int(1, 2), records });
		}
	}
	return all;
}

let sim: Simulator;
let h: Harness;
/** the organization every invoice is for, and its product (both mandatory) */
let account: string;
let product: string;

beforeAll(async () => {
	sim = await startSimulator();
	h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
	account = String(sim.store.insert('Accounts', { accountname: 'Round Trip Ltd' }).id);
	product = String(sim.store.insert('Products', { productname: 'Round Trip Widget', unit_price: '10' }).id);
});

/** A record as Vtiger holds it; an invoice with its one line item, as every invoice has. */
function insert(module: string, values: IDataObject): IDataObject {
	if (module !== 'Invoice') return sim.store.insert(module, { assigned_user_id: '19x1', ...values });
	const record = sim.store.insertRecord(module, { assigned_user_id: '19x1', account_id: account, productid: product, ...values });
	record.lineItems = [{ id: 1, productid: product, sequence_no: '1', quantity: '1.000', listprice: '10.00', discount_percent: null, discount_amount: null, comment: '', description: '', tax1: '', tax2: '', tax3: '' }];
	return sim.store.all(module).find((entry) => String(entry.id).endsWith(`x${record.crmid}`))!;
}
afterAll(async () => await sim.stop());

const AUTO = { mappingMode: 'autoMapInputData', value: null, matchingColumns: [] };
const byRecordId = { __rl: true, mode: 'id', value: '={{ $json.id }}' };

async function readRecords(c: Case, module: string, ids: string[], since: number): Promise<IDataObject[]> {
	const output = { typeVersion: c.mode.typeVersion, timezone: c.zone };
	const run = async (parameters: IDataObject, items?: IDataObject[]) => {
		const r = await h.runNode({ type: 'vtiger', ...output, parameters: { resource: 'record', module, ...c.mode.parameters, ...parameters } as INodeParameters, items });
		expect(r.error?.message).toBeUndefined();
		return r.items.map((item) => item.json);
	};
	switch (c.read) {
		case 'get':
			return await run({ operation: 'get', recordId: byRecordId }, ids.map((id) => ({ id })));
		case 'getAll':
			return await run({ operation: 'getAll', returnAll: true, filters: { conditions: [{ field: NAME_FIELD[module], operator: 'equal', value: c.records[0][NAME_FIELD[module]] }] } });
		case 'query':
			return await run({ operation: 'query', query: `SELECT * FROM ${module} WHERE id IN (${ids.map((id) => `'${id}'`).join(', ')});` });
		case 'trigger': {
			settle(sim.clock.now());
			const parameters = { module, events: ['created', 'updated'], options: { startFrom: String(since), ...((c.mode.parameters.options as IDataObject) ?? {}) } };
			const polled = await h.poll(parameters, {}, 'trigger', { timezone: c.zone });
			return (polled.items ?? []).map((item) => item.json).filter((json) => ids.includes(String(json.id)));
		}
	}
}

async function writeBack(c: Case, module: string, items: IDataObject[]): Promise<string[]> {
	const name = NAME_FIELD[module];
	const parameters: IDataObject = { resource: 'record', module, operation: c.write, columns: AUTO };
	let input: IDataObject[] = items.map((json) => ({ ...json, description: `written back ${c.index}` }));
	if (c.write === 'update' || c.write === 'replace') parameters.recordId = byRecordId;
	if (c.write === 'upsert') parameters.columns = { ...AUTO, matchingColumns: ['id'] };
	if (c.write === 'create') input = input.map(({ id: _id, ...copy }) => ({ ...copy, [name]: `${String(copy[name])}-copy` }));
	const r = await h.runNode({ type: 'vtiger', typeVersion: c.writeVersion, timezone: c.zone, parameters: parameters as INodeParameters, items: input });
	expect(r.error?.message).toBeUndefined();
	expect(r.items).toHaveLength(items.length);
	return r.items.map((item) => String(item.json.id));
}

/**
 * The trigger emits a record once Vtiger's clock is past its second by the settle delay (trigger/poll.ts): the
 * simulator's clock is moved there before a poll, as time passes between a save and the next poll.
 */
function settle(latestModified: number): void {
	const due = latestModified + SETTLE_SECONDS + 1;
	if (sim.clock.now() < due) sim.clock.advance(due - sim.clock.now());
}

const label = (c: Case) =>
	`seed ${SEED} case ${c.index}: ${c.kind}, ${c.records.length} record(s), ${c.zone}, ${c.mode.name} ${c.read} → ${c.write} (v${c.writeVersion})`;

describe('the node\'s own output written back is the identity', () => {
	test.each(cases().map((c) => [label(c), c] as const))('%s', async (_name, c) => {
		const kind = KINDS[c.kind];
		const since = sim.clock.now() - 1;
		const stored = c.records.map((values) => insert(kind.module, values));
		const ids = stored.map((record) => String(record.id));
		const pick = (record: IDataObject | undefined) => Object.fromEntries(kind.fields.map((field) => [field, record?.[field]]));

		const read = await readRecords(c, kind.module, ids, since);
		expect(read.map((json) => json.id).sort()).toEqual([...ids].sort());
		if (c.mode.iso && kind.instants) {
			// the ISO output denotes the stored instant, at the zone's offset of that instant
			for (const json of read) {
				const record = stored.find((entry) => entry.id === json.id);
				for (const [field, ms] of Object.entries(kind.instants(record!))) {
					expect(Date.parse(String(json[field]))).toBe(ms);
					const minutes = offsetMinutes(ms, c.zone);
					expect(String(json[field]).slice(-6)).toBe(`${minutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`);
				}
			}
		}

		const written = await writeBack(c, kind.module, read);
		for (const [index, json] of read.entries()) {
			const original = stored.find((record) => record.id === json.id);
			const after = sim.store.get(written[index]);
			expect(after?.description).toBe(`written back ${c.index}`);
			expect(pick(after)).toEqual(pick(original));
		}
	});
});

interface FilterCase {
	index: number;
	zone: string;
	mode: Mode;
	field: 'createdtime' | 'modifiedtime';
	operator: string;
	at: number;
	filterVersion: number;
}

const OPERATORS: Record<string, (a: number, b: number) => boolean> = {
	equal: (a, b) => a === b,
	less: (a, b) => a < b,
	greater: (a, b) => a > b,
	lessOrEqual: (a, b) => a <= b,
	greaterOrEqual: (a, b) => a >= b,
};

function filterCases(): FilterCase[] {
	const random = new Random(SEED + 1);
	return Array.from({ length: 16 }, (_, index) => {
		const zone = random.chance(0.8) ? random.pick(ZONES) : random.pick(ALL_ZONES);
		return {
			index,
			zone,
			mode: random.pick(MODES),
			field: random.pick(['createdtime', 'modifiedtime'] as const),
			operator: random.pick(Object.keys(OPERATORS)),
			at: Math.floor(instant(random, zone) / 1000),
			filterVersion: random.int(1, 2),
		};
	});
}

describe('createdtime and modifiedtime from the output, given to a filter, Get Changes or Start From, are the same instants', () => {
	test.each(filterCases().map((c) => [`seed ${SEED} case ${c.index}: ${c.zone}, ${c.mode.name} ${c.field} → ${c.operator}, Get Changes, Start From`, c] as const))('%s', async (_name, c) => {
		const tag = `rtf${SEED}-${c.index}`;
		// one record in the second read, one a second later, one a second earlier
		const times: Record<string, number> = { [`${tag}-at`]: c.at, [`${tag}-after`]: c.at + 1, [`${tag}-before`]: c.at - 1 };
		const ids: Record<string, string> = {};
		for (const [lastname, at] of Object.entries(times)) {
			ids[lastname] = String(sim.store.insert('Contacts', { lastname, assigned_user_id: '19x1' }, { modifiedtime: at, createdtime: at }).id);
		}
		const got = await h.runNode({
			type: 'vtiger',
			typeVersion: c.mode.typeVersion,
			timezone: c.zone,
			parameters: { resource: 'record', operation: 'get', module: 'Contacts', recordId: { __rl: true, mode: 'id', value: ids[`${tag}-at`] }, ...c.mode.parameters } as INodeParameters,
		});
		const value = got.items[0].json[c.field];
		if (c.mode.iso) expect(Date.parse(String(value))).toBe(c.at * 1000);
		else expect(value).toBe(`${utcDate(c.at * 1000)} ${utcTime(c.at * 1000)}`);

		const run = async (parameters: IDataObject) => {
			const r = await h.runNode({ type: 'vtiger', typeVersion: c.filterVersion, timezone: c.zone, parameters: { resource: 'record', module: 'Contacts', ...parameters } as INodeParameters });
			expect(r.error?.message).toBeUndefined();
			return r.items.map((item) => String(item.json.lastname)).filter((name) => name.startsWith(`${tag}-`)).sort();
		};
		const matching = (test: (at: number) => boolean) => Object.keys(times).filter((name) => test(times[name])).sort();

		const filtered = await run({
			operation: 'getAll',
			returnAll: true,
			filters: { conditions: [{ field: c.field, operator: c.operator, value }, { field: 'lastname', operator: 'like', value: `${tag}-%` }] },
		});
		expect(filtered).toEqual(matching((at) => OPERATORS[c.operator](at, c.at)));

		// sync: records changed after "since"
		const changes = await run({ operation: 'getChanges', since: value, returnAll: true });
		expect(changes).toEqual(matching((at) => at > c.at));

		// the trigger from an output's date-time starts where it starts from that instant in epoch seconds
		settle(c.at + 1);
		const startFrom = async (from: string | number) => {
			const polled = await h.poll({ module: 'Contacts', events: ['created', 'updated'], options: { startFrom: from } }, {}, 'trigger', { timezone: c.zone });
			return (polled.items ?? []).map((item) => String(item.json.lastname)).filter((name) => name.startsWith(`${tag}-`)).sort();
		};
		const fromValue = await startFrom(String(value));
		expect(fromValue).toEqual(await startFrom(c.at));
		expect(fromValue).toContain(`${tag}-after`);
		expect(fromValue).not.toContain(`${tag}-before`);
	});
});
