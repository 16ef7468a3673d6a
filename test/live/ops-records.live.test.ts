/**
 * Record › Create or Update and Record › Upload File on a real Vtiger: create then update, items sharing an email
 * in one run, several matches; bytes round trip (Download File where the server can run files_retrieve), the image
 * check that drops a fake PNG, add_related at upload. Every record carries this run's tag and is deleted.
 */
import { randomBytes } from 'node:crypto';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Harness } from '../support/harness';
import { FAKE_PNG, PNG } from '../support/images';
import { describeLive, liveClient, liveHarness, LiveRecords, liveTag } from './env';
import type { LiveClient } from './env';
import { rl, runVtiger, shown } from './helpers';

const columns = (value: IDataObject, matchingColumns: string[], mappingMode = 'defineBelow') => ({
	mappingMode,
	value,
	matchingColumns,
});

function fileItem(content: Buffer, fileName: string, mimeType: string, json: IDataObject = {}): INodeExecutionData {
	return { json, binary: { data: { data: content.toString('base64'), mimeType, fileName } } };
}

describeLive('live: ops (Create or Update, Upload File)', () => {
	const records = new LiveRecords(['Contacts', 'Documents', 'Accounts']);
	let h: Harness;
	let raw: LiveClient;

	beforeAll(async () => {
		h = liveHarness();
		raw = await liveClient();
	});
	afterAll(async () => {
		expect(await records.cleanup(raw)).toEqual([]);
	});

	const upsert = (parameters: IDataObject, items?: IDataObject[], continueOnFail = false) =>
		runVtiger(h, { resource: 'record', operation: 'upsert', module: 'Contacts', ...parameters }, items, continueOnFail);

	const byEmail = async (email: string) =>
		await raw.call<Array<Record<string, string>>>('query', { query: `SELECT id, title FROM Contacts WHERE email = '${email}';` });

	it('creates when no record matches, then updates the same record', async () => {
		const lastname = liveTag('upsert');
		const email = `${liveTag('upsert')}@example.com`;
		const first = await upsert({ columns: columns({ email, lastname, title: 'Buyer', assigned_user_id: raw.userId }, ['email']) });
		expect(shown(first)).toBe('');
		const id = records.track(String(first.items[0].json.id));
		expect(first.items[0].json).toMatchObject({ _operation: 'created', email, lastname, title: 'Buyer' });

		const second = await upsert({ columns: columns({ email, title: 'Chief Buyer' }, ['email']) });
		expect(shown(second)).toBe('');
		expect(second.items[0].json).toMatchObject({ _operation: 'updated', id, title: 'Chief Buyer', lastname });
		expect(await byEmail(email)).toEqual([{ id, title: 'Chief Buyer' }]);
	});

	it('items of one run that share an email create one record each email', async () => {
		const lastname = liveTag('upsert-many');
		const emails = [0, 1, 2].map((k) => `${liveTag(`m${k}`)}@example.com`);
		const items = Array.from({ length: 9 }, (_, i) => ({ email: emails[i % 3], lastname, title: `T${i}`, assigned_user_id: raw.userId }));
		const r = await upsert({ columns: columns({}, ['email'], 'autoMapInputData') }, items);
		expect(shown(r)).toBe('');
		r.items.forEach((item) => records.track(String(item.json.id)));
		expect(r.items.map((item) => item.json._operation).filter((op) => op === 'created')).toHaveLength(3);
		for (const [k, email] of emails.entries()) {
			expect(await byEmail(email)).toEqual([expect.objectContaining({ title: `T${6 + k}` })]);
		}
	});

	it('matches on a reference and a date, on the read-only Contact No, and on the ID', async () => {
		const account = await raw.call<{ id: string }>('create', {
			elementType: 'Accounts',
			element: { accountname: liveTag('upsert-org'), assigned_user_id: raw.userId },
		});
		records.track(account.id);
		const lastname = liveTag('upsert-ref');
		const created = await raw.call<{ id: string; contact_no: string }>('create', {
			elementType: 'Contacts',
			element: { lastname, account_id: account.id, birthday: '1990-02-03', assigned_user_id: raw.userId },
		});
		records.track(created.id);
		const byRef = await upsert({ columns: columns({ account_id: account.id, birthday: '1990-02-03', title: 'By reference' }, ['account_id', 'birthday']) });
		expect(shown(byRef)).toBe('');
		expect(byRef.items[0].json).toMatchObject({ _operation: 'updated', id: created.id, title: 'By reference' });
		const byNumber = await upsert({ columns: columns({ contact_no: created.contact_no, title: 'By number' }, ['contact_no']) });
		expect(byNumber.items[0].json).toMatchObject({ _operation: 'updated', id: created.id, title: 'By number' });
		const byId = await upsert({ columns: columns({ id: created.id, title: 'By ID' }, ['id']) });
		expect(byId.items[0].json).toMatchObject({ _operation: 'updated', id: created.id, title: 'By ID' });
	});

	it('several matches fail naming the ids and change nothing', async () => {
		const email = `${liveTag('twin')}@example.com`;
		const ids: string[] = [];
		for (const suffix of ['twin-a', 'twin-b']) {
			const created = await raw.call<{ id: string }>('create', {
				elementType: 'Contacts',
				element: { lastname: liveTag(suffix), email, assigned_user_id: raw.userId },
			});
			ids.push(records.track(created.id));
		}
		const r = await upsert({ columns: columns({ email, title: 'Nope' }, ['email']) }, undefined, true);
		expect(r.errors[0]).toContain(`2 Contacts records have email = "${email}"`);
		for (const id of ids) expect(r.errors[0]).toContain(id);
		expect((await byEmail(email)).map((row) => row.title)).toEqual(['', '']);
	});

	async function upload(item: INodeExecutionData, parameters: IDataObject, continueOnFail = false) {
		return await h.runNode({
			type: 'vtiger',
			parameters: { resource: 'record', operation: 'uploadFile', ...parameters } as INodeParameters,
			items: [item],
			continueOnFail,
		});
	}

	/** The same bytes back through Download File; stock 8.3.0 on PHP 8 crashes in files_retrieve (HTTP 500). */
	async function expectRoundTrip(id: string, content: Buffer, fileName: string): Promise<void> {
		const stored = await raw.call<Record<string, string>>('retrieve', { id });
		expect(stored).toMatchObject({ filename: fileName, filesize: String(content.length), filelocationtype: 'I' });
		expect(stored.imageattachmentids).toMatch(/^15x\d+$/);
		const back = await h.runNode({
			type: 'vtiger',
			parameters: { resource: 'record', operation: 'downloadFile', documentId: rl(id) },
			continueOnFail: true,
		});
		if (back.errors.length) {
			expect(back.errors[0]).toMatch(/^Vtiger "files_retrieve" failed: Vtiger crashed \(HTTP 500, empty body\)/);
			return;
		}
		expect(back.items[0].binary?.data.fileName).toBe(fileName);
		expect(Buffer.from(String(back.items[0].binary?.data.data), 'base64').equals(content)).toBe(true);
	}

	it('random bytes and a real PNG: upload then download gives the same bytes', async () => {
		const content = Buffer.concat([Buffer.from([0, 255, 13, 10, 45, 45]), randomBytes(40_000)]);
		const r = await upload(fileItem(content, 'report.dat', 'application/octet-stream'), { documentTitle: liveTag('random'), folderId: '22x1' });
		expect(shown(r)).toBe('');
		const id = records.track(String(r.items[0].json.id));
		expect(r.items[0].json).toMatchObject({ notes_title: liveTag('random'), filename: 'report.dat', folderid: '22x1' });
		await expectRoundTrip(id, content, 'report.dat');

		const png = await upload(fileItem(PNG, 'pixel.png', 'image/png'), { documentTitle: liveTag('png') });
		expect(shown(png)).toBe('');
		await expectRoundTrip(records.track(String(png.items[0].json.id)), PNG, 'pixel.png');
	});

	it('a fake PNG that Vtiger keeps without its file fails clearly and leaves no Document', async () => {
		const title = liveTag('fake');
		const r = await upload(fileItem(FAKE_PNG, 'photo.png', 'image/png'), { documentTitle: title }, true);
		expect(r.errors[0]).toMatch(/^Vtiger stored the Document without its file: its image check refused "photo\.png" \(image\/png\)\. The Document 15x\d+ it created was deleted again\.$/);
		const left = await raw.call<unknown[]>('query', { query: `SELECT id FROM Documents WHERE notes_title = '${title}';` });
		expect(left).toEqual([]);
	});

	it('a fake JPEG crashes Vtiger after it saved the Document: the error names the Document left', async () => {
		const title = liveTag('fake-jpeg');
		const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(200)]);
		const r = await upload(fileItem(jpeg, 'x.jpg', 'image/jpeg'), { documentTitle: title });
		const left = await raw.call<Array<{ id: string }>>('query', { query: `SELECT id FROM Documents WHERE notes_title = '${title}';` });
		left.forEach((row) => records.track(row.id));
		expect(left).toHaveLength(1);
		expect(r.error?.message).toMatch(/^Vtiger "create" failed: Vtiger crashed \(HTTP 500, empty body\)/);
		expect(r.error?.description).toContain(`look at ${left[0].id} (Documents titled "${title}")`);
	});

	it('linked at upload to a Contact and an Organization through add_related', async () => {
		const contact = await raw.call<{ id: string }>('create', {
			elementType: 'Contacts',
			element: { lastname: liveTag('filer'), assigned_user_id: raw.userId },
		});
		const account = await raw.call<{ id: string }>('create', {
			elementType: 'Accounts',
			element: { accountname: liveTag('filer-inc'), assigned_user_id: raw.userId },
		});
		records.track(contact.id);
		records.track(account.id);
		const r = await upload(fileItem(randomBytes(64), 'contract.pdf', 'application/pdf', { ids: [contact.id, account.id] }), {
			documentTitle: liveTag('linked'),
			relatedRecordIds: '={{ $json.ids }}',
		});
		expect(shown(r)).toBe('');
		const id = records.track(String(r.items[0].json.id));
		for (const source of [contact.id, account.id]) {
			const related = await raw.call<Array<{ id: string }>>('query_related', {
				query: 'SELECT id FROM Documents',
				id: source,
				relatedLabel: 'Documents',
			});
			expect(related.map((row) => row.id)).toContain(id);
		}
	});
});
