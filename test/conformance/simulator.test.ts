import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Simulator, startSimulator } from '../support/simulator';

type Envelope = { success: boolean; result?: any; error?: { code: string | number; message: string } };

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

async function raw(sim: Simulator, method: 'GET' | 'POST', params: Record<string, string>, query: Record<string, string> = {}) {
	if (method === 'GET') {
		const res = await fetch(`${sim.url}?${new URLSearchParams({ ...params, ...query })}`);
		return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
	}
	const qs = Object.keys(query).length ? `?${new URLSearchParams(query)}` : '';
	const res = await fetch(sim.url + qs, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(params).toString(),
	});
	return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

async function call(sim: Simulator, method: 'GET' | 'POST', params: Record<string, string>): Promise<Envelope> {
	const r = await raw(sim, method, params);
	expect(r.status).toBe(200);
	return JSON.parse(r.text) as Envelope;
}

async function challenge(sim: Simulator, username: string): Promise<string> {
	const r = await call(sim, 'GET', { operation: 'getchallenge', username });
	return r.result.token as string;
}

async function login(sim: Simulator, who: 'admin' | 'user' = 'admin'): Promise<string> {
	const u = who === 'admin' ? sim.admin : sim.user;
	const token = await challenge(sim, u.username);
	const r = await call(sim, 'POST', { operation: 'login', username: u.username, accessKey: md5(token + u.accessKey) });
	expect(r.success).toBe(true);
	return r.result.sessionName as string;
}

const contact = (s: string, el: Record<string, unknown>) => ({
	operation: 'create',
	sessionName: s,
	elementType: 'Contacts',
	element: JSON.stringify({ assigned_user_id: '19x1', ...el }),
});

let sim: Simulator;
beforeEach(async () => {
	sim = await startSimulator();
});
afterEach(async () => {
	await sim.stop();
});

describe('login', () => {
	it('answers getchallenge and login with the recorded fields', async () => {
		const r = await call(sim, 'GET', { operation: 'getchallenge', username: 'admin' });
		expect(r.result.token).toMatch(/^[0-9a-f]{13}$/);
		expect(r.result.expireTime - r.result.serverTime).toBe(300);
		expect(Math.abs(r.result.serverTime - Date.now() / 1000)).toBeLessThan(5);
		const l = await call(sim, 'POST', { operation: 'login', username: 'Admin', accessKey: md5(r.result.token + sim.admin.accessKey) });
		expect(Object.keys(l.result)).toEqual([
			'username', 'first_name', 'last_name', 'email', 'time_zone', 'hour_format', 'date_format', 'is_admin',
			'call_duration', 'other_event_duration', 'sessionName', 'userId', 'version', 'vtigerVersion',
		]);
		expect(l.result).toMatchObject({ username: 'admin', userId: '19x1', is_admin: 'on', vtigerVersion: '8.3.0' });
		const u = await login(sim, 'user');
		const lt = await call(sim, 'GET', { operation: 'listtypes', sessionName: u });
		expect(lt.result.types).not.toContain('Users');
	});

	it('rejects bad keys, old and expired tokens like Vtiger', async () => {
		expect((await call(sim, 'GET', { operation: 'getchallenge' })).error).toEqual({ code: 'ACCESS_DENIED', message: 'No username given' });
		expect((await call(sim, 'GET', { operation: 'getchallenge', username: 'nobody' })).error?.message).toBe('username does not exists');
		sim.clock.freeze();
		const t1 = await challenge(sim, 'admin');
		const wrong = await call(sim, 'POST', { operation: 'login', username: 'admin', accessKey: md5(t1 + 'nope') });
		expect(wrong.error).toEqual({ code: 'INVALID_USER_CREDENTIALS', message: 'Invalid username or password' });
		const good = { operation: 'login', username: 'admin', accessKey: md5(t1 + sim.admin.accessKey) };
		expect((await call(sim, 'POST', good)).success).toBe(true);
		expect((await call(sim, 'POST', good)).success).toBe(true); // a token serves several logins
		expect((await call(sim, 'GET', good)).error?.code).toBe('INVALID_AUTH_TOKEN'); // login is POST-only
		await challenge(sim, 'admin'); // replaces t1
		expect((await call(sim, 'POST', good)).error?.code).toBe('INVALID_USER_CREDENTIALS');
		const t3 = await challenge(sim, 'admin');
		sim.clock.advance(301);
		const late = await call(sim, 'POST', { operation: 'login', username: 'admin', accessKey: md5(t3 + sim.admin.accessKey) });
		expect(late.error).toEqual({ code: 'INVALID_AUTH_TOKEN', message: 'Specified token is invalid or expired' });
	});

	it('competingChallenge makes the first caller lose the race once', async () => {
		sim.faults.competingChallenge('admin');
		const t = await challenge(sim, 'admin');
		const lost = await call(sim, 'POST', { operation: 'login', username: 'admin', accessKey: md5(t + sim.admin.accessKey) });
		expect(lost.error?.code).toBe('INVALID_USER_CREDENTIALS');
		await login(sim); // the retry wins
		expect(sim.count('getchallenge')).toBe(2);
		expect(sim.count('login')).toBe(2);
	});
});

