/**
 * Download File on a real Vtiger: a Document of this run with an uploaded file comes back as binary data,
 * byte for byte. Stock 8.3.0 on PHP 8 crashes on files_retrieve (HTTP 500): the error says so.
 */
import { describeLive, liveCapabilities, liveClient, liveHarness, LiveRecords, liveTag, liveTarget } from './env';
import type { LiveClient } from './env';
import { rl, runVtiger, shown } from './helpers';

describeLive('live: documents', () => {
	const records = new LiveRecords(['Documents']);
	let raw: LiveClient;

	beforeAll(async () => {
		raw = await liveClient();
	});
	afterAll(async () => {
		expect(await records.cleanup(raw)).toEqual([]);
	});

	/** create with the file as multipart, as Vtiger's own clients upload (the node has no upload operation) */
	async function documentWithFile(title: string, content: Buffer, fileName: string, type: string): Promise<string> {
		const form = new FormData();
		form.set('operation', 'create');
		form.set('sessionName', raw.sessionName);
		form.set('elementType', 'Documents');
		form.set('element', JSON.stringify({ notes_title: title, filelocationtype: 'I', filestatus: '1', filename: fileName, assigned_user_id: raw.userId }));
		form.set('filename', new Blob([content], { type }), fileName);
		const response = await fetch(liveTarget()!.url.replace(/\/?(webservice\.php)?$/, '/webservice.php'), { method: 'POST', body: form });
		const body = (await response.json()) as { success: boolean; result: { id: string } };
		expect(body.success).toBe(true);
		return records.track(body.result.id);
	}

	it('downloads a document\'s file intact, with its name and type', async () => {
		const caps = await liveCapabilities();
		const content = Buffer.from(`live file ${liveTag('file')}\n\u00e9\u00e8 \u20ac bytes: \x00\x01\x02`, 'utf8');
		const id = await documentWithFile(liveTag('doc'), content, 'live-report.txt', 'text/plain');
		const h = liveHarness();
		const r = await runVtiger(h, { resource: 'record', operation: 'downloadFile', documentId: rl(id), binaryPropertyName: 'file' }, undefined, true);
		if (!caps.filesRetrieve) {
			expect(r.errors).toEqual([expect.stringMatching(/^Vtiger "files_retrieve" failed: Vtiger crashed \(HTTP 500, empty body\)/)]);
			return;
		}
		expect(shown(r)).toBe('');
		const binary = r.items[0].binary?.file;
		expect(binary).toMatchObject({ fileName: 'live-report.txt', mimeType: 'text/plain' });
		expect(Buffer.from(String(binary?.data), 'base64').equals(content)).toBe(true);
	});

	it('a document without a file is refused with a clear message', async () => {
		const id = records.track(
			(await raw.call<{ id: string }>('create', { elementType: 'Documents', element: { notes_title: liveTag('nofile'), assigned_user_id: raw.userId } })).id,
		);
		const r = await runVtiger(liveHarness(), { resource: 'record', operation: 'downloadFile', documentId: rl(id) });
		expect(r.error?.message).toMatch(/file/i);
	});
});
