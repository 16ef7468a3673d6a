/**
 * The Vtiger extension (vtiger-extension/, built by npm run build into dist/vtiger-extension/) in the real lab:
 * installed with the lab's module.sh (--import, then --update twice: idempotent), subscribed to a local HTTP
 * receiver, records saved, deleted and restored through the webservice and the web UI of both servers, every
 * delivery checked with an independent Standard Webhooks verification (Node's crypto); then --remove, after
 * which nothing of the module is left in the database. Needs ../shared/lab (its module.sh and lab.env); skipped
 * with a message without it. module.sh restarts both lab servers (about 5 s each time).
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHmac, timingSafeEqual, createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const LAB = resolve(ROOT, process.env.LIVE_LAB ?? '../shared/lab');
const LAB_DIR = process.env.LAB_DIR ?? `${homedir()}/.cache/vtiger-lab`;
const VERSION = (JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string }).version;
const ZIP = `${ROOT}/dist/vtiger-extension/N8nConnector-${VERSION}.zip`;
const available = existsSync(`${LAB}/module.sh`) && existsSync(`${LAB_DIR}/lab.env`);
const describeLab: jest.Describe = available
	? describe
	: (((name: string, fn: () => void) =>
			describe.skip(`${name} (skipped: ../shared/lab and its lab.env not found; the extension's live test installs the module into that lab)`, fn)) as unknown as jest.Describe);

const env: Record<string, string> = {};
if (available) {
	for (const line of readFileSync(`${LAB_DIR}/lab.env`, 'utf8').split('\n')) {
		const at = line.indexOf('=');
		if (at > 0) env[line.slice(0, at)] = line.slice(at + 1);
	}
}

function moduleSh(...args: string[]): string {
	return execFileSync('bash', [`${LAB}/module.sh`, ...args], { env: { ...process.env, LAB_DIR }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function sql(query: string): string[][] {
	const out = execFileSync('mariadb', [`--socket=${env.VT_DB_SOCKET}`, `-u${env.VT_DB_USER}`, `-p${env.VT_DB_PASSWORD}`, '-N', '-B', env.VT_DB_NAME, '-e', query], {
		encoding: 'utf8',
	});
	return out.split('\n').filter(Boolean).map((line) => line.split('\t'));
}

const installed = () => sql("SELECT COUNT(*) FROM vtiger_tab WHERE name = 'N8nConnector'")[0][0] === '1';

/** What the module leaves in Vtiger's own tables: its rows, each counted. */
function footprint(): Record<string, number> {
	const count = (q: string) => Number(sql(q)[0][0]);
	return {
		tables: count("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'vtiger_n8nconnector%'"),
		operations: count("SELECT COUNT(*) FROM vtiger_ws_operation WHERE name LIKE 'n8n\\_%' OR handler_path LIKE 'modules/N8nConnector/%'"),
		operationParameters: count(
			"SELECT COUNT(*) FROM vtiger_ws_operation_parameters p JOIN vtiger_ws_operation o ON o.operationid = p.operationid WHERE o.name LIKE 'n8n\\_%'",
		),
		eventHandlers: count("SELECT COUNT(*) FROM vtiger_eventhandlers WHERE handler_class = 'N8nConnectorHandler'"),
		handlerModules: count("SELECT COUNT(*) FROM vtiger_eventhandler_module WHERE handler_class = 'N8nConnectorHandler'"),
		cronTasks: count("SELECT COUNT(*) FROM vtiger_cron_task WHERE module = 'N8nConnector' OR handler_file LIKE 'modules/N8nConnector/%'"),
		settingsLinks: count("SELECT COUNT(*) FROM vtiger_settings_field WHERE name = 'LBL_N8N_CONNECTOR'"),
		tabRows: count("SELECT COUNT(*) FROM vtiger_tab WHERE name = 'N8nConnector'"),
	};
}

/**
 * fetch, waiting out a lab server that is restarting (module.sh and start.sh restart both servers, about 5 s,
 * whenever anyone sharing the lab installs a module).
 */
async function labFetch(url: string, init?: RequestInit): Promise<Response> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await fetch(url, init);
		} catch (e) {
			if (attempt >= 20) throw e;
			await new Promise((done) => setTimeout(done, 1000));
		}
	}
}