describe('sessions', () => {
	it('needs a session, rejects unknown and killed ones', async () => {
		expect((await call(sim, 'GET', { operation: 'listtypes' })).error).toEqual({ code: 'AUTHENTICATION_REQUIRED', message: 'Authencation required' });
		expect((await call(sim, 'GET', { operation: 'listtypes', sessionName: 'null' })).error?.code).toBe('AUTHENTICATION_REQUIRED');
		expect((await call(sim, 'GET', { operation: 'listtypes', sessionName: 'deadbeef' })).error).toEqual({
			code: 'INVALID_SESSIONID',
			message: 'Session Identifier provided is Invalid',
		});
		const a = await login(sim);
		const u = await login(sim, 'user');
		sim.killSessions('admin');
		expect((await call(sim, 'GET', { operation: 'listtypes', sessionName: a })).error?.code).toBe('INVALID_SESSIONID');
		expect((await call(sim, 'GET', { operation: 'listtypes', sessionName: u })).success).toBe(true);
	});

	it('expires idle sessions and keeps busy ones, extendsession and logout', async () => {
		await sim.stop();
		sim = await startSimulator({ sessionIdleSeconds: 60 });
		sim.clock.freeze();
		const a = await login(sim);
		const b = await login(sim);
		sim.clock.advance(50);
		expect((await call(sim, 'GET', { operation: 'listtypes', sessionName: a })).success).toBe(true);
		sim.clock.advance(50);
		expect((await call(sim, 'GET', { operation: 'listtypes', sessionName: a })).success).toBe(true);
		expect((await call(sim, 'GET', { operation: 'listtypes', sessionName: b })).error?.code).toBe('INVALID_SESSIONID');
		const ext = await call(sim, 'POST', { operation: 'extendsession', sessionName: a });
		expect(ext.result).toEqual({ sessionName: a, userId: '19x1', version: '0.22', vtigerVersion: '8.3.0' });
		expect((await call(sim, 'POST', { operation: 'extendsession' })).error?.code).toBe('AUTHENTICATION_FAILURE');
		expect((await call(sim, 'GET', { operation: 'logout', sessionName: a })).error?.code).toBe('OPERATION_NOT_SUPPORTED');
		expect((await call(sim, 'POST', { operation: 'logout', sessionName: a })).result).toEqual({ message: 'successfull' });
		expect((await call(sim, 'GET', { operation: 'listtypes', sessionName: a })).error?.code).toBe('INVALID_SESSIONID');
	});
});

