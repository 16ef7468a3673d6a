import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator } from '../../support/simulator';
import type { Simulator } from '../../support/simulator';
import { createHarness } from '../../support/harness';
import type { Harness } from '../../support/harness';

let sim: Simulator;
let h: Harness;
const T0 = 1_900_000_000;
const created: string[] = [];
const removed: string[] = [];

beforeAll(async () => {
	sim = await startSimulator();
	h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
	sim.clock.freeze(T0 + 1000);
	for (let i = 1; i <= 150; i++) {
		created.push(String(sim.store.insert('HelpDesk', { ticket_title: `Ticket ${i}`, ticketstatus: 'Open' }, { modifiedtime: T0 + i }).id));
	}
	for (const id of created.slice(0, 3)) {
		sim.store.remove(id, T0 + 200);
		removed.push(id);
	}
});

afterAll(async () => {
	await sim.stop();
});

beforeEach(() => sim.clearLog());

const syncs = () => sim.log.filter((e) => e.operation === 'sync');

async function changes(parameters: INodeParameters) {
	return await h.runNode({
		type: 'vtiger',
		parameters: { resource: 'record', operation: 'getChanges', module: 'HelpDesk', ...parameters },
	});
}

describe('Get Changes (sync)', () => {
	test('first batch only: records changed after the epoch, sent by GET with modifiedTime and elementType', async () => {
		const r = await changes({ since: String(T0) });
		expect(r.error).toBeUndefined();
		expect(syncs()).toHaveLength(1);
		expect(syncs()[0].method).toBe('GET');
		expect(syncs()[0].params).toMatchObject({ operation: 'sync', modifiedTime: String(T0), elementType: 'HelpDesk' });
		expect(r.items).toHaveLength(100);
		expect(r.items[0].json).toMatchObject({ id: created[3], ticket_title: 'Ticket 4' });
		expect(r.items.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	test('Return All follows `more` and says which records were updated and which ids were deleted', async () => {
		const r = await changes({ since: String(T0), returnAll: true });
		expect(r.error).toBeUndefined();
		expect(syncs().map((s) => s.params.modifiedTime)).toEqual([String(T0), String(T0 + 103)]);
		const updated = r.items.filter((i) => i.json.deleted !== true).map((i) => i.json.id);
		const deleted = r.items.filter((i) => i.json.deleted === true).map((i) => i.json);
		expect(updated).toEqual(created.slice(3));
		expect(deleted).toEqual(removed.map((id) => ({ id, deleted: true })));
	});

	test('a date and time with a zone is turned into epoch seconds', async () => {
		const since = new Date((T0 + 140) * 1000).toISOString();
		const r = await changes({ since, returnAll: true });
		expect(syncs()[0].params.modifiedTime).toBe(String(T0 + 140));
		expect(r.items.map((i) => i.json.id)).toEqual([...created.slice(140), ...removed.map((id) => id)]);
	});

	test('Simplify off returns Vtiger\'s answer per batch', async () => {
		const r = await changes({ since: String(T0 + 145), simplify: false });
		expect(r.items).toHaveLength(1);
		expect(r.items[0].json).toMatchObject({ more: false, lastModifiedTime: T0 + 200, deleted: removed });
		expect((r.items[0].json.updated as IDataObject[]).map((rec) => rec.id)).toEqual(created.slice(145));
	});

	test('a value that is no point in time fails before any sync, naming the parameter', async () => {
		const r = await changes({ since: 'yesterday-ish' });
		expect(r.error?.message).toMatch(/^Since: "yesterday-ish" is not a date/);
		expect(syncs()).toHaveLength(0);
	});
});
