/**
 * Vtiger 8.3 webservice.php simulator: in-process HTTP server for tests (see DEVELOPERS.md "Simulator").
 * Ground truth: test/support/fixtures/vtiger-8.3/ (README, operations.txt, transcripts; a copy of ../shared/vtiger-8.3/).
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { SimClock } from './clock';
import { CONNECTOR_OPERATIONS, N8nConnector } from './connector';
import type { ConnectorEvent } from './connector';
import { Crash, PlainText, RESTRICTED, WsError } from './errors';
import { FIXTURE, registerModuleMeta, unregisterModuleMeta } from './meta';
import type { ModuleMeta, ModuleRegistration } from './meta';
import { OpContext, Operations, OPERATIONS, Profile, STOCK_CRASHES, STOCK_RESTRICTED, UploadedFile } from './ops';
import { seedRecords } from './seed';
import { RecordStore, SimRecord, SimUser, Values, wsId } from './store';

export type { Profile } from './ops';
export type { FieldMeta, ModuleMeta, ModuleRegistration } from './meta';
export { RecordStore } from './store';
export { N8nConnector } from './connector';
export type { ConnectorEvent, Subscription, OutboxEntry, DeliveryAttempt } from './connector';

export interface SimulatorOptions {
	/** 0 = ephemeral (default); binds 127.0.0.1 only */
	port?: number;
	/** default 'positional' */
	profile?: Profile;
	/** realistic seed data (default false: only the lab's fixed records) */
	seed?: boolean;
	/** default 1440 (PHP's session.gc_maxlifetime) */
	sessionIdleSeconds?: number;
	/** per request, default 0 */
	latencyMs?: number;
	/** the n8n Connector extension is installed (default false): see setExtension */
	extension?: boolean;
}

export type FaultKind = 'http500' | 'empty' | 'truncated' | 'phpWarning' | 'plainText' | 'hang';

export interface FaultKnobs {
	/** the next `n` requests (optionally only those of `operation`) fail with `kind` */
	failNext(n: number, kind: FaultKind, operation?: string): void;
	/** added to every request, ms */
	latencyMs: number;
	/** right after the next successful getchallenge for `username`, a competing challenge replaces its token */
	competingChallenge(username: string): void;
	/**
	 * Runs `save` once, inside the next sync, between its page query and its `more` query, as a save
	 * committed at that moment on a busy Vtiger (vtws_sync, include/Webservices/GetUpdates.php): a page
	 * that found nothing after modifiedTime answers more=true with lastModifiedTime = modifiedTime.
	 */
	betweenSyncQueries(save: () => void): void;
	/** forget pending faults */
	clear(): void;
	pending(): number;
}

export interface RequestLogEntry {
	operation: string | null;
	method: string;
	/** query string and form body merged (body wins), as webservice.php's $_REQUEST */
	params: Record<string, string>;
	sessionName: string | null;
	status: number;
	/** ms since epoch (real time) */
	at: number;
	userName?: string;
	fault?: FaultKind;
}

export interface SimUserInfo<N extends string, I extends string> {
	username: N;
	accessKey: string;
	userId: I;
	password: string;
}

export const ADMIN_ACCESS_KEY = 'pOEVqdYN4iSc5nmr';
export const LABUSER_ACCESS_KEY = 'Zq4LabUser5mRk7T';

const PHP_WARNING =
	'<br />\n<b>Warning</b>:  Undefined array key "HTTP_REFERER" in <b>/var/www/html/include/utils/utils.php</b> on line <b>2270</b><br />\n';