describe('records', () => {
	it('creates with the lab ids, numbers, defaults and label', async () => {
		const s = await login(sim);
		const acc = await call(sim, 'POST', {
			operation: 'create',
			sessionName: s,
			elementType: 'Accounts',
			element: JSON.stringify({ accountname: 'Lab Account 1', assigned_user_id: '19x1' }),
		});
		expect(acc.result).toMatchObject({ id: '11x2', account_no: 'ACC1', label: 'Lab Account 1', employees: '0', annual_revenue: '0.00000000', account_id: null, source: 'WEBSERVICE', modifiedby: '19x1' });
		const c = await call(sim, 'POST', contact(s, { firstname: 'Ada', lastname: 'Lovelace', account_id: '11x2', birthday: '10/12/1815' }));
		expect(c.result).toMatchObject({ id: '12x3', contact_no: 'CON1', label: 'Ada Lovelace', account_id: '11x2', birthday: '1815-12-10', donotcall: '0' });
		expect(c.result.createdtime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
		const describe = await call(sim, 'GET', { operation: 'describe', sessionName: s, elementType: 'Contacts' });
		const names = (describe.result.fields as Array<{ name: string }>).map((f) => f.name).filter((n) => n !== 'id');
		expect(Object.keys(c.result)).toEqual([...names, 'id', 'label']);
		const dup = await call(sim, 'POST', {
			operation: 'create',
			sessionName: s,
			elementType: 'Accounts',
			element: JSON.stringify({ accountname: 'lab account 1', assigned_user_id: '19x1' }),
		});
		expect(dup.error).toEqual({ code: 0, message: 'Duplicate(s) detected!' });
	});

	it('validates like Vtiger 8.3 (03_validation_errors)', async () => {
		const s = await login(sim);
		const err = async (p: Record<string, string>, method: 'GET' | 'POST' = 'POST') => (await call(sim, method, p)).error;
		expect(await err(contact(s, { firstname: 'x' }))).toEqual({ code: 'MANDATORY_FIELDS_MISSING', message: 'lastname does not have a value' });
		expect(await err({ ...contact(s, { lastname: 'x' }), element: '{"lastname":"x"}' })).toMatchObject({ message: 'assigned_user_id does not have a value' });
		expect(await err({ ...contact(s, {}), elementType: 'contacts' })).toMatchObject({ code: 'ACCESS_DENIED' });
		expect(await err({ ...contact(s, {}), element: '{not json' })).toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
		expect((await raw(sim, 'POST', { ...contact(s, {}), element: '' })).status).toBe(500);
		expect(await err(contact(s, { lastname: 'BadRef', account_id: '12x1' }))).toEqual({ code: 'REFERENCE_INVALID', message: 'Invalid reference specified for account_id' });
		expect(await err(contact(s, { lastname: 'BadRef2', account_id: '999' }))).toMatchObject({ message: 'Permission to perform the operation is denied for id' });
		expect(await err(contact(s, { lastname: 'via GET' }), 'GET')).toMatchObject({ code: 'ACCESS_DENIED' });
		const missing = await call(sim, 'POST', contact(s, { lastname: 'BadRef3', account_id: '11x999999', no_such_field: 'x', id: '12x1', donotcall: true }));
		expect(missing.result).toMatchObject({ account_id: null, donotcall: '1' });
		expect(missing.result.no_such_field).toBeUndefined();
		const plain = await raw(sim, 'POST', contact(s, { lastname: 'BadOwner2', assigned_user_id: '19x999' }));
		expect(plain).toMatchObject({ status: 200, text: 'Sorry! Attempt to access restricted file.' });
		const ids: Array<[string, string, string]> = [
			['12x', 'INVALID_ID_ATTRIBUTE', 'Id specified is incorrect'],
			['12xabc', 'INVALID_ID_ATTRIBUTE', 'Id specified is incorrect'],
			['x3', 'ACCESS_DENIED', 'Permission to perform the operation is denied for id'],
			['abc12x14', 'ACCESS_DENIED', 'Permission to perform the operation is denied for id'],
			['12', 'ACCESS_DENIED', 'Permission to perform the operation is denied'],
			['12x999999', 'ACCESS_DENIED', 'Permission to perform the operation is denied'],
		];
		for (const [id, code, message] of ids) {
			expect(await err({ operation: 'retrieve', sessionName: s, id }, 'GET')).toEqual({ code, message });
		}
		const group = await call(sim, 'GET', { operation: 'retrieve', sessionName: s, id: '20x3' });
		expect(group.result).toEqual({ groupid: '3', groupname: 'Marketing Group', description: 'Group Related to Marketing Activities', id: '20x3' });
		expect((await call(sim, 'GET', { operation: 'describe', sessionName: s, elementType: 'NoSuch' })).error?.message).toBe(
			'Permission to perform the operation is denied for name : NoSuch',
		);
	});

	it('encodes script but echoes the input on create', async () => {
		const s = await login(sim);
		const c = await call(sim, 'POST', contact(s, { lastname: '<script>alert(1)</script>', description: 'a & b < c', firstname: "O'Brien ü" }));
		expect(c.result.lastname).toBe('<script>alert(1)</script>');
		expect(c.result.label).toBe('O&#039;Brien &uuml; &lt;script&gt;alert(1)&lt;/script&gt;');
		const r = await call(sim, 'GET', { operation: 'retrieve', sessionName: s, id: c.result.id });
		expect(r.result).toMatchObject({ lastname: '&lt;script&gt;alert(1)&lt;/script&gt;', description: 'a & b < c', firstname: "O'Brien ü" });
	});

	it('update needs mandatory fields, revise does not, delete hides the record', async () => {
		const s = await login(sim);
		sim.clock.freeze(1795502620);
		const c = await call(sim, 'POST', contact(s, { lastname: 'Keep', title: 'Keep title' }));
		const id = c.result.id as string;
		sim.clock.advance(5);
		const partial = await call(sim, 'POST', { operation: 'update', sessionName: s, element: JSON.stringify({ id, title: 'x' }) });
		expect(partial.error?.code).toBe('MANDATORY_FIELDS_MISSING');
		const up = await call(sim, 'POST', { operation: 'update', sessionName: s, element: JSON.stringify({ id, lastname: 'Keep2', assigned_user_id: '19x1' }) });
		expect(up.result).toMatchObject({ lastname: 'Keep2', title: 'Keep title', modifiedtime: '2026-11-24 06:43:45', createdtime: '2026-11-24 06:43:40' });
		const rev = await call(sim, 'POST', { operation: 'revise', sessionName: s, element: JSON.stringify({ id, firstname: 'Rev', contact_no: 'HACK' }) });
		expect(rev.result).toMatchObject({ firstname: 'Rev', lastname: 'Keep2', contact_no: 'CON1' });
		const blank = await call(sim, 'POST', { operation: 'revise', sessionName: s, element: JSON.stringify({ id, lastname: '' }) });
		expect(blank.error?.message).toBe('lastname does not have a value');
		expect((await call(sim, 'POST', { operation: 'revise', sessionName: s, element: '{"lastname":"x"}' })).error?.code).toBe('INVALID_ID_ATTRIBUTE');
		expect((await call(sim, 'POST', { operation: 'delete', sessionName: s, id })).result).toEqual({ status: 'successful' });
		for (const p of <Array<Record<string, string>>>[
			{ operation: 'delete', sessionName: s, id },
			{ operation: 'revise', sessionName: s, element: JSON.stringify({ id, title: 'x' }) },
		]) {
			expect((await call(sim, 'POST', p)).error?.code).toBe('ACCESS_DENIED');
		}
		expect(sim.store.get(id)).toMatchObject({ lastname: 'Keep2' });
	});
});

describe('sync', () => {
	it('pages by the first 100 changes, whole seconds at a time, own records only', async () => {
		sim.clock.freeze(1795500000);
		for (let i = 0; i < 70; i++) sim.store.insert('Contacts', { lastname: `A${i}` }, { modifiedtime: 1795500001 });
		for (let i = 0; i < 60; i++) sim.store.insert('Contacts', { lastname: `B${i}` }, { modifiedtime: 1795500002 });
		for (let i = 0; i < 10; i++) sim.store.insert('Contacts', { lastname: `C${i}` }, { modifiedtime: 1795500003 });
		sim.store.insert('Contacts', { lastname: 'labuser owns' }, { ownerId: '19x5', modifiedtime: 1795500002 });
		sim.store.insert('Contacts', { lastname: 'group owns' }, { ownerId: '20x3', modifiedtime: 1795500002 });
		const first = sim.store.all('Contacts')[0].id as string;
		sim.store.remove(first, 1795500003);
		const s = await login(sim);
		const sync = async (t: number | string, extra: Record<string, string> = { elementType: 'Contacts' }) =>
			call(sim, 'GET', { operation: 'sync', sessionName: s, modifiedTime: String(t), ...extra });
		const p1 = (await sync(1)).result;
		expect(p1.updated).toHaveLength(129); // 69 + 60: the 100th change is in the second second
		expect(p1).toMatchObject({ deleted: [], more: true, lastModifiedTime: 1795500002 });
		expect(p1.updated.every((r: Record<string, string>) => r.assigned_user_id === '19x1' && !('label' in r))).toBe(true);
		expect(p1.updated[0].birthday).toBeNull();
		const p2 = (await sync(p1.lastModifiedTime)).result;
		expect(p2).toMatchObject({ deleted: [first], more: false, lastModifiedTime: 1795500003 });
		expect(p2.updated).toHaveLength(10);
		expect((await sync(p2.lastModifiedTime)).result).toEqual({ updated: [], deleted: [], more: false, lastModifiedTime: 1795500003 });
		const u = await login(sim, 'user');
		const mine = await call(sim, 'GET', { operation: 'sync', sessionName: u, modifiedTime: '1', elementType: 'Contacts' });
		expect(mine.result.updated.map((r: Record<string, string>) => r.lastname)).toEqual(['labuser owns']);
		for (const bad of [await raw(sim, 'GET', { operation: 'sync', sessionName: s, modifiedTime: '0', elementType: 'Contacts' }),
			await raw(sim, 'GET', { operation: 'sync', sessionName: s, modifiedTime: '2026-01-01 00:00:00', elementType: 'Contacts' }),
			await raw(sim, 'GET', { operation: 'sync', sessionName: s, modifiedTime: '1' })]) {
			expect(bad).toMatchObject({ status: 500, text: '' });
		}
		expect((await sync(1, { elementType: 'Groups' })).error?.code).toBe('ACCESS_DENIED');
		sim.setProfile('stock-8.3-php8');
		expect((await raw(sim, 'GET', { operation: 'sync', sessionName: s, modifiedTime: '1', elementType: 'Contacts' })).status).toBe(500);
	});

	it('syncs 10,000 directly inserted records, each once', async () => {
		sim.clock.freeze(1795500000);
		for (let i = 0; i < 10000; i++) sim.store.insert('Contacts', { lastname: `Bulk${i}` }, { modifiedtime: 1795500000 + Math.floor(i / 50) });
		const s = await login(sim);
		let t = 1;
		let seen = 0;
		for (let more = true; more; ) {
			const r = (await call(sim, 'GET', { operation: 'sync', sessionName: s, modifiedTime: String(t), elementType: 'Contacts' })).result;
			seen += r.updated.length;
			t = r.lastModifiedTime;
			more = r.more;
		}
		expect(seen).toBe(10000);
	});
});

describe('other operations', () => {
	it('relations, inventory, documents and convertlead', async () => {
		const s = await login(sim);
		await call(sim, 'POST', { operation: 'create', sessionName: s, elementType: 'Accounts', element: JSON.stringify({ accountname: 'Acc', assigned_user_id: '19x1' }) });
		const one = await call(sim, 'POST', contact(s, { lastname: 'Related One', account_id: '11x2' }));
		const two = await call(sim, 'POST', contact(s, { lastname: 'Related Two' }));
		const rt = await call(sim, 'GET', { operation: 'relatedtypes', sessionName: s, elementType: 'Accounts' });
		expect(rt.result.information.Activities).toEqual({ name: 'Calendar', label: 'Activities', isEntity: '1' });
		const rel = { operation: 'retrieve_related', sessionName: s, id: '11x2', relatedType: 'Contacts', relatedLabel: 'Contacts' };
		expect((await call(sim, 'GET', rel)).result.map((r: Record<string, string>) => r.id)).toEqual([one.result.id]);
		expect((await call(sim, 'GET', { ...rel, relatedLabel: 'Wrong' })).error).toEqual({ code: 'UNKOWN_ENTITY', message: 'Relation specified is incorrect' });
		const add = await call(sim, 'POST', { operation: 'add_related', sessionName: s, sourceRecordId: '11x2', relatedRecordId: two.result.id, relationIdLabel: 'Contacts' });
		expect(add.result).toEqual({ message: 'successfull' });
		// a relation backed by account_id lists only what the field links (07_other_ops_stock #14)
		expect((await call(sim, 'GET', rel)).result).toHaveLength(1);
		const prod = await call(sim, 'POST', { operation: 'create', sessionName: s, elementType: 'Products', element: JSON.stringify({ productname: 'Widget', unit_price: '10.00', assigned_user_id: '19x1' }) });
		expect(prod.result.unit_price).toBe('10.00000000');
		await call(sim, 'POST', { operation: 'add_related', sessionName: s, sourceRecordId: two.result.id, relatedRecordId: prod.result.id, relationIdLabel: 'Products' });
		const viaAdd = await call(sim, 'GET', { operation: 'retrieve_related', sessionName: s, id: two.result.id, relatedType: 'Products', relatedLabel: 'Products' });
		expect(viaAdd.result.map((r: Record<string, string>) => r.id)).toEqual([prod.result.id]);
		expect((await call(sim, 'POST', { operation: 'add_related', sessionName: s, sourceRecordId: '11x999999', relatedRecordId: two.result.id, relationIdLabel: 'Contacts' })).error?.code).toBe('INTERNAL_SERVER_ERROR');
		const invEl = { subject: 'Inv', account_id: '11x2', assigned_user_id: '19x1', bill_street: 'a', ship_street: 'b', invoicestatus: 'Created' };
		expect((await call(sim, 'POST', { operation: 'create', sessionName: s, elementType: 'Invoice', element: JSON.stringify({ ...invEl, productid: prod.result.id }) })).error).toEqual({ code: 'MANDATORY_FIELDS_MISSING', message: 'Mandatory Fields Missing..' });
		const withLines = { operation: 'create', sessionName: s, elementType: 'Invoice', element: JSON.stringify({ ...invEl, LineItems: [{ productid: prod.result.id, quantity: 3 }] }) };
		// 8.3.0's regression on both lab servers (07_other_ops_* #17); the SalesPlatform profile creates it
		expect((await call(sim, 'POST', withLines)).error?.code).toBe('INVALID_ID_ATTRIBUTE');
		sim.setProfile('salesplatform');
		const inv = await call(sim, 'POST', withLines);
		expect(inv.result).toMatchObject({ hdnSubTotal: '30.00000000', hdnGrandTotal: '30.00000000', invoice_no: 'INV1' });
		const ri = await call(sim, 'GET', { operation: 'retrieve_inventory', sessionName: s, id: inv.result.id });
		expect(ri.result.LineItems[0]).toMatchObject({ productid: prod.result.id, quantity: '3.000', listprice: '10.00000000', product_name: 'Widget' });
		const revised = await call(sim, 'POST', { operation: 'revise', sessionName: s, element: JSON.stringify({ id: inv.result.id, LineItems: [{ productid: prod.result.id, quantity: 1, listprice: '7.5' }] }) });
		expect(revised.result).toMatchObject({ hdnSubTotal: '7.50000000', quantity: '1.000', productid: prod.result.id });
		sim.setProfile('stock-8.3-php8');
		expect((await raw(sim, 'GET', { operation: 'retrieve_inventory', sessionName: s, id: inv.result.id })).status).toBe(500);
		sim.setProfile('positional');
		const form = new FormData();
		form.set('operation', 'create');
		form.set('sessionName', s);
		form.set('elementType', 'Documents');
		form.set('element', JSON.stringify({ notes_title: 'Doc', assigned_user_id: '19x1', filelocationtype: 'I', filestatus: '1', folderid: '22x1' }));
		form.set('filename', new Blob(['hello vtiger lab\n'], { type: 'text/plain' }), 'hello.txt');
		const doc = (await (await fetch(sim.url, { method: 'POST', body: form })).json()) as Envelope;
		expect(doc.result).toMatchObject({ filename: 'hello.txt', filesize: '17', imageattachmentids: expect.stringMatching(/^15x\d+$/) });
		const file = await call(sim, 'GET', { operation: 'files_retrieve', sessionName: s, id: doc.result.imageattachmentids });
		expect(Buffer.from(file.result[0].filecontents, 'base64').toString()).toBe('hello vtiger lab\n');
		expect((await call(sim, 'GET', { operation: 'files_retrieve', sessionName: s, id: doc.result.id })).error?.code).toBe('RECORD_NOT_FOUND');
		const lead = await call(sim, 'POST', { operation: 'create', sessionName: s, elementType: 'Leads', element: JSON.stringify({ lastname: 'Lead', company: 'Lead Co', assigned_user_id: '19x1' }) });
		const conv = { operation: 'convertlead', sessionName: s, element: JSON.stringify({ leadId: lead.result.id, assignedTo: '19x1', entities: { Accounts: { create: true, name: 'Accounts', accountname: 'Lead Co (converted)' }, Contacts: { create: true, name: 'Contacts', lastname: 'Lead' } } }) };
		const c1 = await call(sim, 'POST', conv);
		expect(Object.keys(c1.result)).toEqual(['Accounts', 'Contacts']);
		expect((await call(sim, 'POST', conv)).error).toEqual({ code: 'LEAD_ALREADY_CONVERTED', message: 'Lead is already converted' });
	});

	it('changePassword and deleteUser are restricted files on 8.3.0 and work on SalesPlatform', async () => {
		const s = await login(sim);
		const restricted = await raw(sim, 'POST', { operation: 'changePassword', sessionName: s, id: '19x1', oldPassword: 'a', newPassword: 'b', confirmPassword: 'b' });
		expect(restricted).toMatchObject({ status: 200, text: 'Sorry! Attempt to access restricted file.' });
		sim.setProfile('salesplatform');
		const u = await login(sim, 'user');
		const cp = { operation: 'changePassword', id: '19x5', oldPassword: 'wrong', newPassword: 'N3w!pass', confirmPassword: 'N3w!pass' };
		expect((await call(sim, 'POST', { ...cp, sessionName: u })).error?.code).toBe('INVALID_OLD_PASSWORD');
		expect((await call(sim, 'POST', { ...cp, sessionName: s })).result).toEqual({ message: 'Changed password successfully' });
		sim.store.insert('Contacts', { lastname: 'owned' }, { ownerId: '19x5' });
		sim.setProfile('stock-8.3-php8');
		expect((await raw(sim, 'POST', { ...cp, sessionName: s })).text).toBe('Sorry! Attempt to access restricted file.');
		sim.setProfile('salesplatform');
		expect((await call(sim, 'POST', { operation: 'deleteUser', sessionName: u, id: '19x5', newOwnerId: '19x1' })).error?.code).toBe('ACCESS_DENIED');
		expect((await call(sim, 'POST', { operation: 'deleteUser', sessionName: s, id: '19x5', newOwnerId: '19x1' })).result).toEqual({ status: 'successful' });
		expect(sim.store.all('Contacts')[0].assigned_user_id).toBe('19x1');
		expect((await call(sim, 'GET', { operation: 'listtypes', sessionName: u })).error?.code).toBe('INVALID_SESSIONID');
	});
});

describe('transport, profiles, faults and the log', () => {
	it('reads parameters per registered method, like webservice.php', async () => {
		const s = await login(sim);
		expect((await call(sim, 'GET', { operation: 'LISTTYPES', sessionName: s })).success).toBe(true);
		expect((await raw(sim, 'GET', { operation: 'nosuchop', sessionName: s })).status).toBe(500);
		expect((await raw(sim, 'GET', { operation: 'listtypes', sessionName: s, format: 'xml' })).status).toBe(500);
		const q = await call(sim, 'POST', { operation: 'query', sessionName: s, query: 'select * from Contacts;' });
		expect(q.error).toEqual({ code: 'ACCESS_DENIED', message: 'Permission to perform the operation is denied for query' });
		const viaQs = await raw(sim, 'POST', contact(s, { lastname: 'qs' }), { sessionName: s });
		expect(JSON.parse(viaQs.text).success).toBe(true);
		const jsonBody = await fetch(sim.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(contact(s, { lastname: 'j' })) });
		expect(jsonBody.status).toBe(500);
		const ft = await call(sim, 'GET', { operation: 'listtypes', sessionName: s, fieldTypeList: '["email"]' });
		expect(ft.result.types).toEqual(['Vendors', 'Leads', 'Accounts', 'Contacts']);
	});

	it('stock profile crashes where stock 8.3.0 on PHP 8 crashes', async () => {
		await sim.stop();
		sim = await startSimulator({ profile: 'stock-8.3-php8' });
		const s = await login(sim);
		for (const op of ['logout', 'convertlead']) {
			expect(await raw(sim, 'POST', { operation: op, sessionName: s, element: '{}' })).toMatchObject({ status: 500, text: '' });
		}
		expect((await call(sim, 'GET', { operation: 'sync', modifiedTime: '1', elementType: 'Contacts' })).error?.code).toBe('AUTHENTICATION_REQUIRED');
		expect((await call(sim, 'GET', { operation: 'listtypes', sessionName: s })).success).toBe(true); // logout failed
		const u = await login(sim, 'user');
		const lt = await call(sim, 'GET', { operation: 'listtypes', sessionName: u });
		expect(lt.result.types).not.toContain('Contacts');
	});

	it('injects faults and logs every request', async () => {
		const s = await login(sim);
		sim.clearLog();
		const lt = { operation: 'listtypes', sessionName: s };
		sim.faults.failNext(1, 'http500');
		expect(await raw(sim, 'GET', lt)).toMatchObject({ status: 500, text: '' });
		sim.faults.failNext(1, 'empty');
		expect(await raw(sim, 'GET', lt)).toMatchObject({ status: 200, text: '' });
		sim.faults.failNext(1, 'truncated');
		const tr = await raw(sim, 'GET', lt);
		expect(() => JSON.parse(tr.text)).toThrow();
		sim.faults.failNext(1, 'phpWarning');
		const w = await raw(sim, 'GET', lt);
		expect(w.text.startsWith('<br />')).toBe(true);
		expect(JSON.parse(w.text.slice(w.text.indexOf('{'))).success).toBe(true);
		sim.faults.failNext(1, 'plainText');
		expect((await raw(sim, 'GET', lt)).text).toBe('Sorry! Attempt to access restricted file.');
		sim.faults.failNext(1, 'hang', 'describe');
		const ctl = new AbortController();
		const timer = setTimeout(() => ctl.abort(), 300);
		await expect(fetch(`${sim.url}?${new URLSearchParams({ operation: 'describe', sessionName: s, elementType: 'Contacts' })}`, { signal: ctl.signal })).rejects.toThrow();
		clearTimeout(timer);
		expect((await raw(sim, 'GET', lt)).status).toBe(200);
		expect(sim.count('listtypes')).toBe(6);
		expect(sim.count('describe')).toBe(1);
		expect(sim.log[0]).toMatchObject({ operation: 'listtypes', method: 'GET', sessionName: s, status: 500, userName: 'admin', fault: 'http500' });
		expect(sim.log[5]).toMatchObject({ operation: 'describe', status: 0, fault: 'hang' });
		expect(sim.log[6]).toMatchObject({ status: 200, userName: 'admin', params: lt });
		sim.faults.latencyMs = 100;
		sim.resetMaxInFlight();
		const t0 = Date.now();
		await Promise.all([raw(sim, 'GET', lt), raw(sim, 'GET', lt), raw(sim, 'GET', lt)]);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
		expect(sim.maxInFlight).toBeGreaterThanOrEqual(3);
	});

	it('runs from the command line', async () => {
		const root = join(__dirname, '../..');
		const child = spawn(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'test/support/simulator/cli.ts'), '--port', '0', '--profile', 'stock-8.3-php8'], { cwd: root });
		try {
			const line = await new Promise<string>((resolve, reject) => {
				let out = '';
				child.stdout.on('data', (d: Buffer) => {
					out += d.toString();
					if (out.includes('\n')) resolve(out.split('\n')[0]);
				});
				child.on('exit', (code) => reject(new Error(`exited ${code}`)));
			});
			const info = JSON.parse(line) as { url: string; username: string; accessKey: string };
			expect(info).toMatchObject({ username: 'admin', accessKey: sim.admin.accessKey, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/webservice\.php$/) });
			const res = await fetch(`${info.url}?operation=getchallenge&username=admin`);
			expect(((await res.json()) as Envelope).success).toBe(true);
		} finally {
			child.kill('SIGTERM');
		}
	});
});
