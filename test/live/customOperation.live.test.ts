/**
 * Custom Operation against a real extension operation: the lab registers `gettranslation` (GET; README of
 * ../shared/lab). A CRM without it answers that the operation is unknown, and the test asserts that error.
 */
import { describeLive, liveClient, liveHarness } from './env';
import { runVtiger, shown } from './helpers';

describeLive('live: custom operation', () => {
	it('calls gettranslation with GET and a JSON parameter and returns its result', async () => {
		const raw = await liveClient();
		const probe = await raw.send('gettranslation', { totranslate: '["Contacts"]', language: 'ru_ru', module: 'Contacts' }, 'GET');
		const h = liveHarness();
		const r = await runVtiger(h, {
			resource: 'customOperation',
			operation: 'call',
			operationName: 'gettranslation',
			httpMethod: 'GET',
			parameters: {
				parameter: [
					{ name: 'totranslate', value: '["SINGLE_Contacts","Contacts"]', json: true },
					{ name: 'language', value: 'ru_ru' },
					{ name: 'module', value: 'Contacts' },
				],
			},
		}, undefined, true);
		if (probe.body?.success) {
			expect(shown(r)).toBe('');
			expect(r.items.map((i) => i.json)).toEqual([{ SINGLE_Contacts: 'Контакт', Contacts: 'Контакты' }]);
		} else {
			expect(r.errors.join(' ')).toMatch(/Vtiger "gettranslation" failed/);
		}
	});

	it('an operation the CRM does not know fails, naming it', async () => {
		// 8.3.0 answers an unregistered operation with HTTP 500 and an empty body (lab, both servers)
		const h = liveHarness();
		const r = await runVtiger(h, { resource: 'customOperation', operation: 'call', operationName: 'nosuchoperation', httpMethod: 'GET' });
		expect(r.error?.message).toMatch(/^Vtiger "nosuchoperation" failed: /);
	});
});