// ---------------------------------------------------------------------------------------------------------
// A webservice client (one per server and user)

interface Answer {
	success: boolean;
	result?: Record<string, unknown>;
	error?: { code: string; message: string };
}

class Ws {
	sessionName = '';
	constructor(readonly url: string) {}

	async login(username: string, accessKey: string): Promise<this> {
		let login: Answer | undefined;
		for (let attempt = 0; attempt < 5 && !login?.success; attempt++) {
			// a parallel login of the same user (other suites share the lab) replaces the challenge token
			if (attempt) await new Promise((done) => setTimeout(done, 100 + Math.random() * 400));
			const challenge = (await (await labFetch(`${this.url}?operation=getchallenge&username=${username}`)).json()) as Answer;
			const key = createHash('md5').update(String(challenge.result?.token) + accessKey).digest('hex');
			login = await this.send('login', { username, accessKey: key }, 'POST');
		}
		if (!login?.success) throw new Error(`login ${username}: ${login?.error?.code} ${login?.error?.message}`);
		this.sessionName = String(login.result?.sessionName);
		return this;
	}

	async send(operation: string, params: Record<string, unknown> = {}, method: 'GET' | 'POST' = 'POST'): Promise<Answer> {
		const form = new URLSearchParams({ operation });
		if (this.sessionName) form.set('sessionName', this.sessionName);
		for (const [k, v] of Object.entries(params)) form.set(k, typeof v === 'string' ? v : JSON.stringify(v));
		const response =
			method === 'GET' ? await labFetch(`${this.url}?${form.toString()}`) : await labFetch(this.url, { method: 'POST', body: form });
		const text = await response.text();
		try {
			return JSON.parse(text) as Answer;
		} catch {
			return { success: false, error: { code: `HTTP ${response.status}`, message: text.slice(0, 300) } };
		}
	}

	async call<T = Record<string, unknown>>(operation: string, params: Record<string, unknown> = {}, method: 'GET' | 'POST' = 'POST'): Promise<T> {
		const answer = await this.send(operation, params, method);
		if (!answer.success) throw new Error(`${operation}: ${answer.error?.code} ${answer.error?.message}`);
		return answer.result as T;
	}
}

/** Vtiger's web UI as a logged-in user (login form, CSRF token per page). */
class WebUi {
	private cookie = '';
	private readonly base: string;
	constructor(url: string) {
		this.base = url.replace(/\/webservice\.php$/, '');
	}

	private async request(path: string, form?: Record<string, string>): Promise<Response> {
		const response = await labFetch(`${this.base}/${path}`, {
			method: form ? 'POST' : 'GET',
			body: form ? new URLSearchParams(form) : undefined,
			headers: this.cookie ? { cookie: this.cookie } : {},
			redirect: 'manual',
		});
		const set = response.headers.getSetCookie().map((l) => l.split(';')[0]);
		if (set.length) {
			const jar = new Map([...this.cookie.split('; '), ...set].filter(Boolean).map((c) => [c.split('=')[0], c]));
			this.cookie = [...jar.values()].join('; ');
		}
		return response;
	}