/** PHP's built-in server's 404 page, as the lab answers a wrong path (style block first). */
function notFoundPage(path: string): string {
	const escaped = path.replace(/&/g, '&amp;').replace(/</g, '&lt;');
	return `<!doctype html><html><head><title>404 Not Found</title><style>
body { background-color: #fcfcfc; color: #333333; margin: 0; padding:0; }
h1 { font-size: 1.5em; font-weight: normal; background-color: #9999cc; min-height:2em; line-height:2em; border-bottom: 1px inset black; margin: 0; }
h1, p { padding-left: 10px; }
code.url { background-color: #eeeeee; font-family:monospace; padding:0 2px;}
</style>
</head><body><h1>Not Found</h1><p>The requested resource <code class="url">${escaped}</code> was not found on this server.</p></body></html>`;
}

function makeUsers(): SimUser[] {
	const adminRecord = FIXTURE.fixed['19x1'] as Values;
	const admin: SimUser = {
		id: '19x1',
		userName: 'admin',
		accessKey: ADMIN_ACCESS_KEY,
		password: 'Admin@12345',
		isAdmin: true,
		record: { ...adminRecord },
		login: {},
	};
	const labuser: SimUser = {
		id: '19x5',
		userName: 'labuser',
		accessKey: LABUSER_ACCESS_KEY,
		password: 'Lab@user12345',
		isAdmin: false,
		record: {
			...adminRecord,
			user_name: 'labuser',
			is_admin: 'off',
			first_name: 'Lab',
			last_name: 'User',
			roleid: 'H5',
			email1: 'labuser@example.com',
			hour_format: '24',
			is_owner: '0',
			userlabel: 'Lab User',
			id: '19x5',
		},
		login: {},
	};
	for (const u of [admin, labuser]) {
		const r = u.record;
		u.login = {
			username: u.userName,
			first_name: r.first_name ?? '',
			last_name: r.last_name ?? '',
			email: r.email1 ?? '',
			time_zone: r.time_zone ?? 'UTC',
			hour_format: r.hour_format ?? '12',
			date_format: r.date_format ?? 'yyyy-mm-dd',
			is_admin: u.isAdmin ? 'on' : '',
			call_duration: r.callduration ?? '5',
			other_event_duration: r.othereventduration ?? '5',
		};
	}
	return [admin, labuser];
}

/** multipart/form-data, enough for Documents uploads (07_other_ops #23) */
function parseMultipart(body: Buffer, boundary: string): { fields: Record<string, string>; files: UploadedFile[] } {
	const fields: Record<string, string> = {};
	const files: UploadedFile[] = [];
	const delim = Buffer.from(`--${boundary}`);
	let pos = body.indexOf(delim);
	while (pos !== -1) {
		const start = pos + delim.length;
		if (body.slice(start, start + 2).toString() === '--') break;
		const next = body.indexOf(delim, start);
		if (next === -1) break;
		const part = body.slice(start + 2, next - 2);
		const headerEnd = part.indexOf('\r\n\r\n');
		if (headerEnd !== -1) {
			const headers = part.slice(0, headerEnd).toString();
			const content = part.slice(headerEnd + 4);
			const name = /name="([^"]*)"/i.exec(headers)?.[1] ?? '';
			const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
			if (filename !== undefined) {
				const contentType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream';
				files.push({ field: name, filename, contentType, content });
			} else fields[name] = content.toString('utf8');
		}
		pos = next;
	}
	return { fields, files };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

interface Reply {
	status: number;
	contentType: string;
	body: string;
}

const json = (v: unknown): Reply => ({ status: 200, contentType: 'application/json', body: JSON.stringify(v) });
const EMPTY_500: Reply = { status: 500, contentType: 'text/html; charset=UTF-8', body: '' };

