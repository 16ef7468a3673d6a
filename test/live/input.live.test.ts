/**
 * Bad input on a real Vtiger: the node refuses it with a message naming the parameter, before it writes
 * anything (checked by looking for the record afterwards).
 */
import type { IDataObject } from 'n8n-workflow';

import { describeLive, liveClient, liveHarness, LiveRecords, liveTag } from './env';
import type { LiveClient } from './env';
import { mapped, rl, runVtiger } from './helpers';
import type { Harness } from '../support/harness';

describeLive('live: bad input', () => {
	const records = new LiveRecords(['Contacts', 'Accounts']);
	let h: Harness;
	let raw: LiveClient;

	beforeAll(async () => {
		h = liveHarness();
		raw = await liveClient();
	});
	afterAll(async () => {
		expect(await records.cleanup(raw)).toEqual([]);
	});

	const record = (parameters: IDataObject, items?: IDataObject[]) => runVtiger(h, { resource: 'record', module: 'Contacts', ...parameters }, items);
	const stored = async (lastname: string) =>
		await raw.call<unknown[]>('query', { query: `SELECT id FROM Contacts WHERE lastname = '${lastname}';` });

	it('Create without a mandatory field names it and writes nothing', async () => {
		const r = await record({ operation: 'create', columns: mapped({ firstname: liveTag('nolast'), assigned_user_id: raw.userId }) });
		expect(r.error?.message).toMatch(/^Fields: Contacts needs "Last Name"/);
		const found = await raw.call<unknown[]>('query', { query: `SELECT id FROM Contacts WHERE firstname = '${liveTag('nolast')}';` });
		expect(found).toEqual([]);
	});

	it('Create with a field the module does not have names it and writes nothing', async () => {
		const lastname = liveTag('badfield');
		const r = await record({ operation: 'create', columns: mapped({ lastname, assigned_user_id: raw.userId, nosuchfield: 'x' }) });
		expect(r.error?.message).toMatch(/nosuchfield/);
		expect(await stored(lastname)).toEqual([]);
	});

	it.each([
		['abc', /"abc" is neither a Vtiger ID like 12x87 nor a number/],
		['11x1', /"11x1" is not a Contacts ID/],
	])('Get with the id %s from an expression names the parameter', async (value, message) => {
		const r = await record({ operation: 'get', recordId: rl('={{ $json.id }}') }, [{ id: value }]);
		expect(r.error?.message).toMatch(/^Record: /);
		expect(r.error?.message).toMatch(message);
	});

	it('Update with an id of another module writes nothing', async () => {
		const account = records.track(
			(await raw.call<{ id: string }>('create', { elementType: 'Accounts', element: { accountname: liveTag('wrongmodule'), assigned_user_id: raw.userId } })).id,
		);
		const r = await record({ operation: 'update', recordId: rl('={{ $json.id }}'), columns: mapped({ title: 'never' }) }, [{ id: account }]);
		expect(r.error?.message).toMatch(/is not a Contacts ID/);
		expect(await raw.call('retrieve', { id: account })).toMatchObject({ accountname: liveTag('wrongmodule') });
	});

	it('Get Many with an empty filter value says VTQL cannot express it', async () => {
		const r = await record({ operation: 'getAll', filters: { conditions: [{ field: 'lastname', operator: 'equal', value: '' }] } });
		expect(r.error?.message).toMatch(/empty/i);
	});

	it('Get Changes with a "since" that is no date names the parameter', async () => {
		const r = await record({ operation: 'getChanges', since: 'last tuesday-ish' });
		expect(r.error?.message).toMatch(/^Since: /);
	});

	it('Query Related over another module than the related list is refused', async () => {
		const r = await runVtiger(h, {
			resource: 'record',
			module: 'Accounts',
			operation: 'queryRelated',
			recordId: rl('11x1'),
			relation: 'Contacts:Contacts',
			relatedQuery: 'SELECT * FROM Leads',
		});
		expect(r.error?.message).toBe('Query: the query reads "Leads", but the chosen related list holds Contacts records (write FROM Contacts)');
	});

	it('a credential with an address where no Vtiger answers says so, without the key', async () => {
		const bad = liveHarness('admin', { baseUrl: 'http://127.0.0.1:9/' });
		const result = await bad.testCredential();
		expect(result.status).toBe('Error');
		expect(result.message).not.toContain(liveTag());
	});
});
