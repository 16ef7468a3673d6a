import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { startSimulator, type Simulator } from '../support/simulator';
import { WsError } from '../support/simulator/errors';
import { loadExample } from './helpers/examples';
import { N8n, outcome, outputOf, type ExecutionResult, type NodeRun } from './helpers/n8n';
import { n8nVersion } from './helpers/paths';
import { byId, chainWorkflow, credentialData, mapperValue, vtigerCredential, type StepNode } from './helpers/workflow';

type Json = Record<string, unknown>;

/** Every node of these workflows runs once, whatever the previous node output (Settings › Execute Once). */
const once = (steps: StepNode[]): StepNode[] => steps.map((step) => ({ ...step, executeOnce: true }));
/** …and carries on after an error, which becomes its output item (Settings › On Error › Continue). */
const tolerant = (steps: StepNode[]): StepNode[] => once(steps).map((step) => ({ ...step, onError: 'continueRegularOutput' }));

function ranWithoutError(result: ExecutionResult | undefined): Record<string, string | undefined> {
	const runData: Record<string, NodeRun[]> = result?.data.resultData.runData ?? {};
	return Object.fromEntries(Object.entries(runData).map(([name, runs]) => [name, runs[0]?.error?.message]));
}

/** A session of the simulator's admin, for uploading a file the way the recordings do (multipart create). */
async function adminSession(sim: Simulator): Promise<string> {
	const challenge = (await (await fetch(`${sim.url}?operation=getchallenge&username=admin`)).json()) as { result: { token: string } };
	const body = new URLSearchParams({
		operation: 'login',
		username: 'admin',
		accessKey: crypto.createHash('md5').update(challenge.result.token + sim.admin.accessKey).digest('hex'),
	});
	const login = (await (await fetch(sim.url, { method: 'POST', body })).json()) as { result: { sessionName: string } };
	return login.result.sessionName;
}

const TRANSLATIONS: Record<string, string> = { SINGLE_Contacts: 'Контакт', Contacts: 'Контакты' };

/**
 * Every resource's main operations through workflow JSON as a user saves it, run by `n8n execute --id`
 * against one simulator: SalesPlatform's behaviour where stock 8.3.0 cannot (line items, user operations),
 * switched to stock 8.3.0 on PHP 8 for the errors users of that version see.
 */
