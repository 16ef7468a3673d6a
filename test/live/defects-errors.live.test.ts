/**
 * Issue 11 defect 6 and issue 15 item 4 against a real Vtiger: a record that does not exist (or was deleted) is
 * named first with its id, Vtiger's code stays in the details; a non-admin user of a Vtiger that hides every module
 * (stock 8.3.0, issue #1934: told from that user's listtypes, never from the port) is told so; a wrong CRM path's
 * HTML 404 page becomes a short message.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Harness, RunNodeResult } from '../support/harness';
import { describeLive, liveHarness, liveTag, liveTarget } from './env';

const target = liveTarget();
const rl = (value: string) => ({ __rl: true, mode: 'id', value });
const run = async (h: Harness, parameters: IDataObject): Promise<RunNodeResult> =>
	await h.runNode({ type: 'vtiger', parameters: parameters as never });
const errorCode = (r: RunNodeResult) => (r.error as unknown as { httpCode?: string } | undefined)?.httpCode;

describeLive('live: errors say what happened (issue 11 defect 6, issue 15 item 4)', () => {
	let admin: Harness;
	let contactId = '';

	beforeAll(async () => {
		admin = liveHarness();
		const made = await run(admin, {
			resource: 'record',
			operation: 'create',
			module: 'Contacts',
			columns: { mappingMode: 'defineBelow', value: { lastname: liveTag('errors'), assigned_user_id: '19x1' }, matchingColumns: [] },
		});
		expect(made.error?.message).toBeUndefined();
		contactId = String(made.items[0].json.id);
	});

	afterAll(async () => {
		if (contactId) await run(admin, { resource: 'record', operation: 'delete', module: 'Contacts', recordId: rl(contactId) });
	});

	test('Get of an id that does not exist names the record first; ACCESS_DENIED stays in the details', async () => {
		const r = await run(admin, { resource: 'record', operation: 'get', module: 'Contacts', recordId: rl('12x999999999') });
		expect(r.error?.message).toBe(
			`Vtiger "retrieve" failed: no Contacts record 12x999999999 – it does not exist, was deleted, or "${target?.username}" may not see it`,
		);
		expect(r.error?.description).toMatch(/^Vtiger answered ACCESS_DENIED – Permission to perform the operation is denied/);
		expect(errorCode(r)).toBe('ACCESS_DENIED');
	});

	test('Update and Delete of a deleted record say the same', async () => {
		const made = await run(admin, {
			resource: 'record',
			operation: 'create',
			module: 'Contacts',
			columns: { mappingMode: 'defineBelow', value: { lastname: liveTag('errors-deleted'), assigned_user_id: '19x1' }, matchingColumns: [] },
		});
		const id = String(made.items[0].json.id);
		expect((await run(admin, { resource: 'record', operation: 'delete', module: 'Contacts', recordId: rl(id) })).error).toBeUndefined();
		const update = await run(admin, {
			resource: 'record',
			operation: 'update',
			module: 'Contacts',
			recordId: rl(id),
			columns: { mappingMode: 'defineBelow', value: { firstname: 'Again' }, matchingColumns: [] },
		});
		expect(update.error?.message).toMatch(new RegExp(`^Vtiger "revise" failed: no Contacts record ${id} – it does not exist, was deleted`));
		const again = await run(admin, { resource: 'record', operation: 'delete', module: 'Contacts', recordId: rl(id) });
		expect(again.error?.message).toMatch(new RegExp(`^Vtiger "delete" failed: no Contacts record ${id} – it does not exist, was deleted`));
	});

	(target?.user2 ? test : test.skip)('the second user: a Vtiger that lists it no module says why; otherwise the record is named', async () => {
		const user = liveHarness('user2');
		const types = await run(user, { resource: 'module', operation: 'getAll', simplify: false });
		const listed = (types.items[0].json.types ?? []) as string[];
		const r = await run(user, { resource: 'record', operation: 'get', module: 'Contacts', recordId: rl(contactId) });
		if (!listed.includes('Contacts')) {
			// stock 8.3.0: listtypes names Groups, Currency, … only (issue #1934)
			expect(r.error?.message).toMatch(/ACCESS_DENIED – .*: this Vtiger shows no module to users who are not administrators \(Vtiger 8\.3\.0, issue #1934\)$/);
			expect(r.error?.description).toMatch(/Vtiger lists only .* to ".*" \(listtypes\), none of the CRM's modules/);
		} else if (r.error) {
			expect(r.error.message).toMatch(new RegExp(`no Contacts record ${contactId} – it does not exist, was deleted, or ".*" may not see it`));
		} else {
			expect(r.items[0].json.id).toBe(contactId);
		}
	});

	test('a wrong CRM path: the HTML 404 page becomes a short message, not CSS', async () => {
		const base = target!.url.replace(/\/webservice\.php$/, '').replace(/\/+$/, '');
		const h = liveHarness('admin', { baseUrl: `${base}/no-such-crm` });
		const result = await h.testCredential();
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/the CRM URL answered HTTP 404 – no Vtiger webservice at that address/);
		expect(result.message).not.toMatch(/background-color|\{|<style/);
	});
});