export class Simulator {
	url = '';
	baseUrl = '';
	readonly admin: SimUserInfo<'admin', '19x1'>;
	readonly user: SimUserInfo<'labuser', '19x5'>;
	readonly log: RequestLogEntry[] = [];
	readonly clock = new SimClock();
	readonly store: RecordStore;
	readonly faults: FaultKnobs;
	/** the n8n Connector extension; its operations exist and writes deliver webhooks only after installConnector() */
	readonly connector: N8nConnector;
	private connectorInstalled = false;
	maxInFlight = 0;
	sessionIdleSeconds: number;
	private inFlight = 0;
	private profile: Profile;
	private ops: Operations;
	private server: Server;
	private sockets = new Set<Socket>();
	private hanging = new Set<ServerResponse>();
	private queue: Array<{ kind: FaultKind; operation?: string }> = [];
	private extensions = new Map<string, { method: 'GET' | 'POST'; handler: (params: Record<string, string>, user: SimUser) => unknown }>();

	constructor(private options: SimulatorOptions = {}) {
		this.profile = options.profile ?? 'positional';
		this.sessionIdleSeconds = options.sessionIdleSeconds ?? 1440;
		this.store = new RecordStore(this.clock);
		for (const u of makeUsers()) this.store.users.set(u.id, u);
		this.ops = new Operations(this.store, this.clock, () => this.profile);
		this.admin = { username: 'admin', accessKey: ADMIN_ACCESS_KEY, userId: '19x1', password: 'Admin@12345' };
		this.user = { username: 'labuser', accessKey: LABUSER_ACCESS_KEY, userId: '19x5', password: 'Lab@user12345' };
		const queue = this.queue;
		const ops = this.ops;
		this.faults = {
			latencyMs: options.latencyMs ?? 0,
			failNext(n: number, kind: FaultKind, operation?: string) {
				for (let i = 0; i < n; i++) queue.push({ kind, operation: operation?.toLowerCase() });
			},
			competingChallenge(username: string) {
				ops.competing.add(username);
			},
			betweenSyncQueries(save: () => void) {
				ops.betweenSyncQueries.push(save);
			},
			clear() {
				queue.length = 0;
				ops.competing.clear();
				ops.betweenSyncQueries.length = 0;
			},
			pending: () => queue.length,
		};
		this.connector = new N8nConnector({
			now: () => this.clock.now(),
			users: this.store.users,
			retrieveAs: (user, rec) => {
				try {
					return this.ops.retrieve({ params: { id: wsId(rec) }, user, session: null, files: [], method: 'GET' }) as Record<string, unknown>;
				} catch {
					return undefined;
				}
			},
			entityModules: (user) => {
				const listed = this.ops.listtypes({ params: {}, user, session: null, files: [], method: 'GET' }) as { types?: string[] };
				return listed.types ?? [];
			},
		});
		if (options.seed) seedRecords(this.ops);
		if (options.extension) this.setExtension(true);
		this.server = createServer((req, res) => void this.handle(req, res));
		this.server.on('connection', (s: Socket) => {
			this.sockets.add(s);
			s.on('close', () => this.sockets.delete(s));
		});
	}