describe(`every resource through workflows run by the n8n ${n8nVersion()} CLI`, () => {
	let sim: Simulator;
	let n8n: N8n;
	const credential = vtigerCredential('Vtiger account', { url: '', username: '', accessKey: '' });
	const file = Buffer.concat([Buffer.from([0, 255, 13, 10, 26]), crypto.randomBytes(50_000)]);
	const ids = { contact: '', account: '', product: '', document: '', invoice: '', labuserContact: '' };
	const since = new Date(Date.now() - 40 * 86400 * 1000).toISOString();

	const leadToCustomer = loadExample('lead-to-customer.json', credential);
	const records = chainWorkflow('Records in depth', credential, []);
	const usersAndSession = chainWorkflow('Users and session', credential, []);
	const stockErrors = chainWorkflow('What stock Vtiger 8.3.0 on PHP 8 answers', credential, []);

	beforeAll(async () => {
		sim = await startSimulator({ profile: 'salesplatform', seed: true });
		// the seed article's extension (seeds/003): POST gettranslation(totranslate: encoded, language, module)
		sim.registerOperation('gettranslation', 'POST', (params) => {
			const list = JSON.parse(params.totranslate ?? 'null') as unknown;
			if (!Array.isArray(list)) throw new WsError('INVALID_PARAMETER', 'totranslate must be a list');
			return Object.fromEntries(list.map((key: string) => [key, params.language === 'ru_ru' ? (TRANSLATIONS[key] ?? key) : key]));
		});
		credential.data = credentialData({ url: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });

		const accounts = sim.store.all('Accounts');
		ids.account = String(accounts[0].id);
		ids.contact = String(sim.store.all('Contacts').find((c) => c.assigned_user_id === '19x1')?.id);
		ids.labuserContact = String(sim.store.all('Contacts').find((c) => c.assigned_user_id === '19x5')?.id);
		ids.product = String(sim.store.all('Products')[3].id);
		ids.invoice = String(sim.store.all('Invoice')[0].id);
		const form = new FormData();
		form.set('operation', 'create');
		form.set('sessionName', await adminSession(sim));
		form.set('elementType', 'Documents');
		form.set('element', JSON.stringify({ notes_title: 'Quarterly report', assigned_user_id: '19x1', filelocationtype: 'I', filestatus: '1', folderid: '22x1' }));
		form.set('filename', new Blob([file], { type: 'application/octet-stream' }), 'report.bin');
		ids.document = ((await (await fetch(sim.url, { method: 'POST', body: form })).json()) as { result: { id: string } }).result.id;

		fill(records, once([
			{
				name: 'Replace Contact',
				parameters: { resource: 'record', operation: 'replace', module: 'Contacts', recordId: byId(ids.contact), columns: mapperValue({ title: 'Replaced title' }) },
			},
			{ name: 'Ticket Changes', parameters: { resource: 'record', operation: 'getChanges', module: 'HelpDesk', since, returnAll: true } },
			{
				name: 'Related Contacts',
				parameters: { resource: 'record', operation: 'getRelated', module: 'Accounts', recordId: byId(ids.account), relation: 'Contacts:Contacts', returnAll: true },
			},
			{
				name: 'Link Product',
				parameters: {
					resource: 'record',
					operation: 'addRelated',
					module: 'Accounts',
					recordId: byId(ids.account),
					relation: 'Products:Products',
					relatedRecordId: byId(ids.product),
				},
			},
			{
				name: 'Query Related Products',
				parameters: {
					resource: 'record',
					operation: 'queryRelated',
					module: 'Accounts',
					recordId: byId(ids.account),
					relation: 'Products:Products',
					relatedQuery: 'select id, productname from Products;',
					returnAll: true,
				},
			},
			{ name: 'Related Modules', parameters: { resource: 'module', operation: 'getRelatedModules', module: 'Accounts' } },
			{
				name: 'Create Invoice',
				parameters: {
					resource: 'record',
					operation: 'create',
					module: 'Invoice',
					columns: mapperValue({ subject: 'E2e invoice', account_id: ids.account, assigned_user_id: '19x1', bill_street: '1 Main St', ship_street: '1 Main St' }),
					lineItems: { item: [{ productId: ids.product, quantity: 3, listPrice: 10 }, { productId: String(sim.store.all('Products')[4].id), quantity: 2, listPrice: 4, discountPercent: 10 }] },
					inventoryOptions: { taxMode: 'group' },
				},
			},
			{
				name: 'Invoice With Lines',
				parameters: { resource: 'record', operation: 'getWithLineItems', module: 'Invoice', recordId: byId("={{ $('Create Invoice').first().json.id }}") },
			},
			{ name: 'Download File', parameters: { resource: 'record', operation: 'downloadFile', documentId: byId(ids.document), binaryPropertyName: 'file' } },
			{
				name: 'Translate',
				parameters: {
					resource: 'customOperation',
					operation: 'call',
					operationName: 'gettranslation',
					httpMethod: 'POST',
					parameters: {
						parameter: [
							{ name: 'totranslate', value: '["SINGLE_Contacts", "Contacts"]', json: true },
							{ name: 'language', value: 'ru_ru' },
							{ name: 'module', value: 'Contacts' },
						],
					},
				},
			},
		]));

		fill(usersAndSession, once([
			{ name: 'Extend Session', parameters: { resource: 'session', operation: 'extend' } },
			{ name: 'Change Password', parameters: { resource: 'user', operation: 'changePassword', userId: byId('19x5'), newPassword: 'Another-Passw0rd' } },
			{ name: 'Delete User', parameters: { resource: 'user', operation: 'delete', userId: byId('19x5'), newOwnerId: byId('19x1') } },
			{ name: 'Log Out', parameters: { resource: 'session', operation: 'logout' } },
		]));

		fill(stockErrors, tolerant([
			{ name: 'Invoice With Lines', parameters: { resource: 'record', operation: 'getWithLineItems', module: 'Invoice', recordId: byId(ids.invoice) } },
			{
				name: 'Create Invoice',
				parameters: {
					resource: 'record',
					operation: 'create',
					module: 'Invoice',
					columns: mapperValue({ subject: 'Stock invoice', account_id: ids.account, assigned_user_id: '19x1', bill_street: '1 Main St', ship_street: '1 Main St' }),
					lineItems: { item: [{ productId: ids.product, quantity: 1, listPrice: 5 }] },
				},
			},
			{ name: 'Download File', parameters: { resource: 'record', operation: 'downloadFile', documentId: byId(ids.document) } },
		]));

		n8n = await N8n.create('operations');
		await n8n.importCredentials([credential]);
		await n8n.importWorkflows([leadToCustomer, records, usersAndSession, stockErrors]);
	});

	afterAll(async () => {
		await sim?.stop();
	});

	function fill(workflow: typeof records, steps: StepNode[]): void {
		const built = chainWorkflow(workflow.name, credential, steps, workflow.id);
		workflow.nodes = built.nodes;
		workflow.connections = built.connections;
	}

	test('examples/lead-to-customer.json: who am I, create a lead, find it, update it, convert it', async () => {
		const run = await n8n.execute(leadToCustomer.id);
		expect(outcome(run)).toEqual({ code: 0, error: undefined });
		const { result } = run;
		expect(outputOf(result, 'Who Am I')).toEqual([expect.objectContaining({ id: '19x1', user_name: 'admin' })]);
		const [lead] = outputOf(result, 'Create Lead');
		expect(lead).toMatchObject({ firstname: 'Ada', lastname: 'Lovelace', assigned_user_id: '19x1', leadstatus: 'Not Contacted' });
		expect(String(lead.email)).toMatch(/^ada\.\d+@example\.com$/);
		expect(outputOf(result, 'Find Lead')).toEqual([expect.objectContaining({ id: lead.id, email: lead.email })]);
		expect(outputOf(result, 'Qualify Lead')).toEqual([expect.objectContaining({ id: lead.id, leadstatus: 'Hot', description: 'Qualified by n8n' })]);
		const [converted] = outputOf(result, 'Convert Lead');
		expect(converted).toMatchObject({
			leadId: lead.id,
			organizationId: expect.stringMatching(/^11x\d+$/),
			contactId: expect.stringMatching(/^12x\d+$/),
			opportunityId: expect.stringMatching(/^13x\d+$/),
		});
		expect(sim.store.get(String(converted.contactId))).toMatchObject({ lastname: 'Lovelace', account_id: converted.organizationId });
		expect(sim.store.get(String(converted.organizationId))).toMatchObject({ accountname: lead.company });
		expect(sim.store.get(String(converted.opportunityId))).toMatchObject({ potentialname: 'Difference Engine No. 2', sales_stage: 'Prospecting' });
		expect(run.output).not.toContain(sim.admin.accessKey);
	});

	test('records: replace, get changes, related records (get, add, query), related modules, line items, a file, a custom operation', async () => {
		const before = { title: sim.store.get(ids.contact)?.title, lastname: sim.store.get(ids.contact)?.lastname };
		const run = await n8n.execute(records.id);
		expect(outcome(run)).toEqual({ code: 0, error: undefined });
		const { result } = run;
		expect(Object.values(ranWithoutError(result)).filter(Boolean)).toEqual([]);

		// Replace: Vtiger's full update; the mandatory fields not given keep their values
		expect(before.title).not.toBe('Replaced title');
		expect(outputOf(result, 'Replace Contact')).toEqual([expect.objectContaining({ id: ids.contact, title: 'Replaced title', lastname: before.lastname })]);
		expect(sim.store.get(ids.contact)).toMatchObject({ title: 'Replaced title', lastname: before.lastname });

		// Get Changes: sync sees the admin's tickets (labuser's are not the credential's)
		const tickets = sim.store.all('HelpDesk').filter((t) => t.assigned_user_id === '19x1').map((t) => t.id);
		const changes = outputOf(result, 'Ticket Changes');
		expect(changes.map((c) => c.id).sort()).toEqual([...tickets].sort());
		expect(changes.every((c) => String(c.ticket_title).startsWith('Ticket '))).toBe(true);

		const contactsOfAccount = sim.store.all('Contacts').filter((c) => c.account_id === ids.account).map((c) => c.id);
		expect(contactsOfAccount.length).toBeGreaterThan(0);
		expect(outputOf(result, 'Related Contacts').map((c) => c.id).sort()).toEqual([...contactsOfAccount].sort());

		expect(outputOf(result, 'Link Product')).toEqual([
			expect.objectContaining({ id: ids.account, relatedId: ids.product, relatedModule: 'Products' }),
		]);
		const productName = sim.store.get(ids.product)?.productname;
		expect(outputOf(result, 'Query Related Products')).toEqual([expect.objectContaining({ id: ids.product, productname: productName })]);
		expect(outputOf(result, 'Related Modules')).toContainEqual({ module: 'Contacts', label: 'Contacts', relation: 'Contacts:Contacts', isEntity: true });

		const [invoice] = outputOf(result, 'Create Invoice');
		expect(invoice.id).toMatch(/^7x\d+$/);
		const lines = (record: Json) => ((record.LineItems ?? []) as Json[]).map((line) => [line.productid, Number(line.quantity), Number(line.listprice)]);
		const products = sim.store.all('Products');
		expect(lines(invoice)).toEqual([[ids.product, 3, 10], [products[4].id, 2, 4]]);
		const [withLines] = outputOf(result, 'Invoice With Lines');
		expect(withLines.id).toBe(invoice.id);
		expect(lines(withLines)).toEqual([[ids.product, 3, 10], [products[4].id, 2, 4]]);
		expect(Number(withLines.hdnGrandTotal)).toBeCloseTo(30 + 7.2);

		// Download File: the binary arrives intact (n8n keeps it in the execution's binary data)
		const download = result?.data.resultData.runData['Download File'][0].data?.main?.[0]?.[0] as
			| { json: Json; binary?: Record<string, { data: string; id?: string; fileName?: string; mimeType?: string }> }
			| undefined;
		expect(download?.json).toMatchObject({ documentId: ids.document, filename: 'report.binfile.txt', filesize: file.length });
		const binary = download?.binary?.file;
		expect(binary).toMatchObject({ fileName: 'report.binfile.txt', mimeType: 'application/octet-stream' });
		expect(binaryContent(binary).equals(file)).toBe(true);

		expect(outputOf(result, 'Translate')).toEqual([{ SINGLE_Contacts: 'Контакт', Contacts: 'Контакты' }]);
	});

	test('session and users: extend the session, change a password, delete a user (records go to the heir), log out', async () => {
		expect(ids.labuserContact).toMatch(/^12x/);
		sim.clearLog();
		const run = await n8n.execute(usersAndSession.id);
		expect(outcome(run)).toEqual({ code: 0, error: undefined });
		const { result } = run;
		expect(outputOf(result, 'Extend Session')).toEqual([expect.objectContaining({ extended: true, userId: '19x1' })]);
		expect(outputOf(result, 'Change Password')).toEqual([{ id: '19x5', message: 'Changed password successfully' }]);
		expect(outputOf(result, 'Delete User')).toEqual([{ id: '19x5', newOwnerId: '19x1', status: 'successful' }]);
		expect(sim.store.get(ids.labuserContact)?.assigned_user_id).toBe('19x1');
		expect(outputOf(result, 'Log Out')).toEqual([{ loggedOut: true, message: 'successfull' }]);
		const [logout] = sim.log.filter((entry) => entry.operation === 'logout');
		expect(logout.method).toBe('POST');
		expect(sim.sessions('admin')).not.toContain(logout.sessionName);
		expect(JSON.stringify(result)).not.toContain('Another-Passw0rd');
	});

	test('after Log Out the next run logs in again; on stock 8.3.0 with PHP 8 line items and files fail with errors that say why', async () => {
		sim.setProfile('stock-8.3-php8');
		const logins = sim.count('login');
		try {
			const run = await n8n.execute(stockErrors.id);
			expect(outcome(run)).toEqual({ code: 0, error: undefined });
			expect(sim.count('login')).toBe(logins + 1);
			const { result } = run;
			expect(outputOf(result, 'Invoice With Lines')).toEqual([
				expect.objectContaining({ error: 'Vtiger "retrieve_inventory" failed: Vtiger crashed (HTTP 500, empty body) running "retrieve_inventory"' }),
			]);
			expect(outputOf(result, 'Create Invoice')).toEqual([
				expect.objectContaining({
					error: 'Vtiger "create" failed: INVALID_ID_ATTRIBUTE – Id specified is incorrect: this Vtiger cannot create Invoice records through its webservice without the n8n Connector extension',
				}),
			]);
			expect(outputOf(result, 'Download File')).toEqual([
				expect.objectContaining({ error: 'Vtiger "files_retrieve" failed: Vtiger crashed (HTTP 500, empty body) running "files_retrieve"' }),
			]);
			expect(sim.store.all('Invoice').some((invoice) => invoice.subject === 'Stock invoice')).toBe(false);
		} finally {
			sim.setProfile('salesplatform');
		}
	});

	/** A binary as `execute --rawOutput` prints it: inline base64, or a reference into the instance's binary data folder. */
	function binaryContent(binary: { data: string; id?: string } | undefined): Buffer {
		if (!binary) return Buffer.alloc(0);
		if (!binary.id) return Buffer.from(binary.data, 'base64');
		const [, key] = binary.id.split(':');
		const candidates = [path.join(n8n.userFolder, '.n8n', 'binaryData', key), path.join(n8n.userFolder, '.n8n', 'storage', key)];
		const found = candidates.find((candidate) => fs.existsSync(candidate));
		if (!found) throw new Error(`binary ${binary.id} not found in ${candidates.join(', ')}`);
		return fs.readFileSync(found);
	}
});
