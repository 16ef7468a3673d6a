import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { createHarness } from '../../support/harness';
import type { Harness } from '../../support/harness';
import { forgetLineWriteOutcomes } from '../../../nodes/Vtiger/resources/record/lineItems';
import { forgetVtigerExtensions } from '../../../nodes/Vtiger/webservice/extension';
import { startSimulator } from '../../support/simulator';
import type { Profile, Simulator } from '../../support/simulator';

const rl = (value: string, mode = 'id') => ({ __rl: true, mode, value });

/** Line items through the n8n Connector extension (vtiger-extension/, n8n_inventory_create / n8n_inventory_revise). */
describe.each<Profile>(['positional', 'stock-8.3-php8'])('Line items with the n8n Connector extension (%s)', (profile) => {
	let sim: Simulator;
	let admin: Harness;
	let labuser: Harness;
	let widget: string;
	let gadget: string;
	let account: string;

	beforeAll(async () => {
		sim = await startSimulator({ profile, extension: true });
		admin = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
		labuser = createHarness({ baseUrl: sim.baseUrl, username: sim.user.username, accessKey: sim.user.accessKey });
		widget = String(sim.store.insert('Products', { productname: 'Widget', unit_price: '10' }).id);
		gadget = String(sim.store.insert('Products', { productname: 'Gadget', unit_price: '2.5' }).id);
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
	const run = async (parameters: INodeParameters, h = admin, extra: { items?: IDataObject[]; continueOnFail?: boolean } = {}) =>
		await h.runNode({ type: 'vtiger', parameters: { resource: 'record', module: 'Invoice', ...parameters }, ...extra });
	const lines = (record: IDataObject) =>
		((record.LineItems ?? []) as IDataObject[]).map((line) => [line.productid, Number(line.quantity), Number(line.listprice)]);
	const header = { subject: 'Lab invoice', assigned_user_id: '19x1', bill_street: '1 Lab St', ship_street: '1 Lab St' };
	const twoLines = () => ({
		item: [
			{ productId: rl(widget, 'list'), quantity: 3, listPrice: 0 },
			{ productId: rl(gadget), quantity: 2, listPrice: 4, discountPercent: 10, comment: 'promo' },
		],
	});

	async function createInvoice(h = admin): Promise<IDataObject> {
		const r = await run(
			{
				operation: 'create',
				columns: { mappingMode: 'defineBelow', value: { ...header, account_id: account } },
				lineItems: twoLines(),
				inventoryOptions: { taxMode: 'group', adjustment: -1, shippingAmount: 5 },
			},
			h,
		);
		expect(r.error).toBeUndefined();
		return r.items[0].json;
	}

	test('Create with two lines goes through n8n_inventory_create; n8n_info is asked once per credential', async () => {
		const created = await createInvoice();
		expect(logOf('create')).toHaveLength(0);
		const [sent] = logOf('n8n_inventory_create');
		expect(sent).toMatchObject({ method: 'POST', params: expect.objectContaining({ elementType: 'Invoice' }) });
		expect(JSON.parse(sent.params.element)).toMatchObject({
			subject: 'Lab invoice',
			hdnTaxType: 'group',
			txtAdjustment: -1,
			hdnS_H_Amount: 5,
			LineItems: [
				{ productid: widget, quantity: 3, listprice: 10 },
				{ productid: gadget, quantity: 2, listprice: 4, discount_percent: 10, comment: 'promo' },
			],
		});
		expect(lines(created)).toEqual([[widget, 3, 10], [gadget, 2, 4]]);
		// 30 + (8 - 0.8) + 5 shipping - 1 (the simulator computes like its salesplatform profile: no taxes)
		expect(Number(created.hdnGrandTotal)).toBeCloseTo(41.2);
		expect(Number(created.hdnSubTotal)).toBeCloseTo(37.2);

		await createInvoice();
		await createInvoice();
		expect(logOf('n8n_info')).toHaveLength(1);
		expect(logOf('n8n_inventory_create')).toHaveLength(3);
		// another user of the same CRM is another credential: asked again, once (stock 8.3.0 shows a non-admin no
		// entity module at all)
		if (profile === 'positional') {
			await createInvoice(labuser);
			await createInvoice(labuser);
			expect(logOf('n8n_info')).toHaveLength(2);
		}
	});

	test('Update with lines replaces them through n8n_inventory_revise and the totals follow; Update without lines stays a revise', async () => {
		const id = String((await createInvoice()).id);
		sim.clearLog();
		const relined = await run({
			operation: 'update',
			recordId: rl(id),
			columns: { mappingMode: 'defineBelow', value: {} },
			lineItems: { item: [{ productId: rl(gadget), quantity: 7, listPrice: 1 }] },
			inventoryOptions: { discountAmount: 2 },
		});
		expect(relined.error).toBeUndefined();
		expect(logOf('revise')).toHaveLength(0);
		expect(JSON.parse(logOf('n8n_inventory_revise')[0].params.element)).toEqual({
			id,
			productid: gadget,
			hdnDiscountAmount: 2,
			LineItems: [{ productid: gadget, quantity: 7, listprice: 1 }],
		});
		expect(lines(relined.items[0].json)).toEqual([[gadget, 7, 1]]);
		const stored = sim.store.get(id) as IDataObject;
		expect(Number(stored.hdnSubTotal)).toBe(7);
		expect(Number(stored.hdnGrandTotal)).toBeCloseTo(7 - 2 + 5 - 1);

		sim.clearLog();
		const renamed = await run({ operation: 'update', recordId: rl(id), columns: { mappingMode: 'defineBelow', value: { subject: 'Renamed' } } });
		expect(renamed.error).toBeUndefined();
		expect(JSON.parse(logOf('revise')[0].params.element)).toEqual({ subject: 'Renamed', id });
		expect(logOf('n8n_info')).toHaveLength(0);
	});

	test('Line Item Totals alone: the extension writes the current lines again and recomputes', async () => {
		const id = String((await createInvoice()).id);
		sim.clearLog();
		const r = await run({
			operation: 'update',
			recordId: rl(id),
			columns: { mappingMode: 'defineBelow', value: {} },
			inventoryOptions: { adjustment: 3 },
		});
		expect(r.error).toBeUndefined();
		expect(JSON.parse(logOf('n8n_inventory_revise')[0].params.element)).toEqual({ id, txtAdjustment: 3 });
		expect(lines(r.items[0].json)).toEqual([[widget, 3, 10], [gadget, 2, 4]]);
		expect(Number((sim.store.get(id) as IDataObject).hdnGrandTotal)).toBeCloseTo(37.2 + 5 + 3);
	});

	test('Replace and Create or Update send their lines through the extension too', async () => {
		const id = String((await createInvoice()).id);
		sim.clearLog();
		const replaced = await run({
			operation: 'replace',
			recordId: rl(id),
			columns: { mappingMode: 'defineBelow', value: { subject: 'Replaced' } },
			lineItems: { item: [{ productId: rl(widget), quantity: 1, listPrice: 9 }] },
		});
		expect(replaced.error).toBeUndefined();
		expect(logOf('update')).toHaveLength(0);
		expect(JSON.parse(logOf('n8n_inventory_revise')[0].params.element)).toMatchObject({ id, subject: 'Replaced', LineItems: [{ productid: widget, quantity: 1, listprice: 9 }] });
		expect(Number((sim.store.get(id) as IDataObject).hdnSubTotal)).toBe(9);

		sim.clearLog();
		const subject = `Upserted ${profile}`;
		const upsert = async (quantity: number) =>
			await run({
				operation: 'upsert',
				columns: { mappingMode: 'defineBelow', value: { ...header, subject, account_id: account }, matchingColumns: ['subject'] },
				lineItems: { item: [{ productId: rl(gadget), quantity, listPrice: 2 }] },
			});
		const first = await upsert(1);
		expect(first.error).toBeUndefined();
		expect(first.items[0].json._operation).toBe('created');
		const second = await upsert(4);
		expect(second.error).toBeUndefined();
		expect(second.items[0].json._operation).toBe('updated');
		expect(logOf('n8n_inventory_create')).toHaveLength(1);
		expect(logOf('n8n_inventory_revise')).toHaveLength(1);
		expect(lines(second.items[0].json)).toEqual([[gadget, 4, 2]]);
	});

	test('a product no user may see (in the recycle bin) is refused, and nothing is created', async () => {
		const gone = String(sim.store.insert('Products', { productname: 'Withdrawn', unit_price: '1' }).id);
		sim.store.remove(gone);
		const before = sim.store.count('Invoice');
		const r = await run({
			operation: 'create',
			columns: { mappingMode: 'defineBelow', value: { ...header, account_id: account } },
			lineItems: { item: [{ productId: rl(widget), quantity: 1, listPrice: 1 }, { productId: rl(gone), quantity: 1, listPrice: 1 }] },
		});
		expect(r.error?.message).toMatch(/^Vtiger "n8n_inventory_create" failed: ACCESS_DENIED/);
		expect(sim.store.count('Invoice')).toBe(before);
	});

	test('without the extension: Vtiger 8.3.0 refuses the create, and the error names the extension as the remedy', async () => {
		sim.setExtension(false);
		const r = await run({
			operation: 'create',
			columns: { mappingMode: 'defineBelow', value: { ...header, account_id: account } },
			lineItems: twoLines(),
		});
		expect(r.error?.message).toBe(
			'Vtiger "create" failed: INVALID_ID_ATTRIBUTE – Id specified is incorrect: this Vtiger cannot create Invoice records through its webservice without the n8n Connector extension',
		);
		expect(r.error?.description).toMatch(/Install the n8n Connector extension in this Vtiger: the package ships it as dist\/vtiger-extension\/N8nConnector-<version>\.zip/);
		expect(r.error?.description).toMatch(/Settings › Module Management › Import Module/);
		expect(logOf('n8n_info')).toHaveLength(1);
		expect(logOf('create')).toHaveLength(1);
		// "not installed" is remembered too: a second item asks no second time
		await run({ operation: 'create', columns: { mappingMode: 'defineBelow', value: { ...header, account_id: account } }, lineItems: twoLines() });
		expect(logOf('n8n_info')).toHaveLength(1);
	});

	test('without the extension: Line Item Totals alone are refused before any write, naming the extension', async () => {
		const id = String((await createInvoice()).id);
		sim.setExtension(false);
		forgetVtigerExtensions();
		sim.clearLog();
		const r = await run({ operation: 'update', recordId: rl(id), columns: { mappingMode: 'defineBelow', value: {} }, inventoryOptions: { adjustment: 3 } });
		expect(r.error?.message).toBe(
			'Line Item Totals: only together with Line Items: Vtiger applies discounts, adjustment, shipping and tax mode only while it writes the lines',
		);
		expect(r.error?.description).toMatch(/With the n8n Connector extension the node changes them alone/);
		expect(logOf('revise')).toHaveLength(0);
	});

	test('the extension removed after n8n found it: the error says the extension did not answer, not 8.3.0\'s crash', async () => {
		const id = String((await createInvoice()).id);
		sim.setExtension(false);
		const r = await run({
			operation: 'update',
			recordId: rl(id),
			columns: { mappingMode: 'defineBelow', value: {} },
			lineItems: { item: [{ productId: rl(gadget), quantity: 1, listPrice: 1 }] },
		});
		expect(r.error?.message).toBe(`Vtiger "n8n_inventory_revise" crashed (HTTP 500) while replacing the line items of ${id}: it now has 2 lines and a grand total of 41.20`);
		expect(r.error?.description).toMatch(/^The n8n Connector extension did not answer: it was probably removed or is being updated in this CRM/);
	});

	test('the product picker searches products, then services, 100 a page', async () => {
		const service = String(sim.store.insert('Services', { servicename: 'Widget setup', unit_price: '50' }).id);
		const all = await admin.listSearch('searchProductsAndServices', 'Widget', undefined, { resource: 'record', operation: 'create', module: 'Invoice' });
		expect(all.results.map((item) => [item.name, item.value])).toEqual([
			['Widget (Product)', widget],
			['Widget setup (Service)', service],
		]);
		expect(all.paginationToken).toBeUndefined();
		for (let i = 0; i < 100; i++) sim.store.insert('Products', { productname: `Bulk widget ${i}`, unit_price: '1' });
		const first = await admin.listSearch('searchProductsAndServices', 'widget', undefined, { module: 'Invoice' });
		expect(first.results).toHaveLength(100);
		expect(first.paginationToken).toBe('0:100');
		const second = await admin.listSearch('searchProductsAndServices', 'widget', first.paginationToken, { module: 'Invoice' });
		expect(second.results.map((item) => item.name)).toEqual(expect.arrayContaining(['Widget setup (Service)']));
		expect(second.results.every((item) => !first.results.some((seen) => seen.value === item.value))).toBe(true);
	});
});