	async listen(): Promise<this> {
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
		});
		const { port } = this.server.address() as AddressInfo;
		this.baseUrl = `http://127.0.0.1:${port}`;
		this.url = `${this.baseUrl}/webservice.php`;
		return this;
	}

	/**
	 * Registers an extension operation, as vtws_addWebserviceOperation does (seeds/003: gettranslation):
	 * the handler gets the parameters of its method only; a thrown WsError becomes Vtiger's error envelope.
	 */
	registerOperation(
		name: string,
		method: 'GET' | 'POST',
		handler: (params: Record<string, string>, user: SimUser) => unknown,
	): void {
		this.extensions.set(name.toLowerCase(), { method, handler });
	}

	/** Removes one registered operation (an older release of an extension without it): HTTP 500, empty body. */
	unregisterOperation(name: string): void {
		this.extensions.delete(name.toLowerCase());
	}

	/**
	 * Installs the n8n Connector extension: its webservice operations (subscriptions, settings, and the line-item
	 * operations n8n_inventory_create / n8n_inventory_revise / n8n_inventory_delete), and a webhook delivery after every
	 * create, update, revise and delete made through webservice.php (restores: `recordEvent`). `allowedHosts` is
	 * the administrator's allow-list of internal destinations (default: 127.0.0.1 and localhost, where tests run
	 * n8n; public hosts are always allowed), also set by the n8n_settings operation.
	 */
	installConnector(options: { allowedHosts?: string[]; allowNonAdmins?: boolean } = {}): N8nConnector {
		const connector = this.connector;
		connector.allowedHosts = options.allowedHosts ?? ['127.0.0.1', 'localhost'];
		connector.allowNonAdmins = options.allowNonAdmins ?? false;
		if (!this.connectorInstalled) {
			this.registerOperation('n8n_info', 'GET', (_params, user) => connector.info(user));
			this.registerOperation('n8n_subscribe', 'POST', (params, user) => connector.subscribe(params, user));
			this.registerOperation('n8n_unsubscribe', 'POST', (params, user) => connector.unsubscribe(params, user));
			this.registerOperation('n8n_subscription', 'GET', (params, user) => connector.subscription(params, user));
			this.registerOperation('n8n_settings', 'POST', (params, user) => connector.settings(params, user));
			this.registerOperation('n8n_resume', 'POST', (params, user) => connector.resume(params, user));
			this.registerOperation('n8n_inventory_create', 'POST', (params, user) => this.ops.n8nInventoryCreate(user, params));
			this.registerOperation('n8n_inventory_revise', 'POST', (params, user) => this.ops.n8nInventoryRevise(user, params, null));
			this.registerOperation('n8n_inventory_delete', 'POST', (params, user) => {
				const deleting = this.store.byCrmid.get(Number((params.id ?? '').split('x')[1]));
				const result = this.ops.n8nInventoryDelete(user, params, null);
				this.afterWrite('delete', result, deleting);
				return result;
			});
			this.connectorInstalled = true;
		}
		return connector;
	}

	/** Uninstalls the extension: its operations become unknown (HTTP 500, empty body) and nothing is delivered. */
	uninstallConnector(): void {
		for (const name of CONNECTOR_OPERATIONS) this.extensions.delete(name);
		this.connectorInstalled = false;
	}

	/** An event for the extension as its handler records it (e.g. `restored`, which no webservice operation makes). */
	recordEvent(event: ConnectorEvent, id: string): void {
		const rec = this.store.getRecord(id);
		if (!rec) throw new Error(`no record ${id}`);
		if (this.connectorInstalled) this.connector.record(event, rec, wsId(rec));
	}

	/** Installs (true) or removes (false) the n8n Connector extension, as Module Management would. */
	setExtension(installed: boolean): void {
		if (installed) this.installConnector();
		else this.uninstallConnector();
	}

	/**
	 * Registers an entity module (a module builder module like `Cars` with `cf_…` fields, or a recorded
	 * module with other createable/updateable/deleteable flags): see registerModuleMeta in meta.ts.
	 */
	registerModule(meta: ModuleMeta, registration?: ModuleRegistration): void {
		registerModuleMeta(meta, registration);
		this.store.version++;
	}

	/** Undoes registerModule. */
	unregisterModule(name: string): void {
		unregisterModuleMeta(name);
		this.store.version++;
	}

	setProfile(p: Profile): void {
		this.profile = p;
	}

	getProfile(): Profile {
		return this.profile;
	}

	clearLog(): void {
		this.log.length = 0;
	}

	count(operation?: string): number {
		if (!operation) return this.log.length;
		const op = operation.toLowerCase();
		return this.log.filter((e) => e.operation === op).length;
	}

	resetMaxInFlight(): void {
		this.maxInFlight = this.inFlight;
	}

	/** Every session (of one user) dies: the next call answers INVALID_SESSIONID. */
	killSessions(username?: string): void {
		for (const [name, s] of this.ops.sessions) {
			const u = this.store.users.get(s.userId);
			if (!username || u?.userName === username) this.ops.sessions.delete(name);
		}
	}

	/** Live session names (of one user). */
	sessions(username?: string): string[] {
		return [...this.ops.sessions.values()]
			.filter((s) => !username || this.store.users.get(s.userId)?.userName === username)
			.map((s) => s.name);
	}

	async stop(): Promise<void> {
		for (const res of this.hanging) res.destroy();
		this.hanging.clear();
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			for (const s of this.sockets) s.destroy();
		});
	}

	private takeFault(operation: string | null): FaultKind | undefined {
		const i = this.queue.findIndex((f) => !f.operation || f.operation === operation);
		if (i === -1) return undefined;
		return this.queue.splice(i, 1)[0].kind;
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		this.inFlight++;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		const entry: RequestLogEntry = {
			operation: null,
			method: req.method ?? 'GET',
			params: {},
			sessionName: null,
			status: 0,
			at: Date.now(),
		};
		let reply: Reply;
		try {
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			const body = await readBody(req);
			const latency = this.faults.latencyMs;
			if (latency > 0) await new Promise((r) => setTimeout(r, latency));
			if (url.pathname !== '/webservice.php') {
				reply = { status: 404, contentType: 'text/html; charset=UTF-8', body: notFoundPage(url.pathname + url.search) };
				entry.status = 404;
				this.log.push(entry);
				return this.send(res, reply);
			}
			const get: Record<string, string> = Object.fromEntries(url.searchParams);
			let post: Record<string, string> = {};
			let files: UploadedFile[] = [];
			const type = (req.headers['content-type'] ?? '').toLowerCase();
			let jsonBody = false;
			if (req.method === 'POST') {
				if (type.startsWith('multipart/form-data')) {
					const boundary = /boundary=([^;]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.replace(/"/g, '') ?? '';
					const mp = parseMultipart(body, boundary);
					post = mp.fields;
					files = mp.files;
				} else if (type.startsWith('application/json')) {
					jsonBody = true;
				} else {
					post = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
				}
			}
			const request = { ...get, ...post };
			const opName = request.operation !== undefined ? request.operation.toLowerCase() : null;
			entry.operation = opName;
			entry.params = request;
			entry.sessionName = request.sessionName ?? null;
			const known = entry.sessionName ? this.ops.sessions.get(entry.sessionName) : undefined;
			if (known) entry.userName = this.store.users.get(known.userId)?.userName;
			const fault = this.takeFault(opName);
			if (fault) entry.fault = fault;
			if (fault === 'hang') {
				entry.status = 0;
				this.log.push(entry);
				this.hanging.add(res);
				return;
			}
			if (fault === 'http500') reply = EMPTY_500;
			else if (fault === 'empty') reply = { status: 200, contentType: 'application/json', body: '' };
			else if (fault === 'plainText') reply = { status: 200, contentType: 'text/html; charset=UTF-8', body: RESTRICTED };
			else {
				reply = jsonBody ? EMPTY_500 : this.dispatch(opName, req.method ?? 'GET', get, post, request, files, entry);
				if (fault === 'truncated') reply = { ...reply, body: reply.body.slice(0, Math.max(1, Math.floor(reply.body.length / 2))) };
				if (fault === 'phpWarning') reply = { ...reply, contentType: 'text/html; charset=UTF-8', body: PHP_WARNING + reply.body };
			}
		} catch {
			reply = EMPTY_500;
		}
		entry.status = reply.status;
		this.log.push(entry);
		this.send(res, reply);
	}

	/** The extension's event handler: after the save, never inside it (delivery runs after the answer is sent). */
	private afterWrite(opName: string, result: unknown, deleted: SimRecord | undefined): void {
		let event: ConnectorEvent | undefined;
		let rec: SimRecord | undefined;
		if (opName === 'create' || opName === 'update' || opName === 'revise') {
			const id = String((result as { id?: unknown } | null)?.id ?? '');
			// a Calendar create stored as an Event answers a 9x id (activity.ts): the crmid finds the record
			rec = id ? this.store.byCrmid.get(Number(id.split('x')[1])) : undefined;
			event = opName === 'create' ? 'created' : 'updated';
		} else if (opName === 'delete') {
			rec = deleted;
			event = 'deleted';
		}
		if (!event || !rec || rec.module === 'Users') return;
		const target = rec;
		const kind = event;
		setImmediate(() => this.connector.record(kind, target, wsId(target)));
	}

	private send(res: ServerResponse, reply: Reply): void {
		this.inFlight--;
		res.writeHead(reply.status, { 'Content-Type': reply.contentType, 'Content-Length': Buffer.byteLength(reply.body) });
		res.end(reply.body);
	}

	private dispatch(
		opName: string | null,
		method: string,
		get: Record<string, string>,
		post: Record<string, string>,
		request: Record<string, string>,
		files: UploadedFile[],
		entry: RequestLogEntry,
	): Reply {
		// an unknown or missing operation ends in a PHP fatal error (02_auth_session #21, #22)
		const extension = opName ? this.extensions.get(opName) : undefined;
		if (!opName || (!OPERATIONS[opName] && !extension)) return EMPTY_500;
		if (request.format !== undefined && request.format !== 'json') return { ...EMPTY_500, contentType: 'application/json' };
		const reg = OPERATIONS[opName] ?? { method: extension!.method, prelogin: false };
		let sessionName: string | null = request.sessionName ?? null;
		if (sessionName === '' || sessionName === 'null') sessionName = null;
		const ctx: OpContext = {
			params: reg.method === 'GET' ? get : post,
			user: null,
			session: null,
			files,
			method,
		};
		try {
			if (sessionName) {
				const s = this.ops.sessions.get(sessionName);
				const now = this.clock.now();
				if (!s || now - s.lastSeen > this.sessionIdleSeconds) {
					if (s) this.ops.sessions.delete(sessionName);
					throw new WsError('INVALID_SESSIONID', 'Session Identifier provided is Invalid');
				}
				const user = this.store.users.get(s.userId);
				if (!user) {
					this.ops.sessions.delete(sessionName);
					throw new WsError('INVALID_SESSIONID', 'Session Identifier provided is Invalid');
				}
				s.lastSeen = now;
				ctx.session = s;
				ctx.user = user;
				entry.userName = user.userName;
			} else if (!reg.prelogin) {
				throw new WsError('AUTHENTICATION_REQUIRED', 'Authencation required');
			}
			if (opName === 'login' && ctx.params.username) entry.userName = ctx.params.username;
			if (opName === 'getchallenge' && ctx.params.username) entry.userName = ctx.params.username;
			if (this.profile === 'stock-8.3-php8' && STOCK_CRASHES.has(opName)) return EMPTY_500;
			if (this.profile !== 'salesplatform' && STOCK_RESTRICTED.has(opName)) throw new PlainText();
			if (extension) return json({ success: true, result: extension.handler(ctx.params, ctx.user as SimUser) });
			const handler = (this.ops as unknown as Record<string, (c: OpContext) => unknown>)[opName];
			if (typeof handler !== 'function') return EMPTY_500;
			const deleting = opName === 'delete' ? this.store.byCrmid.get(Number((ctx.params.id ?? '').split('x')[1])) : undefined;
			const result = handler.call(this.ops, ctx);
			if (this.connectorInstalled) this.afterWrite(opName, result, deleting);
			return json({ success: true, result });
		} catch (e) {
			if (e instanceof WsError) return json({ success: false, error: { message: e.message, code: e.code } });
			if (e instanceof PlainText) return { status: 200, contentType: 'text/html; charset=UTF-8', body: RESTRICTED };
			if (e instanceof Crash) return EMPTY_500;
			return EMPTY_500;
		}
	}
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
	return new Simulator(options).listen();
}
