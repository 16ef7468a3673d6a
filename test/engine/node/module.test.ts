import type { IDataObject } from 'n8n-workflow';

import { startSimulator } from '../../support/simulator';
import type { Simulator } from '../../support/simulator';
import { createHarness } from '../../support/harness';
import type { Harness } from '../../support/harness';

let sim: Simulator;
let h: Harness;

beforeAll(async () => {
	sim = await startSimulator();
	h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
});

afterAll(async () => {
	await sim.stop();
});

beforeEach(() => sim.clearLog());

const run = async (parameters: IDataObject) =>
	await h.runNode({ type: 'vtiger', parameters: { resource: 'module', ...parameters } });

describe('Module', () => {
	test('Get Many sends GET listtypes and returns one item per module with its labels', async () => {
		const r = await run({ operation: 'getAll' });
		expect(r.error).toBeUndefined();
		const [listtypes] = sim.log.filter((e) => e.operation === 'listtypes');
		expect(listtypes.method).toBe('GET');
		expect(r.items.find((i) => i.json.name === 'Accounts')?.json).toEqual({
			name: 'Accounts',
			label: 'Organizations',
			singular: 'Organization',
			isEntity: true,
		});
		expect(r.items.find((i) => i.json.name === 'Groups')?.json.isEntity).toBe(false);
		expect(r.items.length).toBeGreaterThan(30);
		expect(r.items.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	test('Get Many with Simplify off returns Vtiger\'s answer', async () => {
		const r = await run({ operation: 'getAll', simplify: false });
		expect(r.items).toHaveLength(1);
		expect(r.items[0].json.types).toEqual(expect.arrayContaining(['Contacts', 'Accounts']));
		expect((r.items[0].json.information as IDataObject).Contacts).toMatchObject({ label: 'Contacts' });
	});

	test('Describe sends GET describe and simplifies the fields', async () => {
		const r = await run({ operation: 'describe', module: 'Contacts' });
		expect(r.error).toBeUndefined();
		expect(sim.log.find((e) => e.operation === 'describe')?.params).toMatchObject({ operation: 'describe', elementType: 'Contacts' });
		const described = r.items[0].json;
		expect(described).toMatchObject({ name: 'Contacts', idPrefix: '12', createable: true, labelFields: ['firstname', 'lastname'] });
		const fields = described.fields as IDataObject[];
		expect(fields.find((f) => f.name === 'account_id')).toEqual({
			name: 'account_id',
			label: 'Organization Name',
			type: 'reference',
			mandatory: false,
			editable: true,
			refersTo: ['Accounts'],
		});
		expect(fields.find((f) => f.name === 'leadsource')?.values).toEqual(expect.arrayContaining(['Cold Call', 'Web Site']));
	});

	test('Describe with Simplify off returns Vtiger\'s description', async () => {
		const r = await run({ operation: 'describe', module: 'Groups', simplify: false });
		expect(r.items[0].json).toMatchObject({ name: 'Groups', idPrefix: '20', labelFields: 'groupname' });
		expect((r.items[0].json.fields as IDataObject[])[0].type).toEqual(expect.objectContaining({ name: expect.any(String) }));
	});

	test('Describe of a module Vtiger does not know fails with its code', async () => {
		const r = await run({ operation: 'describe', module: 'NoSuchModule' });
		expect(r.error?.message).toMatch(/Vtiger "describe" failed: ACCESS_DENIED/);
	});
});
