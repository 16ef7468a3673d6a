/**
 * Issue 11, defect 5 and issue 15 item 7 against a real Vtiger: the lab registers the extension operation
 * `gettranslation` as GET (its README), and Vtiger reads a GET operation's parameters from the query string only.
 * With the default Send Parameters the call works without knowing that; parameters Vtiger ignored never come back
 * as a silent empty success.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Harness } from '../support/harness';
import { describeLive, liveHarness } from './env';

const ARGS = {
	parameter: [
		{ name: 'totranslate', value: '["SINGLE_Contacts", "Contacts"]', json: true },
		{ name: 'language', value: 'ru_ru' },
		{ name: 'module', value: 'Contacts' },
	],
};

describeLive('live: Custom Operation whatever the registered type (issue 11, defect 5)', () => {
	let h: Harness;
	const call = async (parameters: IDataObject) =>
		await h.runNode({ type: 'vtiger', parameters: { resource: 'customOperation', operation: 'call', operationName: 'gettranslation', ...parameters } as never });

	beforeAll(() => {
		h = liveHarness();
	});

	test('the default sends the parameters where Vtiger reads them: the translation comes back', async () => {
		const r = await call({ parameters: ARGS });
		expect(r.error?.message).toBeUndefined();
		expect(r.items.map((item) => item.json)).toEqual([{ SINGLE_Contacts: 'Контакт', Contacts: 'Контакты' }]);
	});

	test('GET (the registered type) works too', async () => {
		const r = await call({ httpMethod: 'GET', parameters: ARGS });
		expect(r.items.map((item) => item.json)).toEqual([{ SINGLE_Contacts: 'Контакт', Contacts: 'Контакты' }]);
	});

	test('POST only: Vtiger ignores the body and answers []; the node says so in one item instead of an empty success', async () => {
		const r = await call({ httpMethod: 'POST', parameters: ARGS });
		expect(r.error?.message).toBeUndefined();
		expect(r.items).toHaveLength(1);
		expect(r.items[0].json.result).toEqual([]);
		expect(String(r.items[0].json.notice)).toMatch(/If the operation is registered as GET, Vtiger ignored them: set Send Parameters to Auto/);
	});

	test('an empty answer (no parameters) is one item saying so', async () => {
		const r = await call({});
		expect(r.items).toHaveLength(1);
		expect(r.items[0].json).toEqual({ result: [], notice: expect.stringMatching(/empty result for no parameters/) });
	});
});