	private async token(path: string): Promise<string> {
		return /csrfMagicToken = "([^"]*)"/.exec(await (await this.request(path)).text())?.[1] ?? '';
	}

	async login(username: string, password: string): Promise<this> {
		await this.request('index.php', { __vtrftk: await this.token('index.php'), module: 'Users', action: 'Login', username, password });
		return this;
	}

	/** Saves an existing record's fields from its edit form, as a user pressing Save. */
	async save(module: string, crmid: string, fields: Record<string, string>): Promise<void> {
		const response = await this.request('index.php', {
			__vtrftk: await this.token(`index.php?module=${module}&view=Edit&record=${crmid}`),
			module,
			action: 'Save',
			record: crmid,
			...fields,
		});
		await response.text();
		if (response.status >= 400) throw new Error(`web UI save of ${module} ${crmid}: HTTP ${response.status}`);
	}

	/** The module's settings screen (Settings > Integration > n8n Connector) as HTML. */
	async settingsPage(): Promise<string> {
		return await (await this.request('index.php?module=N8nConnector&parent=Settings&view=Index')).text();
	}

	/** Saves the settings screen's form; where Vtiger redirects to. */
	async saveSettings(allowNonAdmins: boolean, allowedHosts: string): Promise<string> {
		const response = await this.request('index.php', {
			__vtrftk: await this.token('index.php?module=N8nConnector&parent=Settings&view=Index'),
			module: 'N8nConnector',
			parent: 'Settings',
			action: 'Save',
			allowedHosts,
			...(allowNonAdmins ? { allowNonAdmins: '1' } : {}),
		});
		await response.text();
		return response.headers.get('location') ?? '';
	}

	/** Restores deleted records from the Recycle Bin. */
	async restore(module: string, crmid: string): Promise<void> {
		const response = await this.request('index.php', {
			__vtrftk: await this.token('index.php?module=RecycleBin&view=List'),
			module: 'RecycleBin',
			action: 'RecycleBinAjax',
			mode: 'restoreRecords',
			sourceModule: module,
			selected_ids: JSON.stringify([crmid]),
		});
		const text = await response.text();
		if (!text.includes('"success":true')) throw new Error(`web UI restore of ${module} ${crmid}: ${text.slice(0, 200)}`);
	}
}

// ---------------------------------------------------------------------------------------------------------
// The receiver: an HTTP server on 127.0.0.1 that records every request and answers what the test says

interface Delivery {
	path: string;
	headers: IncomingHttpHeaders;
	raw: string;
	body: { id: string; type: string; createdAt: string; subscriptionId: string; data: { event: string; module: string; id: string; record?: Record<string, unknown> } };
	at: number;
}

class Receiver {
	readonly deliveries: Delivery[] = [];
	/** status to answer per path (default 200) */
	readonly answer = new Map<string, number>();
	/** paths whose answers wait until the test releases them */
	private readonly gates = new Map<string, Promise<void>>();
	private server?: Server;

	/** Holds the answers to `path` until the returned function is called. */
	hold(path: string): () => void {
		let release = () => {};
		this.gates.set(path, new Promise<void>((done) => (release = done)));
		return () => {
			release();
			this.gates.delete(path);
		};
	}
	port = 0;

	async start(): Promise<void> {
		this.server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const raw = Buffer.concat(chunks).toString('utf8');
				const path = req.url ?? '/';
				const status = this.answer.get(path) ?? 200;
				void (this.gates.get(path) ?? Promise.resolve()).then(() => {
					if (status === 200) {
						this.deliveries.push({ path, headers: req.headers, raw, body: JSON.parse(raw) as Delivery['body'], at: Date.now() });
					}
					res.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
				});
			});
		});
		await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
		this.port = (this.server!.address() as AddressInfo).port;
	}

	url(path: string): string {
		return `http://127.0.0.1:${this.port}${path}`;
	}

	async stop(): Promise<void> {
		await new Promise<void>((done) => this.server?.close(() => done()) ?? done());
	}

	for(subscriptionId: string, recordId?: string): Delivery[] {
		return this.deliveries.filter((d) => d.body.subscriptionId === subscriptionId && (!recordId || d.body.data.id === recordId));
	}

	async waitFor(what: string, got: () => Delivery[], wanted: number, timeoutMs = 60000): Promise<void> {
		const until = Date.now() + timeoutMs;
		while (got().length < wanted && Date.now() < until) await new Promise((done) => setTimeout(done, 100));
		if (got().length < wanted) {
			throw new Error(`${what}: ${got().length} of ${wanted} deliveries after ${timeoutMs} ms (${got().map((d) => d.body.type).join(', ')})`);
		}
	}
}

/** Standard Webhooks verification written from the specification, independent of the PHP signer. */
function verified(secret: string, d: Delivery): boolean {
	const id = String(d.headers['webhook-id']);
	const timestamp = String(d.headers['webhook-timestamp']);
	const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
	const expected = Buffer.from(createHmac('sha256', key).update(`${id}.${timestamp}.${d.raw}`).digest('base64'));
	return String(d.headers['webhook-signature'])
		.split(' ')
		.some((candidate) => {
			const [version, signature] = candidate.split(',');
			const given = Buffer.from(signature ?? '');
			return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
		});
}

