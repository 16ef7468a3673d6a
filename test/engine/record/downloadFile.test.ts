import { randomBytes } from 'node:crypto';

import { createHarness } from '../../support/harness';
import type { Harness } from '../../support/harness';
import { startSimulator } from '../../support/simulator';
import type { Profile, Simulator } from '../../support/simulator';

const rl = (value: string, mode = 'id') => ({ __rl: true, mode, value });

describe.each<Profile>(['positional', 'stock-8.3-php8'])('Record › Download File (%s)', (profile) => {
	let sim: Simulator;
	let h: Harness;
	let documentId: string;
	let attachmentId: string;
	const content = Buffer.concat([Buffer.from([0, 255, 13, 10, 26]), randomBytes(70_000)]);

	/** A Document with a file, uploaded the way the recordings do (multipart create, 07_other_ops_*.jsonl). */
	async function upload(): Promise<void> {
		await h.runNode({ type: 'vtiger', parameters: { resource: 'module', operation: 'getAll' } });
		const form = new FormData();
		form.set('operation', 'create');
		form.set('sessionName', h.store.sessionName);
		form.set('elementType', 'Documents');
		form.set(
			'element',
			JSON.stringify({ notes_title: 'Lab doc', assigned_user_id: '19x1', filelocationtype: 'I', filestatus: '1', folderid: '22x1', filename: 'report.bin' }),
		);
		form.set('filename', new Blob([content], { type: 'application/octet-stream' }), 'report.bin');
		const answer = (await (await fetch(sim.url, { method: 'POST', body: form })).json()) as {
			result: { id: string; imageattachmentids: string };
		};
		documentId = answer.result.id;
		attachmentId = answer.result.imageattachmentids;
	}

	beforeAll(async () => {
		sim = await startSimulator({ profile });
		h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
		await upload();
	});
	afterAll(async () => await sim.stop());
	beforeEach(() => sim.clearLog());

	const logOf = (operation: string) => sim.log.filter((e) => e.operation === operation);

	if (profile === 'positional') {
		test('the file arrives intact as binary data, with its name and type', async () => {
			const r = await h.runNode({
				type: 'vtiger',
				parameters: { resource: 'record', operation: 'downloadFile', documentId: rl(documentId.split('x')[1]), binaryPropertyName: 'file' },
			});
			expect(r.error).toBeUndefined();
			expect(r.items).toHaveLength(1);
			const [item] = r.items;
			expect(item.json).toEqual({
				documentId,
				fileid: attachmentId.split('x')[1],
				filename: 'report.binfile.txt',
				filetype: 'application/octet-stream',
				filesize: content.length,
			});
			const binary = item.binary?.file;
			expect(binary).toMatchObject({ fileName: 'report.binfile.txt', mimeType: 'application/octet-stream' });
			expect(Buffer.from(String(binary?.data), 'base64').equals(content)).toBe(true);
			// the attachment's id, not the document's (07_other_ops_patched_8081.jsonl: RECORD_NOT_FOUND)
			expect(logOf('retrieve')[0].params.id).toBe(documentId);
			expect(logOf('files_retrieve')[0]).toMatchObject({ method: 'GET', params: expect.objectContaining({ id: attachmentId }) });
		});

		test('a document without a stored file fails before files_retrieve', async () => {
			const bare = sim.store.insert('Documents', { notes_title: 'Link only', filelocationtype: 'E', filename: 'https://example.com/x.pdf' });
			const r = await h.runNode({
				type: 'vtiger',
				parameters: { resource: 'record', operation: 'downloadFile', documentId: rl(String(bare.id)) },
				continueOnFail: true,
			});
			expect(String(r.items[0].json.error)).toMatch(/^Document: document 15x\d+ links to an external file \(https:\/\/example\.com\/x\.pdf\)/);
			expect(logOf('files_retrieve')).toHaveLength(0);
		});
	} else {
		test('stock 8.3.0 on PHP 8 crashes on files_retrieve: the error names it and the known bug', async () => {
			const r = await h.runNode({ type: 'vtiger', parameters: { resource: 'record', operation: 'downloadFile', documentId: rl(documentId) } });
			expect(r.error?.message).toBe('Vtiger "files_retrieve" failed: Vtiger crashed (HTTP 500, empty body) running "files_retrieve"');
			expect(r.error?.description).toMatch(/known bug of stock Vtiger 8\.3\.0 on PHP 8/);
		});
	}

	test('an ID of another module is refused before any request', async () => {
		const r = await h.runNode({ type: 'vtiger', parameters: { resource: 'record', operation: 'downloadFile', documentId: rl('12x4') } });
		expect(r.error?.message).toBe('Document: "12x4" is not a Document ID: Document IDs start with 15x');
		expect(logOf('retrieve')).toHaveLength(0);
	});

	test('the document picker finds documents by title', async () => {
		const found = await h.listSearch('searchDocuments', 'Lab', undefined, { resource: 'record', operation: 'downloadFile' });
		expect(found.results.map((entry) => entry.value)).toContain(documentId);
	});
});
