import * as fs from 'node:fs';
import * as path from 'node:path';

import type { Page } from 'playwright-core';

import { startSimulator, type Simulator } from '../support/simulator';
import { openBrowser } from './helpers/browser';
import { createContactWorkflow } from './helpers/demoWorkflows';
import { loadExample } from './helpers/examples';
import { N8n } from './helpers/n8n';
import { n8nVersion, screenshotsDir } from './helpers/paths';
import {
	CREDENTIAL_TYPE,
	credentialData,
	triggerWorkflow,
	VTIGER_NODE,
	VTIGER_TRIGGER,
	vtigerCredential,
} from './helpers/workflow';

interface NodeTypeDescription {
	name: string;
	displayName: string;
	credentials?: Array<{ name: string }>;
	polling?: boolean;
}

/**
 * A started n8n (`n8n start`, owner from the environment, signed in through /rest/login) with the packed
 * package in its community nodes folder, talking to the simulator on 127.0.0.1.
 */
describe(`the packed package inside a started n8n ${n8nVersion()}`, () => {
	let sim: Simulator;
	let n8n: N8n;
	const credential = vtigerCredential('Vtiger account', { url: '', username: '', accessKey: '' });
	// examples/watch-contacts.json as a user imports it: Contacts, created and updated, every minute
	const watchContacts = loadExample('watch-contacts.json', credential);
	const testEvent = triggerWorkflow('Try the trigger', credential, {
		pollTimes: { item: [{ mode: 'everyHour' }] },
		module: 'Contacts',
		events: ['created', 'updated'],
		options: {},
	});

	const createContact = createContactWorkflow(credential);

	beforeAll(async () => {
		sim = await startSimulator({ seed: true });
		credential.data = credentialData({ url: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
		n8n = await N8n.create('server');
		await n8n.importCredentials([credential]);
		await n8n.importWorkflows([watchContacts, testEvent, createContact]);
		await n8n.publishWorkflow(watchContacts.id);
		await n8n.start();
		await n8n.login();
	});

	afterAll(async () => {
		await n8n?.stop();
		await sim?.stop();
	});

	test('n8n loads the Vtiger node, the Vtiger Trigger and the Vtiger API credential from its nodes folder', async () => {
		const headers = { cookie: n8n.authCookie ?? '' };
		const nodes = (await (await fetch(`${n8n.baseUrl}/types/nodes.json`, { headers })).json()) as NodeTypeDescription[];
		const credentials = (await (await fetch(`${n8n.baseUrl}/types/credentials.json`, { headers })).json()) as Array<{
			name: string;
			displayName: string;
		}>;
		const ours = nodes
			.map((n) => n.name)
			.filter((name) => name.startsWith('n8n-nodes-vtigercrm.'))
			.sort();
		// usableAsTool: n8n derives the AI-agent tool variant of the action node
		expect([...new Set(ours)]).toEqual([VTIGER_NODE, `${VTIGER_NODE}InstantTrigger`, `${VTIGER_NODE}Tool`, VTIGER_TRIGGER]);
		expect(nodes.find((n) => n.name === VTIGER_TRIGGER)?.polling).toBe(true);
		for (const name of [VTIGER_NODE, VTIGER_TRIGGER]) {
			expect(nodes.find((n) => n.name === name)?.credentials?.map((c) => c.name)).toEqual([CREDENTIAL_TYPE]);
		}
		expect(credentials.find((c) => c.name === CREDENTIAL_TYPE)?.displayName).toBe('Vtiger API');
	});

	test('the credential\'s Test button: OK for the right access key, an error naming the problem for a wrong one', async () => {
		const loginsBefore = sim.count('login');
		const ok = await n8n.rest<{ status: string; message: string }>('POST', '/credentials/test', {
			credentials: { id: credential.id, name: credential.name, type: CREDENTIAL_TYPE, data: credential.data },
		});
		expect(ok.status).toBe(200);
		expect(ok.data.status).toBe('OK');
		expect(sim.count('login')).toBeGreaterThan(loginsBefore);

		const wrongKey = 'WrongKey12345678';
		const bad = await n8n.rest<{ status: string; message: string }>('POST', '/credentials/test', {
			credentials: {
				id: credential.id,
				name: credential.name,
				type: CREDENTIAL_TYPE,
				data: credentialData({ url: sim.baseUrl, username: sim.admin.username, accessKey: wrongKey }),
			},
		});
		expect(bad.status).toBe(200);
		expect(bad.data.status).toBe('Error');
		expect(bad.data.message).toMatch(/INVALID_USER_CREDENTIALS|access key|user name/i);
		expect(bad.data.message).not.toContain(wrongKey);
		expect(bad.data.message).not.toContain(sim.admin.accessKey);

		const unreachable = await n8n.rest<{ status: string; message: string }>('POST', '/credentials/test', {
			credentials: {
				id: credential.id,
				name: credential.name,
				type: CREDENTIAL_TYPE,
				data: credentialData({ url: 'http://127.0.0.1:9', username: sim.admin.username, accessKey: sim.admin.accessKey }),
			},
		});
		expect(unreachable.data.status).toBe('Error');
	});

	test('"Fetch Test Event" on the trigger returns the most recently changed contact', async () => {
		const contact = sim.store.insert('Contacts', { firstname: 'Testevent', lastname: 'Latest', email: 'latest@example.com' });
		const run = await n8n.rest<{ executionId?: string }>('POST', `/workflows/${testEvent.id}/run`, {
			workflowData: { ...testEvent, active: false },
			triggerToStartFrom: { name: 'Vtiger Trigger' },
		});
		expect(run.status).toBe(200);
		expect(run.data.executionId).toBeTruthy();
		const list = await n8n.waitForExecutions(testEvent.id, (l) => l.some((e) => e.status !== 'running' && e.status !== 'new'), 60000);
		const execution = await n8n.getExecution(list[0].id);
		expect({ status: execution.status, error: execution.data.resultData.error?.message }).toEqual({
			status: 'success',
			error: undefined,
		});
		const items = execution.data.resultData.runData['Vtiger Trigger'][0].data?.main?.[0] ?? [];
		expect(items).toHaveLength(1);
		expect(JSON.stringify(items[0].json)).toContain(String(contact.id));
		expect(JSON.stringify(items[0].json)).toContain('Testevent');
	});

	test('the activated example trigger polls on its schedule and starts the workflow with a contact created in Vtiger', async () => {
		const workflow = await n8n.rest<{ active: boolean; activeVersionId?: string | null }>('GET', `/workflows/${watchContacts.id}`);
		expect(workflow.data.active).toBe(true);
		// activation polled once (it set the cursor at Vtiger's "now"), so a record created now is a change
		expect(sim.count('sync') + sim.count('query') + sim.count('getchallenge')).toBeGreaterThan(0);
		const contact = sim.store.insert('Contacts', { firstname: 'Polled', lastname: 'Newcomer', email: 'newcomer@example.com' });
		// an earlier poll may have emitted the test event's contact: collect the items of every trigger run
		const emitted: string[] = [];
		const seen = new Set<string>();
		const deadline = Date.now() + 130000;
		while (!emitted.some((json) => json.includes(String(contact.id))) && Date.now() < deadline) {
			const list = await n8n.waitForExecutions(watchContacts.id, (l) => l.some((e) => e.mode === 'trigger' && e.status === 'success' && !seen.has(e.id)), deadline - Date.now());
			for (const summary of list.filter((e) => e.mode === 'trigger' && e.status === 'success' && !seen.has(e.id))) {
				seen.add(summary.id);
				const execution = await n8n.getExecution(summary.id);
				const items = execution.data.resultData.runData['Vtiger Trigger'][0].data?.main?.[0] ?? [];
				emitted.push(...items.map((item) => JSON.stringify(item.json)));
			}
		}
		expect(emitted.filter((json) => json.includes(`"id":"${String(contact.id)}"`))).toHaveLength(1);
		expect(emitted.find((json) => json.includes(`"id":"${String(contact.id)}"`))).toMatch(/"event":"created".*Newcomer|Newcomer.*"event":"created"/);
	});

	test('the editor: the Vtiger node\'s module picker lists the CRM\'s modules; the field mapper shows Contacts\' common fields and Events\' Start and End', async () => {
		const browser = await openBrowser();
		let page: Page | undefined;
		try {
			const [name, value] = (n8n.authCookie as string).split('=');
			await browser.context.addCookies([{ name, value, domain: '127.0.0.1', path: '/' }]);
			page = await browser.context.newPage();
			await page.goto(`${n8n.baseUrl}/workflow/${createContact.id}`);
			const node = page.locator('[data-test-id="canvas-node"]').filter({ hasText: 'Vtiger CRM' });
			await node.waitFor({ timeout: 60000 });
			await node.dblclick();
			const ndv = page.locator('[data-test-id="ndv"]');
			await ndv.waitFor();
			fs.mkdirSync(screenshotsDir, { recursive: true });

			const moduleInput = ndv.locator('[data-test-id="parameter-input-module"]');
			const contactsOption = page.getByRole('option', { name: 'Contacts', exact: true });
			// the editor may still be settling (credentials, node parameters) when the dropdown first opens
			for (let attempt = 1; ; attempt++) {
				await moduleInput.click();
				try {
					await contactsOption.waitFor({ timeout: 10000 });
					break;
				} catch (error) {
					if (attempt === 3) throw error;
					await page.keyboard.press('Escape');
				}
			}
			await expect(page.getByRole('option', { name: 'Organizations' }).count()).resolves.toBeGreaterThan(0);
			await page.screenshot({ path: path.join(screenshotsDir, 'module-picker.png') });
			await contactsOption.click();
			await page.getByRole('listbox').first().waitFor({ state: 'hidden' });

			const mapper = ndv.locator('[data-test-id="resource-mapper-container"]');
			await mapper.waitFor();
			await mapper.getByText('Last Name').first().waitFor();
			// let the closing dropdown finish its fade-out animation
			await page.waitForTimeout(600);
			await page.screenshot({ path: path.join(screenshotsDir, 'field-mapper.png') });
			// the quiet mapper: owners to pick, the fields a user sets, not Last Modified By
			await mapper.getByText('Assigned To').first().waitFor();
			await expect(mapper.getByText('Last Modified By').count()).resolves.toBe(0);

			// Events: one Start and one End date-time, no Time Start / End Time / Duration fields
			await moduleInput.click();
			await page.getByRole('option', { name: 'Events', exact: true }).click();
			await page.getByRole('listbox').first().waitFor({ state: 'hidden' });
			await mapper.getByText('Start', { exact: true }).first().waitFor({ timeout: 30000 });
			await mapper.getByText('End', { exact: true }).first().waitFor();
			await expect(mapper.getByText('Time Start').count()).resolves.toBe(0);
			await page.waitForTimeout(600);
			await page.screenshot({ path: path.join(screenshotsDir, 'events-mapper.png') });
		} catch (error) {
			await page?.screenshot({ path: path.join(n8n.userFolder, 'editor-failure.png') });
			throw error;
		} finally {
			await browser.close();
		}
		expect(sim.count('describe')).toBeGreaterThan(0);
		expect(sim.count('listtypes')).toBeGreaterThan(0);
	});
});