/** Runs the module's cron task once through Vtiger's own vtigercron.php (its `service` parameter picks one task). */
async function runCronTask(): Promise<string> {
	// asynchronously: the receiver answering the deliveries runs in this process
	const php = `$_REQUEST['service'] = 'N8nConnector delivery'; chdir(getenv('VT_TREE')); include 'vtigercron.php';`;
	const { stdout } = await promisify(execFile)('php', ['-d', 'error_reporting=E_ERROR', '-r', php], { env: { ...process.env, VT_TREE: `${LAB_DIR}/vtiger` }, encoding: 'utf8' });
	return stdout;
}

/** The operations of the module's one list (vtiger-extension/modules/N8nConnector/operations.php): name → parameter names. */
function operations(): Record<string, string[]> {
	const php = `$ops = include getenv('OPS'); $out = array(); foreach ($ops as $n => $o) { $out[$n] = array_keys($o[3]); } echo json_encode($out);`;
	const json = execFileSync('php', ['-r', php], { env: { ...process.env, OPS: `${ROOT}/vtiger-extension/modules/N8nConnector/operations.php` }, encoding: 'utf8' });
	return JSON.parse(json) as Record<string, string[]>;
}

/**
 * Apache + PHP-FPM from Debian's packages (scripts/prod-server.sh) when installed: how Vtiger is deployed, and
 * the server where the extension ends the response with fastcgi_finish_request before delivering.
 */
const PROD_PORT = Number(process.env.EXT_PROD_PORT ?? 18090);
const production = available && existsSync('/usr/sbin/apache2') && existsSync('/usr/sbin/php-fpm8.2');
function prodServer(command: 'start' | 'stop'): void {
	execFileSync('bash', [`${ROOT}/scripts/prod-server.sh`, command], { env: { ...process.env, LAB_DIR, PROD_PORT: String(PROD_PORT) }, stdio: 'ignore' });
}
if (available && !production) {
	console.log('extension live test: Apache + PHP-FPM not installed (apt-get install apache2 php8.2-fpm): runs on the lab\'s two php -S servers only');
}

const TAG = `n8next-${Date.now().toString(36)}`;
jest.setTimeout(240000);

