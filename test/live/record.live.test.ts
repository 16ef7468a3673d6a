/**
 * Record CRUD, Get Many, Query and Get Changes on a real Vtiger, as a user sees them. Every record is a Contact
 * whose last name carries this run's tag; all are deleted in afterAll.
 */
import { describeLive, liveCapabilities, liveClient, liveHarness, LiveRecords, liveTag, liveTarget } from './env';
import type { LiveCapabilities, LiveClient } from './env';
import { mapped, rl, runVtiger, shown } from './helpers';
import type { IDataObject } from 'n8n-workflow';

import type { Harness } from '../support/harness';

describeLive('live: record', () => {
	const records = new LiveRecords(['Contacts']);
	let h: Harness;
	let raw: LiveClient;
	let caps: LiveCapabilities;

	beforeAll(async () => {
		h = liveHarness();
		raw = await liveClient();
		caps = await liveCapabilities();
	});
	afterAll(async () => {
		expect(await records.cleanup(raw)).toEqual([]);
	});

	const record = (parameters: IDataObject, items?: IDataObject[], continueOnFail = false) =>
		runVtiger(h, { resource: 'record', module: 'Contacts', ...parameters }, items, continueOnFail);

	async function contact(suffix: string, extra: Record<string, string> = {}): Promise<string> {
		const created = await raw.call<{ id: string }>('create', {
			elementType: 'Contacts',
			element: { lastname: liveTag(suffix), assigned_user_id: raw.userId, ...extra },
		});
		return records.track(created.id);
	}

	it('Create writes the fields as given and returns the record Vtiger stored', async () => {
		const lastname = liveTag('create');
		const r = await record({
			operation: 'create',
			columns: mapped({ lastname, firstname: 'Ada', email: 'ada@example.com', assigned_user_id: raw.userId, donotcall: true }),
		});
		expect(shown(r)).toBe('');
		expect(r.items).toHaveLength(1);
		const id = records.track(String(r.items[0].json.id));
		expect(id).toMatch(/^12x\d+$/);
		expect(r.items[0].json).toMatchObject({ lastname, firstname: 'Ada', email: 'ada@example.com', donotcall: '1' });
		const stored = await raw.call<Record<string, string>>('retrieve', { id });
		expect(stored).toMatchObject({ lastname, firstname: 'Ada', email: 'ada@example.com', donotcall: '1', assigned_user_id: raw.userId });
	});

	it('Get finds a record by ID, by bare number and by its CRM link', async () => {
		const id = await contact('get', { firstname: 'Gina' });
		const crmid = id.split('x')[1];
		const base = liveTarget()!.url.replace(/\/webservice\.php$/, '');
		for (const locator of [rl(id), rl(crmid), rl(`${base}/index.php?module=Contacts&view=Detail&record=${crmid}`, 'url')]) {
			const r = await record({ operation: 'get', recordId: locator });
			expect(shown(r)).toBe('');
			expect(r.items.map((i) => i.json)).toEqual([expect.objectContaining({ id, lastname: liveTag('get'), firstname: 'Gina' })]);
		}
	});

	it('Get Many filters, picks fields and sorts', async () => {
		const tag = liveTag('many');
		for (const first of ['B', 'A', 'C']) await contact(`many-${first}`, { firstname: first });
		const r = await record({
			operation: 'getAll',
			returnAll: true,
			filters: { conditions: [{ field: 'lastname', operator: 'like', value: `${tag}-%` }] },
			options: { fields: ['firstname', 'lastname'], sortField: 'firstname', sortDirection: 'DESC' },
		});
		expect(shown(r)).toBe('');
		expect(r.items.map((i) => i.json.firstname)).toEqual(['C', 'B', 'A']);
		expect(r.items.map((i) => i.json.lastname)).toEqual([`${tag}-C`, `${tag}-B`, `${tag}-A`]);
		const limited = await record({
			operation: 'getAll',
			limit: 2,
			filters: { conditions: [{ field: 'lastname', operator: 'like', value: `${tag}-%` }] },
		});
		expect(limited.items).toHaveLength(2);
	});

	it('Get Many finds a value with a quote and a backslash exactly', async () => {
		const odd = `O'Brien \\ ${liveTag('quote')}`;
		const created = await raw.call<{ id: string }>('create', { elementType: 'Contacts', element: { lastname: liveTag('quote'), firstname: odd, assigned_user_id: raw.userId } });
		records.track(created.id);
		const r = await record({ operation: 'getAll', returnAll: true, filters: { conditions: [{ field: 'firstname', operator: 'equal', value: odd }] } });
		expect(shown(r)).toBe('');
		expect(r.items.map((i) => i.json.id)).toEqual([created.id]);
	});

	it('Query runs VTQL; Return All pages past 100 rows', async () => {
		const id = await contact('query');
		const one = await record({ operation: 'query', query: `SELECT id, lastname FROM Contacts WHERE lastname = '${liveTag('query')}';` });
		expect(shown(one)).toBe('');
		expect(one.items.map((i) => i.json)).toEqual([{ id, lastname: liveTag('query') }]);
		// count(*) answers [] on 8.3.0: count by paging the raw way
		const ids: string[] = [];
		for (let offset = 0; ; offset += 100) {
			const page = await raw.call<Array<{ id: string }>>('query', { query: `SELECT id FROM Contacts ORDER BY id LIMIT ${offset},100;` });
			ids.push(...page.map((row) => row.id));
			if (page.length < 100) break;
		}
		const all = await record({ operation: 'query', query: 'SELECT id FROM Contacts ORDER BY id;', returnAll: true });
		expect(shown(all)).toBe('');
		expect(all.items.map((i) => i.json.id)).toEqual(ids);
	});

	it('Update changes only the fields given', async () => {
		const id = await contact('update', { firstname: 'Keep', title: 'Old' });
		const r = await record({ operation: 'update', recordId: rl(id), columns: mapped({ title: 'New' }) });
		expect(shown(r)).toBe('');
		expect(r.items[0].json).toMatchObject({ id, title: 'New', firstname: 'Keep' });
		expect(await raw.call('retrieve', { id })).toMatchObject({ title: 'New', firstname: 'Keep', lastname: liveTag('update') });
	});

	it('Replace writes the record with Vtiger\'s update; fields it was not given keep their values', async () => {
		// 8.3.0's update keeps what the element leaves out (lab: firstname stays), like revise
		const id = await contact('replace', { firstname: 'Kept', title: 'Old' });
		const r = await record({ operation: 'replace', recordId: rl(id), columns: mapped({ title: 'Replaced' }) });
		expect(shown(r)).toBe('');
		expect(r.items[0].json).toMatchObject({ id, title: 'Replaced', lastname: liveTag('replace') });
		const stored = await raw.call<Record<string, string>>('retrieve', { id });
		expect(stored).toMatchObject({ title: 'Replaced', lastname: liveTag('replace'), firstname: 'Kept' });
	});

	it('Delete removes the record; Get then says it is gone', async () => {
		const id = await contact('delete');
		const r = await record({ operation: 'delete', recordId: rl(id) });
		expect(shown(r)).toBe('');
		const after = await record({ operation: 'get', recordId: rl(id) }, undefined, true);
		expect(after.items).toHaveLength(1);
		expect(String(after.items[0].json.error)).toMatch(new RegExp(`Vtiger "retrieve" failed: (RECORD_NOT_FOUND|no Contacts record ${id} – it does not exist, was deleted)`));
	});

	it('Continue On Fail: a bad item becomes an error item, the others are written', async () => {
		const tag = liveTag('cof');
		const r = await record(
			{ operation: 'create', columns: mapped({ lastname: '={{ $json.name }}', assigned_user_id: '={{ $json.owner }}' }) },
			[{ name: `${tag}-ok`, owner: raw.userId }, { name: `${tag}-bad`, owner: '19x999999' }],
			true,
		);
		expect(r.items).toHaveLength(2);
		records.track(String(r.items[0].json.id));
		expect(r.items[0].json.lastname).toBe(`${tag}-ok`);
		expect(String(r.items[1].json.error)).toMatch(/Vtiger "create" failed/);
	});

	describe('Get Changes', () => {
		it('lists records created and deleted after "since", or says the server crashes on sync', async () => {
			// the lab runs on this machine's clock; a second of margin for the server's one-second resolution
			const sinceEpoch = Math.floor(Date.now() / 1000) - 1;
			const id = await contact('changes');
			const r = await record({ operation: 'getChanges', since: String(sinceEpoch), returnAll: true }, undefined, true);
			if (caps.sync) {
				expect(r.errors).toEqual([]);
				expect(r.items.map((i) => i.json.id)).toContain(id);
				expect(r.items.find((i) => i.json.id === id)?.json.lastname).toBe(liveTag('changes'));
				const before = Math.floor(Date.now() / 1000) - 1;
				await raw.call('delete', { id });
				const deleted = await record({ operation: 'getChanges', since: String(before), returnAll: true });
				expect(shown(deleted)).toBe('');
				expect(deleted.items.map((i) => i.json)).toContainEqual({ id, deleted: true });
			} else {
				expect(r.errors).toEqual([expect.stringMatching(/Vtiger "sync" failed: Vtiger crashed \(HTTP 500, empty body\)/)]);
			}
		});

	});
});
