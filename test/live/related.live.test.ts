/**
 * Related records on a real Vtiger: Get Related, Query Related and Add Related between an organization of this
 * run, its contacts and a product.
 */
import type { IDataObject } from 'n8n-workflow';

import { describeLive, liveClient, liveHarness, LiveRecords, liveTag } from './env';
import type { LiveClient } from './env';
import { rl, runVtiger, shown } from './helpers';
import type { Harness } from '../support/harness';

describeLive('live: related records', () => {
	const records = new LiveRecords(['Contacts', 'Accounts', 'Products']);
	let h: Harness;
	let raw: LiveClient;
	let account: string;
	const contacts: string[] = [];

	beforeAll(async () => {
		h = liveHarness();
		raw = await liveClient();
		account = records.track(
			(await raw.call<{ id: string }>('create', { elementType: 'Accounts', element: { accountname: liveTag('org'), assigned_user_id: raw.userId } })).id,
		);
		for (const n of ['c1', 'c2', 'c3']) {
			const created = await raw.call<{ id: string }>('create', {
				elementType: 'Contacts',
				element: { lastname: liveTag(n), account_id: account, assigned_user_id: raw.userId },
			});
			contacts.push(records.track(created.id));
		}
	});
	afterAll(async () => {
		expect(await records.cleanup(raw)).toEqual([]);
	});

	const record = (parameters: IDataObject) => runVtiger(h, { resource: 'record', module: 'Accounts', ...parameters });

	it('Get Related lists the organization\'s contacts; a limit takes the first ones', async () => {
		const r = await record({ operation: 'getRelated', recordId: rl(account), relation: 'Contacts:Contacts', returnAll: true });
		expect(shown(r)).toBe('');
		expect(r.items.map((i) => i.json.id).sort()).toEqual([...contacts].sort());
		expect(r.items.map((i) => i.json.lastname).sort()).toEqual([liveTag('c1'), liveTag('c2'), liveTag('c3')]);
		const two = await record({ operation: 'getRelated', recordId: rl(account), relation: 'Contacts:Contacts', limit: 2 });
		expect(two.items).toHaveLength(2);
	});

	it('Query Related filters the related list with VTQL (WHERE and ";" as the user writes them)', async () => {
		const r = await record({
			operation: 'queryRelated',
			recordId: rl(account),
			relation: 'Contacts:Contacts',
			relatedQuery: `select id, lastname from Contacts where lastname = '${liveTag('c2')}';`,
		});
		expect(shown(r)).toBe('');
		expect(r.items.map((i) => i.json)).toEqual([expect.objectContaining({ id: contacts[1], lastname: liveTag('c2') })]);
		const all = await record({ operation: 'queryRelated', recordId: rl(account), relation: 'Contacts:Contacts', relatedQuery: 'SELECT id FROM Contacts', returnAll: true });
		expect(shown(all)).toBe('');
		expect(all.items.map((i) => i.json.id).sort()).toEqual([...contacts].sort());
	});

	it('Add Related links a product; Get Related then shows it', async () => {
		const product = records.track(
			(await raw.call<{ id: string }>('create', { elementType: 'Products', element: { productname: liveTag('product'), assigned_user_id: raw.userId } })).id,
		);
		const r = await record({ operation: 'addRelated', recordId: rl(account), relation: 'Products:Products', relatedRecordId: rl(product) });
		expect(shown(r)).toBe('');
		expect(r.items[0].json).toMatchObject({ id: account, relatedId: product, relatedModule: 'Products' });
		const related = await record({ operation: 'getRelated', recordId: rl(account), relation: 'Products:Products', returnAll: true });
		expect(related.items.map((i) => i.json.productname)).toEqual([liveTag('product')]);
	});

	it('Get Related of a record that does not exist fails with Vtiger\'s answer', async () => {
		const r = await record({ operation: 'getRelated', recordId: rl('11x999999999'), relation: 'Contacts:Contacts' }, );
		expect(r.error?.message).toMatch(/^Vtiger "retrieve_related" failed: /);
	});
});