describeLab('live: the Vtiger extension N8nConnector in the lab', () => {
	const receiver = new Receiver();
	const servers: Array<{ name: string; url: string; webUi: boolean }> = available
		? [
				{ name: 'stock', url: env.VT_URL_STOCK, webUi: true },
				{ name: 'positional', url: env.VT_URL_POS, webUi: true },
				// index.php redirects to $site_URL (the stock server), so no web UI through this one
				...(production ? [{ name: 'apache+php-fpm', url: `http://127.0.0.1:${PROD_PORT}/webservice.php`, webUi: false }] : []),
			]
		: [];
	const made: Array<{ url: string; id: string }> = [];
	let operationIds: string[] = [];

	/** the lab is left as this file found it: the other live files (instant trigger, line items) need the module */
	let installedBefore = false;

	beforeAll(async () => {
		await receiver.start();
		installedBefore = installed();
		if (installedBefore) moduleSh('--remove', 'N8nConnector');
		if (production) prodServer('start');
	});

	afterAll(async () => {
		for (const { url, id } of made) {
			try {
				const ws = await new Ws(url).login(env.VT_USER, env.VT_ACCESSKEY);
				await ws.send('delete', { id });
			} catch {
				// already gone
			}
		}
		await receiver.stop();
		if (production) prodServer('stop');
		if (installedBefore && !installed()) moduleSh('--import', ZIP);
	});

	test('installs from the built zip and upgrades twice without duplicating anything', () => {
		expect(existsSync(ZIP)).toBe(true);
		moduleSh('--import', ZIP);
		const once = footprint();
		const ops = operations();
		expect(once).toEqual({
			tables: 4,
			operations: Object.keys(ops).length,
			operationParameters: Object.values(ops).flat().length,
			eventHandlers: 4,
			handlerModules: 1,
			cronTasks: 1,
			settingsLinks: 1,
			tabRows: 1,
		});
		operationIds = sql("SELECT operationid FROM vtiger_ws_operation WHERE name LIKE 'n8n\\_%'").map((row) => row[0]);
		moduleSh('--update', ZIP);
		moduleSh('--update', ZIP);
		expect(footprint()).toEqual(once);
	});

	test.each([0, 1])('on server %#: n8n_info, settings, refusals and non-admins', async (index) => {
		const { url } = servers[index];
		const admin = await new Ws(url).login(env.VT_USER, env.VT_ACCESSKEY);
		await admin.call('n8n_settings', { settings: { allowedHosts: [], allowNonAdmins: false } });
		const info = await admin.call('n8n_info', {}, 'GET');
		expect(info).toEqual({
			module: 'N8nConnector',
			version: VERSION,
			operations: Object.keys(operations()).sort(),
			canSubscribe: true,
			destinationsAllowed: false,
		});
		// loopback is refused until an administrator names it
		const refused = await admin.send('n8n_subscribe', { url: receiver.url('/x'), modules: ['Contacts'], events: [], ttl: '60', label: TAG });
		expect(refused.error?.code).toBe('N8N_DESTINATION_NOT_ALLOWED');
		expect(refused.error?.message).toContain('Settings > Integration > n8n Connector');
		for (const [params, code] of [
			[{ url: 'ftp://example.com/x' }, 'N8N_INVALID_URL'],
			[{ url: 'http://169.254.169.254/latest/meta-data' }, 'N8N_DESTINATION_NOT_ALLOWED'],
			[{ url: 'http://10.0.0.1/x' }, 'N8N_DESTINATION_NOT_ALLOWED'],
		] as const) {
			const answer = await admin.send('n8n_subscribe', { ...params, modules: [], events: [], ttl: '60', label: TAG });
			expect(answer.error?.code).toBe(code);
		}
		const user = await new Ws(url).login(env.VT_USER2, env.VT_ACCESSKEY2);
		expect((await user.send('n8n_subscribe', { url: 'https://example.com/x', modules: [], events: [], ttl: '60', label: TAG })).error?.code).toBe(
			'N8N_NOT_PERMITTED',
		);
		expect((await user.send('n8n_settings', { settings: { allowedHosts: ['127.0.0.1'] } })).error?.code).toBe('N8N_NOT_PERMITTED');
		expect(await user.call('n8n_info', {}, 'GET')).toMatchObject({ canSubscribe: false });

		expect(await admin.call('n8n_settings', { settings: { allowedHosts: ['127.0.0.1'] } })).toEqual({ allowNonAdmins: false, allowedHosts: ['127.0.0.1'] });
		expect(await admin.call('n8n_info', {}, 'GET')).toMatchObject({ destinationsAllowed: true });
		expect((await admin.send('n8n_settings', { settings: { allowedHosts: ['http://bad'] } })).error?.code).toBe('N8N_INVALID_SETTINGS');
		const valid: Record<string, unknown> = { url: receiver.url('/x'), modules: [], events: [], ttl: '60', label: TAG };
		for (const [params, code] of [
			[{ events: ['created', 'merged'] }, 'N8N_INVALID_EVENTS'],
			[{ modules: ['NoSuchModule'] }, 'N8N_INVALID_MODULE'],
			[{ ttl: 'soon' }, 'N8N_INVALID_TTL'],
		] as const) {
			const answer = await admin.send('n8n_subscribe', { ...valid, ...params });
			expect(answer.error?.code).toBe(code);
		}
		// an administrator lets other users subscribe; their subscriptions are theirs alone
		await admin.call('n8n_settings', { settings: { allowNonAdmins: true } });
		const own = await user.call<{ id: string; ownerId: string }>('n8n_subscribe', { url: receiver.url('/user'), modules: [], events: ['created'], ttl: '60', label: TAG });
		expect(own.ownerId).not.toBe('19x1');
		expect(await admin.call('n8n_subscription', { id: own.id }, 'GET')).toMatchObject({ id: own.id, ownerId: own.ownerId });
		const mine = await admin.call<{ id: string }>('n8n_subscribe', { url: receiver.url('/admin'), modules: [], events: ['created'], ttl: '60', label: TAG });
		expect((await user.send('n8n_subscription', { id: mine.id }, 'GET')).error?.code).toBe('N8N_SUBSCRIPTION_NOT_FOUND');
		expect(await user.call('n8n_unsubscribe', { id: mine.id })).toEqual({ id: mine.id, deleted: false });
		expect(await user.call('n8n_unsubscribe', { id: own.id })).toEqual({ id: own.id, deleted: true });
		expect(await admin.call('n8n_unsubscribe', { id: mine.id })).toEqual({ id: mine.id, deleted: true });
		await admin.call('n8n_settings', { settings: { allowNonAdmins: false } });
	});

	test('the settings screen sets who may subscribe and where Vtiger may send; only administrators see it', async () => {
		const { url } = servers[0];
		const admin = await new Ws(url).login(env.VT_USER, env.VT_ACCESSKEY);
		const web = await new WebUi(url).login(env.VT_USER, env.VT_PASSWORD);
		expect(await web.saveSettings(true, '127.0.0.1\n10.0.0.0/24\n\nn8n.internal')).toContain('saved=1');
		expect(await admin.call('n8n_settings', { settings: {} })).toEqual({ allowNonAdmins: true, allowedHosts: ['127.0.0.1', '10.0.0.0/24', 'n8n.internal'] });
		const page = await web.settingsPage();
		expect(page).toContain('Allowed internal destinations');
		expect(page).toMatch(/<textarea name="allowedHosts"[^>]*>127\.0\.0\.1\n10\.0\.0\.0\/24\nn8n\.internal<\/textarea>/);
		expect(decodeURIComponent(await web.saveSettings(false, 'http://bad'))).toContain('Not a host name, IP address or CIDR range: http://bad');
		expect(await admin.call('n8n_settings', { settings: {} })).toMatchObject({ allowedHosts: ['127.0.0.1', '10.0.0.0/24', 'n8n.internal'] });
		expect(await web.saveSettings(false, '')).toContain('saved=1');
		expect(await admin.call('n8n_settings', { settings: {} })).toEqual({ allowNonAdmins: false, allowedHosts: [] });
		const user = await new WebUi(url).login(env.VT_USER2, env.VT_PASSWORD2);
		expect(await user.settingsPage()).not.toContain('Allowed internal destinations');
	});

	test.each([0, 1, 2])('on server %#: a record created, updated, deleted and restored arrives once per event, in order, signed', async (index) => {
		if (!servers[index]) return; // Apache + PHP-FPM not installed (said above)
		const { name, url, webUi } = servers[index];
		const ws = await new Ws(url).login(env.VT_USER, env.VT_ACCESSKEY);
		const web = await new WebUi(webUi ? url : env.VT_URL_STOCK).login(env.VT_USER, env.VT_PASSWORD);
		const path = `/${name}`;
		await ws.call('n8n_settings', { settings: { allowedHosts: ['127.0.0.1'] } });
		const sub = await ws.call<{ id: string; secret: string; url: string; modules: string[]; events: string[]; status: string; expiresAt: string }>(
			'n8n_subscribe',
			{ url: receiver.url(path), modules: ['Contacts'], events: [], ttl: '900', label: `${TAG} ${name}` },
		);
		expect(sub).toMatchObject({ url: receiver.url(path), modules: ['Contacts'], events: ['created', 'updated', 'deleted', 'restored'], status: 'active' });
		expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
		expect(Date.parse(sub.expiresAt) - Date.now()).toBeGreaterThan(800000);
		expect((await ws.call('n8n_subscription', { id: sub.id }, 'GET')).secret).toBeUndefined();

		// the receiver answers only once the save has answered: a save that waited for its delivery would wait
		// for the delivery's 5 s timeout, and the delivery would fail
		const release = receiver.hold(path);
		const created = await ws.call<{ id: string }>('create', {
			elementType: 'Contacts',
			element: { lastname: `${TAG}-${name}`, assigned_user_id: '19x1' },
		}).finally(release);
		made.push({ url, id: created.id });
		const crmid = created.id.split('x')[1];
		await ws.call('revise', { element: { id: created.id, firstname: 'Revised' } });
		await web.save('Contacts', crmid, { lastname: `${TAG}-${name}-web`, assigned_user_id: '1' });
		const mineOnly = () => receiver.for(sub.id, created.id);
		// (a record deleted before its update went out would come without its fields: wait, as a user would)
		await receiver.waitFor(`${name}: created and two updates`, mineOnly, 3);
		await ws.call('delete', { id: created.id });
		await web.restore('Contacts', crmid);
		await receiver.waitFor(`${name}: the record's five events`, mineOnly, 5);
		await new Promise((done) => setTimeout(done, 1500)); // nothing more may come
		const got = mineOnly();
		expect(got.map((d) => d.body.type)).toEqual(['record.created', 'record.updated', 'record.updated', 'record.deleted', 'record.restored']);
		for (const d of got) {
			expect(verified(sub.secret, d)).toBe(true);
			expect(d.headers['webhook-id']).toBe(d.body.id);
			expect(d.headers['content-type']).toBe('application/json');
			expect(d.headers['user-agent']).toBe(`Vtiger-N8nConnector/${VERSION}`);
			expect(Math.abs(Number(d.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
			expect(d.body.data).toMatchObject({ module: 'Contacts', id: created.id, event: d.body.type.slice('record.'.length) });
		}
		expect(new Set(got.map((d) => d.body.id)).size).toBe(5);
		// the record as it is when its event is sent, right after the save: a later change may already be in it
		expect(got[0].body.data.record).toMatchObject({ id: created.id });
		expect(String(got[0].body.data.record?.lastname).startsWith(`${TAG}-${name}`)).toBe(true);
		expect(got[1].body.data.record).toMatchObject({ firstname: 'Revised' });
		expect(got[2].body.data.record).toMatchObject({ firstname: 'Revised', lastname: `${TAG}-${name}-web` });
		expect(got[3].body.data).toEqual({ event: 'deleted', module: 'Contacts', id: created.id });
		expect(got[4].body.data.record).toMatchObject({ id: created.id });
		// a tampered body does not verify with the independent check
		expect(verified(sub.secret, { ...got[0], raw: got[0].raw.replace(TAG, 'x') })).toBe(false);

		const after = await ws.call('n8n_subscription', { id: sub.id }, 'GET');
		expect(after).toMatchObject({ status: 'active', failures: 0, lastError: null }); // nothing timed out (the held answer)
		expect(after.lastDeliveryAt).not.toBeNull();
		expect(await ws.call('n8n_unsubscribe', { id: sub.id })).toEqual({ id: sub.id, deleted: true });
		expect(await ws.call('n8n_unsubscribe', { id: sub.id })).toEqual({ id: sub.id, deleted: false });
		expect((await ws.send('n8n_subscription', { id: sub.id }, 'GET')).error?.code).toBe('N8N_SUBSCRIPTION_NOT_FOUND');
	});

	test('records created by an import (no per-record events, one batch event) arrive as created, once', async () => {
		const ws = await new Ws(servers[0].url).login(env.VT_USER, env.VT_ACCESSKEY);
		await ws.call('n8n_settings', { settings: { allowedHosts: ['127.0.0.1'] } });
		const sub = await ws.call<{ id: string; secret: string }>('n8n_subscribe', { url: receiver.url('/import'), modules: ['Contacts'], events: [], ttl: '900', label: TAG });
		const { stdout } = await promisify(execFile)('php', ['-d', 'error_reporting=E_ERROR', `${ROOT}/test/php/live-import-batch.php`], {
			env: { ...process.env, VT_TREE: `${LAB_DIR}/vtiger`, LASTNAME: `${TAG}-import` },
			encoding: 'utf8',
		});
		const id = `12x${stdout.trim()}`;
		expect(id).toMatch(/^12x\d+$/);
		made.push({ url: servers[0].url, id });
		await receiver.waitFor('the imported record', () => receiver.for(sub.id, id), 1);
		await new Promise((done) => setTimeout(done, 1500));
		const got = receiver.for(sub.id, id);
		expect(got.map((d) => d.body.type)).toEqual(['record.created']);
		expect(verified(sub.secret, got[0])).toBe(true);
		expect(got[0].body.data.record).toMatchObject({ id, lastname: `${TAG}-import` });
		await ws.call('n8n_unsubscribe', { id: sub.id });
	});

	test('a receiver that is down never breaks a save; the cron task delivers later with the same event id', async () => {
		const ws = await new Ws(servers[0].url).login(env.VT_USER, env.VT_ACCESSKEY);
		const path = '/down';
		await ws.call('n8n_settings', { settings: { allowedHosts: ['127.0.0.1'] } });
		receiver.answer.set(path, 503);
		const sub = await ws.call<{ id: string; secret: string }>('n8n_subscribe', { url: receiver.url(path), modules: ['Contacts'], events: ['created'], ttl: '900', label: TAG });
		const closed = await ws.call<{ id: string }>('n8n_subscribe', { url: 'http://127.0.0.1:9/closed-port', modules: ['Contacts'], events: ['created'], ttl: '900', label: TAG });

		const started = Date.now();
		const created = await ws.call<{ id: string }>('create', { elementType: 'Contacts', element: { lastname: `${TAG}-down`, assigned_user_id: '19x1' } });
		made.push({ url: servers[0].url, id: created.id });
		expect(Date.now() - started).toBeLessThan(3000);

		// a broken installation (its outbox table gone) still never breaks a save
		sql('RENAME TABLE vtiger_n8nconnector_outbox TO vtiger_n8nconnector_outbox_away');
		try {
			const saved = await ws.send('create', { elementType: 'Contacts', element: { lastname: `${TAG}-broken`, assigned_user_id: '19x1' } });
			expect(saved.error).toBeUndefined();
			made.push({ url: servers[0].url, id: String(saved.result?.id) });
		} finally {
			sql('RENAME TABLE vtiger_n8nconnector_outbox_away TO vtiger_n8nconnector_outbox');
		}

		const failing = async (id: string) => await ws.call<{ failures: number; lastError: string | null; status: string }>('n8n_subscription', { id }, 'GET');
		// (other suites sharing the lab create Contacts by the hundred: their events go first)
		const until = Date.now() + 60000;
		while ((await failing(sub.id)).failures < 1 && Date.now() < until) await new Promise((done) => setTimeout(done, 200));
		expect(await failing(sub.id)).toMatchObject({ status: 'active', failures: 1, lastError: 'receiver answered HTTP 503' });
		expect(await failing(closed.id)).toMatchObject({ status: 'active', failures: 1 });
		expect((await failing(closed.id)).lastError).toMatch(/connect|refused/i);

		// the receiver is back; after the first back-off (10 s) the cron task delivers the same event
		receiver.answer.delete(path);
		await new Promise((done) => setTimeout(done, 10500));
		expect(await runCronTask()).toContain('N8nConnector delivery');
		await receiver.waitFor('retry by the cron task', () => receiver.for(sub.id, created.id), 1, 60000);
		const [retried] = receiver.for(sub.id, created.id);
		expect(verified(sub.secret, retried)).toBe(true);
		expect(retried.body.type).toBe('record.created');
		const untilReset = Date.now() + 10000;
		while ((await failing(sub.id)).failures > 0 && Date.now() < untilReset) await new Promise((done) => setTimeout(done, 200));
		expect(await failing(sub.id)).toMatchObject({ status: 'active', failures: 0, lastError: null });

		// 410 Gone disables at once and says why
		receiver.answer.set(path, 410);
		const second = await ws.call<{ id: string }>('create', { elementType: 'Contacts', element: { lastname: `${TAG}-gone`, assigned_user_id: '19x1' } });
		made.push({ url: servers[0].url, id: second.id });
		const until410 = Date.now() + 60000;
		while ((await failing(sub.id)).status === 'active' && Date.now() < until410) await new Promise((done) => setTimeout(done, 200));
		expect(await ws.call('n8n_subscription', { id: sub.id }, 'GET')).toMatchObject({ status: 'disabled', disabledReason: 'receiver answered 410 Gone' });
		await ws.call('n8n_unsubscribe', { id: sub.id });
		await ws.call('n8n_unsubscribe', { id: closed.id });
	});

	test('uninstalling leaves nothing of the module in the database', () => {
		moduleSh('--remove', 'N8nConnector');
		expect(footprint()).toEqual({
			tables: 0,
			operations: 0,
			operationParameters: 0,
			eventHandlers: 0,
			handlerModules: 0,
			cronTasks: 0,
			settingsLinks: 0,
			tabRows: 0,
		});
		expect(sql(`SELECT COUNT(*) FROM vtiger_ws_operation_parameters WHERE operationid IN (${operationIds.join(',') || 0})`)[0][0]).toBe('0');
	});
});
