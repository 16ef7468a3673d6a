import { createHarness } from '../../support/harness';
import type { Harness } from '../../support/harness';
import { startSimulator } from '../../support/simulator';
import type { Profile, Simulator } from '../../support/simulator';
import { WsError } from '../../support/simulator/errors';

const TRANSLATIONS: Record<string, string> = { SINGLE_Contacts: 'Контакт', Contacts: 'Контакты' };

describe.each<Profile>(['positional', 'stock-8.3-php8'])('Custom Operation (%s)', (profile) => {
	let sim: Simulator;
	let h: Harness;

	beforeAll(async () => {
		sim = await startSimulator({ profile });
		// the seed article's extension (seeds/003): POST gettranslation(totranslate: encoded, language, module)
		sim.registerOperation('gettranslation', 'POST', (params) => {
			let list: unknown = null;
			try {
				list = JSON.parse(params.totranslate ?? 'null');
			} catch {
				list = null; // PHP's json_decode gives null for text that is not JSON
			}
			if (!Array.isArray(list)) throw new WsError('INVALID_PARAMETER', 'totranslate must be a list');
			return Object.fromEntries(list.map((key: string) => [key, params.language === 'ru_ru' ? (TRANSLATIONS[key] ?? key) : key]));
		});
		h = createHarness({ baseUrl: sim.baseUrl, username: sim.admin.username, accessKey: sim.admin.accessKey });
	});
	afterAll(async () => await sim.stop());
	beforeEach(() => sim.clearLog());

	const logOf = (operation: string) => sim.log.filter((e) => e.operation === operation);
	const call = async (parameters: Record<string, unknown>, continueOnFail = false) =>
		await h.runNode({ type: 'vtiger', parameters: { resource: 'customOperation', operation: 'call', ...parameters }, continueOnFail });

	test('gettranslation: POST form body, a JSON parameter sent as JSON text, the result as Vtiger returns it', async () => {
		const r = await call({
			operationName: 'gettranslation',
			httpMethod: 'POST',
			parameters: {
				parameter: [
					{ name: 'totranslate', value: '["SINGLE_Contacts", "Contacts"]', json: true },
					{ name: 'language', value: 'ru_ru' },
					{ name: 'module', value: 'Contacts' },
				],
			},
		});
		expect(r.error).toBeUndefined();
		expect(r.items.map((item) => item.json)).toEqual([{ SINGLE_Contacts: 'Контакт', Contacts: 'Контакты' }]);
		const [request] = logOf('gettranslation');
		expect(request.method).toBe('POST');
		expect(request.params).toMatchObject({ totranslate: '["SINGLE_Contacts","Contacts"]', language: 'ru_ru', module: 'Contacts' });
	});

	test('GET puts the parameters in the query string; a registered operation keeps its own type', async () => {
		const r = await call({
			operationName: 'describe',
			httpMethod: 'POST',
			parameters: { parameter: [{ name: 'elementType', value: 'Contacts' }] },
		});
		expect(r.error).toBeUndefined();
		expect(r.items[0].json).toMatchObject({ name: 'Contacts', idPrefix: '12' });
		expect(logOf('describe')[0].method).toBe('GET');
	});

	test('invalid JSON is refused before any request', async () => {
		const r = await call({
			operationName: 'gettranslation',
			parameters: { parameter: [{ name: 'totranslate', value: '[SINGLE_Contacts', json: true }] },
		});
		expect(r.error?.message).toBe('Parameters › totranslate: "[SINGLE_Contacts" is not valid JSON');
		expect(logOf('gettranslation')).toHaveLength(0);
	});

	test('Vtiger\'s error code comes through; an operation the CRM lacks is named with the likely cause', async () => {
		const bad = await call({ operationName: 'gettranslation', parameters: { parameter: [{ name: 'totranslate', value: 'x' }] } }, true);
		expect(String(bad.items[0].json.error)).toBe('Vtiger "gettranslation" failed: INVALID_PARAMETER – totranslate must be a list');
		const missing = await call({ operationName: 'noSuchOperation' });
		expect(missing.error?.message).toBe('Vtiger "noSuchOperation" failed: Vtiger crashed (HTTP 500, empty body) running "noSuchOperation"');
		expect(missing.error?.description).toMatch(/not registered in vtiger_ws_operation/);
	});

	test('login and sessionName are left to the credential', async () => {
		const login = await call({ operationName: 'login' });
		expect(login.error?.message).toBe('Operation Name: "login" is done by the credential; n8n logs in by itself');
		const session = await call({ operationName: 'listtypes', parameters: { parameter: [{ name: 'sessionName', value: 'x' }] } });
		expect(session.error?.message).toBe('Parameters › sessionName: "sessionName" is set by the node');
	});

	describe('an extension whose registered type the user does not know (issue 11, defect 5)', () => {
		// PHP encodes an empty array as [] (lab: gettranslation without its parameters answers [])
		const translate = (params: Record<string, string>) => {
			const keys = JSON.parse(params.totranslate ?? '[]') as string[];
			return keys.length ? Object.fromEntries(keys.map((key) => [key, TRANSLATIONS[key] ?? key])) : [];
		};
		const args = {
			parameter: [
				{ name: 'totranslate', value: '["SINGLE_Contacts"]', json: true },
				{ name: 'language', value: 'ru_ru' },
			],
		};
		beforeAll(() => {
			// the lab registers gettranslation as GET (setup.sh); GETTRANSLATION_TYPE=POST registers it as POST
			sim.registerOperation('gettranslation_get', 'GET', translate);
			sim.registerOperation('gettranslation_post', 'POST', translate);
		});

		test.each(['gettranslation_get', 'gettranslation_post'])('%s works with the default Send Parameters', async (operationName) => {
			const r = await call({ operationName, parameters: args });
			expect(r.error).toBeUndefined();
			expect(r.items.map((item) => item.json)).toEqual([{ SINGLE_Contacts: 'Контакт' }]);
			const [request] = logOf(operationName);
			expect(request.method).toBe('POST');
		});

		test('parameters sent only where Vtiger does not read them: one item with the empty answer and why', async () => {
			const r = await call({ operationName: 'gettranslation_get', httpMethod: 'POST', parameters: args });
			expect(r.error).toBeUndefined();
			expect(r.items).toHaveLength(1);
			expect(r.items[0].json).toEqual({
				result: [],
				notice: expect.stringMatching(/empty result .*"totranslate", "language", sent only in the form body\. If the operation is registered as GET, Vtiger ignored them: set Send Parameters to Auto/),
			});
		});

		test('an empty answer is one item saying so, so the workflow goes on', async () => {
			sim.registerOperation('nothing_here', 'GET', () => []);
			const r = await call({ operationName: 'nothing_here' });
			expect(r.items).toEqual([expect.objectContaining({ json: { result: [], notice: expect.stringMatching(/^Vtiger answered "nothing_here" with an empty result for no parameters/) } })]);
		});
	});
});
