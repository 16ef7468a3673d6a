import { VtigerApi } from '../../../credentials/VtigerApi.credentials';
import { LOGIN_ATTEMPTS } from '../../../nodes/Vtiger/webservice/session';
import { normalizeBaseUrl } from '../../../nodes/Vtiger/webservice/url';
import { startSimulator } from '../../support/simulator';
import type { Simulator } from '../../support/simulator';
import { assertNoSecrets, createHarness, findSecret } from '../../support/harness';

let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator();
});
afterAll(async () => {
	await sim.stop();
});
beforeEach(() => {
	sim.faults.clear();
	sim.clearLog();
});

describe('credential description', () => {
	const credential = new VtigerApi();
	const property = (name: string) => credential.properties.find((p) => p.name === name);

	test('fields: URL, user name, access key (password), TLS option, hidden expirable session', () => {
		expect(credential.name).toBe('vtigerApi');
		expect(property('url')?.type).toBe('string');
		expect(property('username')?.type).toBe('string');
		expect(property('secretAccessKey')?.typeOptions?.password).toBe(true);
		expect(property('secretAccessKey')?.description).toMatch(/My Preferences/);
		expect(property('ignoreSslIssues')?.type).toBe('boolean');
		expect(property('sessionName')).toMatchObject({ type: 'hidden', default: '', typeOptions: { expirable: true } });
		expect(property('userId')?.type).toBe('hidden');
		expect(credential.icon).toEqual({ light: 'file:vtiger.svg', dark: 'file:vtiger.dark.svg' });
	});

	test.each([
		['https://crm.example.com', 'https://crm.example.com'],
		['https://crm.example.com/', 'https://crm.example.com'],
		['https://crm.example.com/webservice.php', 'https://crm.example.com'],
		['https://crm.example.com/webservice.php/', 'https://crm.example.com'],
		['  https://crm.example.com/vtigercrm/WebService.php ', 'https://crm.example.com/vtigercrm'],
		['https://crm.example.com/mywebservice.php', 'https://crm.example.com/mywebservice.php'],
	])('normalizeBaseUrl(%j) = %j', (input, expected) => {
		expect(normalizeBaseUrl(input)).toBe(expected);
	});
});

describe('CRM URL forms through n8n (expression + transport + login)', () => {
	test.each(['', '/', '/webservice.php', '/webservice.php/'])('base URL + %j works for routed and custom requests', async (suffix) => {
		const h = createHarness({ baseUrl: `  ${sim.baseUrl}${suffix}`, username: 'admin', accessKey: sim.admin.accessKey });
		const routed = await h.runNode({ type: 'fixtureDeclarative', parameters: { operation: 'listtypes' } });
		expect(routed.error).toBeUndefined();
		const custom = await h.runNode({ type: 'fixtureProgrammatic', parameters: { operation: 'listtypes' } });
		expect(custom.error).toBeUndefined();
		expect(custom.items[0].json.types).toEqual(routed.items[0].json.types);
		expect(sim.log.every((entry) => entry.status === 200)).toBe(true);
	});
});

describe('Test button (credential test as the CLI runs it)', () => {
	test('a working credential passes', async () => {
		const h = createHarness({ baseUrl: sim.url, username: 'admin', accessKey: sim.admin.accessKey });
		await expect(h.testCredential()).resolves.toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(sim.count('login')).toBe(1);
		expect(sim.count('listtypes')).toBe(1);
	});

	test('a wrong access key fails with Vtiger\'s message after the bounded retries', async () => {
		const h = createHarness({ baseUrl: sim.url, username: 'admin', accessKey: 'wrongwrongwrong1' });
		const result = await h.testCredential();
		expect(result.status).toBe('Error');
		expect(result.message).toBe(
			'Vtiger "login" failed: INVALID_USER_CREDENTIALS – Invalid username or password. Vtiger rejected the user name or access key',
		);
		expect(sim.count('getchallenge')).toBe(LOGIN_ATTEMPTS);
		expect(sim.count('login')).toBe(LOGIN_ATTEMPTS);
		expect(findSecret(result, ['wrongwrongwrong1'])).toBeUndefined();
	});

	test('an unknown user fails at once with Vtiger\'s message', async () => {
		const h = createHarness({ baseUrl: sim.url, username: 'nosuchuser', accessKey: sim.admin.accessKey });
		const result = await h.testCredential();
		expect(result).toEqual({
			status: 'Error',
			message: 'Vtiger "getchallenge" failed: ACCESS_DENIED – username does not exists',
		});
		expect(sim.count('getchallenge')).toBe(1);
		expect(sim.count('login')).toBe(0);
	});

	test('an unreachable CRM says so', async () => {
		const h = createHarness({ baseUrl: 'http://127.0.0.1:1', username: 'admin', accessKey: sim.admin.accessKey });
		const result = await h.testCredential();
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^Vtiger "getchallenge" failed: could not reach the CRM/);
	});

	test('a wrong CRM path: the web server\'s HTML 404 page becomes a short message, not its CSS', async () => {
		const h = createHarness({ baseUrl: `${sim.baseUrl}/not-vtiger`, username: 'admin', accessKey: sim.admin.accessKey });
		const result = await h.testCredential();
		expect(result.status).toBe('Error');
		expect(result.message).toBe('Vtiger "getchallenge" failed: the CRM URL answered HTTP 404 – no Vtiger webservice at that address');
	});
});

describe('login inside workflow runs', () => {
	test('a wrong key fails the run with a clear error, stores nothing and leaks nothing', async () => {
		const h = createHarness({ baseUrl: sim.url, username: 'admin', accessKey: 'wrongwrongwrong2' });
		const result = await h.runNode({ type: 'fixtureDeclarative', parameters: { operation: 'listtypes' }, items: [{}, {}] });
		expect(result.error?.message).toBe(
			'Vtiger "login" failed: INVALID_USER_CREDENTIALS – Invalid username or password. Vtiger rejected the user name or access key',
		);
		expect(result.error?.description).toMatch(/My Preferences/);
		expect(h.store.sessionName).toBe('');
		expect(h.store.updates).toBe(0);
		// both items share one login attempt sequence
		expect(sim.count('getchallenge')).toBe(LOGIN_ATTEMPTS);
		assertNoSecrets([result.error, result.items, h.logs], ['wrongwrongwrong2']);
	});
});

test('the secret scanner finds nested secrets (guards the leak checks)', () => {
	expect(findSecret({ a: [{ b: 'x sessionABCDEF y' }] }, ['sessionABCDEF'])).toBe('sessionABCDEF');
	const error = new Error('boom');
	(error as unknown as { description: string }).description = 'key KEY123456';
	expect(findSecret(error, ['KEY123456'])).toBe('KEY123456');
	expect(() => assertNoSecrets(['clean'], ['KEY123456'])).not.toThrow();
});
