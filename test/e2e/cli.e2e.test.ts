import { startSimulator, type Simulator } from '../support/simulator';
import { errorOf, N8n, outcome, outputOf } from './helpers/n8n';
import { contactLifecycleWorkflow, modulesWorkflow } from './helpers/demoWorkflows';
import { n8nVersion } from './helpers/paths';
import { byId, chainWorkflow, credentialData, vtigerCredential } from './helpers/workflow';

/**
 * Workflows as a user saves them, imported with `n8n import:workflow` next to an imported credential and run
 * with `n8n execute --id` (each run is a fresh n8n process, like a scheduled production run on a worker).
 */
describe(`workflows run by the n8n ${n8nVersion()} CLI`, () => {
	let sim: Simulator;
	let n8n: N8n;
	const credential = vtigerCredential('Vtiger account', { url: '', username: '', accessKey: '' });
	const lastname = `Lovelace${Date.now()}`;

	const contactLifecycle = contactLifecycleWorkflow(credential, lastname);
	const modules = modulesWorkflow(credential);

	let seededContactId = '';
	const readOne = chainWorkflow('Read one contact', credential, [
		{
			name: 'Get Contact',
			parameters: { resource: 'record', operation: 'get', module: 'Contacts', recordId: byId('={{ "" }}') },
		},
	]);
	const missing = chainWorkflow('Missing contact', credential, [
		{
			name: 'Get Contact',
			parameters: { resource: 'record', operation: 'get', module: 'Contacts', recordId: byId('12x999999') },
		},
	]);
	const missingContinue = chainWorkflow('Missing contact, continue on fail', credential, [
		{
			name: 'Get Contact',
			onError: 'continueRegularOutput',
			parameters: { resource: 'record', operation: 'get', module: 'Contacts', recordId: byId('12x999999') },
		},
	]);

	beforeAll(async () => {
		sim = await startSimulator({ seed: true });
		credential.data = credentialData({ url: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
		seededContactId = String(sim.store.all('Contacts')[0].id);
		((readOne.nodes[1].parameters as Record<string, unknown>).recordId as Record<string, unknown>).value = seededContactId;
		n8n = await N8n.create('cli');
		await n8n.importCredentials([credential]);
		await n8n.importWorkflows([contactLifecycle, modules, readOne, missing, missingContinue]);
	});

	afterAll(async () => {
		await sim?.stop();
	});

	test('records: create, get, update, get many with a filter, query and delete a contact', async () => {
		const run = await n8n.execute(contactLifecycle.id);
		const { result, output } = run;
		expect(outcome(run)).toEqual({ code: 0, error: undefined });
		expect(result?.status).toBe('success');

		const [created] = outputOf(result, 'Create Contact');
		expect(created).toMatchObject({ firstname: 'Ada', lastname, email: 'ada@example.com' });
		const id = String(created.id);
		expect(id).toMatch(/^12x\d+$/);

		expect(outputOf(result, 'Get Contact')).toEqual([expect.objectContaining({ id, lastname })]);
		expect(outputOf(result, 'Update Contact')).toEqual([expect.objectContaining({ id, title: 'Countess', lastname })]);
		expect(outputOf(result, 'Find Contacts')).toEqual([expect.objectContaining({ id, title: 'Countess' })]);
		expect(outputOf(result, 'Query')).toEqual([expect.objectContaining({ firstname: 'Ada', lastname, title: 'Countess' })]);
		expect(outputOf(result, 'Delete Contact')).toHaveLength(1);

		expect(sim.store.all('Contacts').some((c) => c.id === id)).toBe(false);
		expect(output).not.toContain(sim.admin.accessKey);
	});

	test('modules: list the modules and describe one', async () => {
		const run = await n8n.execute(modules.id);
		const { result } = run;
		expect(outcome(run)).toEqual({ code: 0, error: undefined });
		const names = outputOf(result, 'List Modules').map((m) => m.name);
		expect(names).toEqual(expect.arrayContaining(['Contacts', 'Accounts', 'Leads', 'HelpDesk']));
		const [describe] = outputOf(result, 'Describe Contacts');
		expect(describe.name).toBe('Contacts');
		expect(JSON.stringify(describe.fields)).toContain('lastname');
	});

	test('a session that expired between runs is renewed once, and a live one is reused by the next run', async () => {
		const first = await n8n.execute(readOne.id);
		expect(outcome(first)).toEqual({ code: 0, error: undefined });
		expect(outputOf(first.result, 'Get Contact')).toEqual([expect.objectContaining({ id: seededContactId })]);

		// the session stored by the first run is reused: no new login
		let logins = sim.count('login');
		const second = await n8n.execute(readOne.id);
		expect(outcome(second)).toEqual({ code: 0, error: undefined });
		expect(sim.count('login')).toBe(logins);

		// Vtiger ends every session (idle timeout, server restart): the next run logs in once and succeeds
		sim.killSessions();
		logins = sim.count('login');
		const third = await n8n.execute(readOne.id);
		expect(outcome(third)).toEqual({ code: 0, error: undefined });
		expect(outputOf(third.result, 'Get Contact')).toEqual([expect.objectContaining({ id: seededContactId })]);
		expect(sim.count('login')).toBe(logins + 1);
	});

	test('a Vtiger error stops the run with the operation, code and message; Continue On Fail turns it into an item', async () => {
		const failed = await n8n.execute(missing.id);
		expect(failed.code).toBe(1);
		const error = errorOf(failed.result, 'Get Contact') ?? failed.result?.data.resultData.error;
		expect(`${error?.message} ${error?.description ?? ''}`).toMatch(/retrieve/);
		expect(failed.output).not.toContain(sim.admin.accessKey);

		const continued = await n8n.execute(missingContinue.id);
		expect(outcome(continued)).toEqual({ code: 0, error: undefined });
		const [item] = outputOf(continued.result, 'Get Contact');
		expect(String(item.error)).toMatch(/retrieve/);
	});
});
