import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { createHarness } from '../../support/harness';
import type { Harness } from '../../support/harness';
import { forgetLineWriteOutcomes } from '../../../nodes/Vtiger/resources/record/lineItems';
import { forgetVtigerExtensions } from '../../../nodes/Vtiger/webservice/extension';
import { startSimulator } from '../../support/simulator';
import type { Profile, Simulator } from '../../support/simulator';

const rl = (value: string, mode = 'id') => ({ __rl: true, mode, value });

/**
 * Delete of an inventory record. Vtiger's own delete removes the lines first and then, on PHP 8, crashes on a record
 * with individual taxes, leaving it without lines and unreadable (test/live/inventory-delete.live.test.ts shows it on
 * the lab): with the n8n Connector extension the node deletes through n8n_inventory_delete (as the web UI does),
 * without it such a record is refused before anything is written.
 */
describe.each<Profile>(['positional', 'stock-8.3-php8'])('Delete of an inventory record (%s)', (profile) => {
	let sim: Simulator;
	let admin: Harness;
	let widget: string;
	let account: string;

	beforeAll(async () => {
		sim = await startSimulator({ profile, extension: true });
		admin = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
		widget = String(sim.store.insert('Products', { productname: 'Widget', unit_price: '10' }).id);
		account = String(sim.store.insert('Accounts', { accountname: 'Buyer' }).id);
	});
	afterAll(async () => await sim.stop());
	beforeEach(() => {
		sim.setExtension(true);
		sim.clearLog();
		forgetLineWriteOutcomes();
		forgetVtigerExtensions();
	});

	const logOf = (operation: string) => sim.log.filter((e) => e.operation === operation);
	const run = async (parameters: INodeParameters, extra: { items?: IDataObject[]; continueOnFail?: boolean } = {}) =>
		await admin.runNode({ type: 'vtiger', parameters: { resource: 'record', module: 'Invoice', ...parameters }, ...extra });

	/** An Invoice with one line, made through the extension (8.3.0's own create cannot write lines). */
	async function invoice(taxMode: 'group' | 'individual'): Promise<string> {
		const r = await run({
			operation: 'create',
			columns: {
				mappingMode: 'defineBelow',
				value: { subject: `Delete me (${taxMode})`, assigned_user_id: '19x1', bill_street: '1 Lab St', ship_street: '1 Lab St', account_id: account },
			},
			lineItems: { item: [{ productId: rl(widget), quantity: 2, listPrice: 10 }] },
			inventoryOptions: { taxMode },
		});
		expect(r.error).toBeUndefined();
		return String(r.items[0].json.id);
	}
	const lineCount = async (id: string) => {
		const r = await run({ operation: 'get', recordId: rl(id) });
		if (r.error) throw r.error;
		return (r.items[0].json.LineItems as IDataObject[]).length;
	};
	const withoutExtension = () => {
		sim.setExtension(false);
		forgetVtigerExtensions();
		sim.clearLog();
	};

	test('with the extension an individual-tax Invoice is deleted through n8n_inventory_delete, never Vtiger\'s delete', async () => {
		const id = await invoice('individual');
		sim.clearLog();
		const r = await run({ operation: 'delete', recordId: rl(id) });
		expect(r.error).toBeUndefined();
		expect(r.items.map((item) => item.json)).toEqual([{ id, status: 'successful' }]);
		expect(logOf('n8n_inventory_delete').map((e) => e.params.id)).toEqual([id]);
		expect(logOf('delete')).toHaveLength(0);
		expect((await run({ operation: 'get', recordId: rl(id) })).error).toBeDefined();
	});

	test('without the extension an individual-tax Invoice is refused before any write and keeps its lines', async () => {
		const id = await invoice('individual');
		withoutExtension();
		const r = await run({ operation: 'delete', recordId: rl(id) });
		expect(r.error?.message).toBe(`Delete: Vtiger cannot delete Invoice ${id} through its webservice: the record has individual taxes`);
		expect(r.error?.description).toContain('record would stay behind without its lines');
		expect(r.error?.description).toContain('Module Management');
		expect(logOf('delete')).toHaveLength(0);
		expect(await lineCount(id)).toBe(1);
	});

	test('without the extension a group-tax Invoice goes to Vtiger\'s delete; Continue On Fail keeps the refused one as an error item', async () => {
		const individual = await invoice('individual');
		const group = await invoice('group');
		withoutExtension();
		const r = await run(
			{ operation: 'delete', recordId: rl('={{ $json.id }}') },
			{ items: [{ id: individual }, { id: group }], continueOnFail: true },
		);
		expect(r.error).toBeUndefined();
		expect(r.items).toHaveLength(2);
		expect(String(r.items[0].json.error)).toContain('the record has individual taxes');
		expect(r.items[1].json).toEqual({ id: group, status: 'successful' });
		expect(logOf('delete').map((e) => e.params.id)).toEqual([group]);
		expect(await lineCount(individual)).toBe(1);
		expect((await run({ operation: 'get', recordId: rl(group) })).error).toBeDefined();
	});

	test('records without line items are deleted by Vtiger\'s delete alone (no extension question, no read first)', async () => {
		const contact = String(sim.store.insert('Contacts', { lastname: 'Gone' }).id);
		sim.clearLog();
		const r = await run({ module: 'Contacts', operation: 'delete', recordId: rl(contact) });
		expect(r.error).toBeUndefined();
		expect(logOf('n8n_info')).toHaveLength(0);
		expect(logOf('retrieve')).toHaveLength(0);
		expect(logOf('delete')).toHaveLength(1);
	});
});
