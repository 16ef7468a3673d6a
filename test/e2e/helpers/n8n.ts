import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

import { e2eDir, n8nVersion, readState, type E2eState } from './paths';

export const OWNER = { email: 'owner@example.com', password: 'E2e-Owner-Passw0rd' };

export interface CredentialJson {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface WorkflowJson {
	id: string;
	name: string;
	active?: boolean;
	nodes: Array<Record<string, unknown>>;
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

export interface NodeRun {
	executionStatus?: string;
	error?: { message?: string; description?: string; httpCode?: string; [key: string]: unknown };
	data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> };
}

/** What `n8n execute --rawOutput` prints: the whole run (status + runData of every node). */
export interface ExecutionResult {
	status: string;
	finished?: boolean;
	data: {
		resultData: {
			runData: Record<string, NodeRun[]>;
			error?: { message?: string; description?: string; [key: string]: unknown };
			lastNodeExecuted?: string;
		};
	};
}

/** Signals the process group of a child started with `detached: true` (n8n and its task runner). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		// already gone
	}
}

/** A port nothing listens on right now (127.0.0.1). */
export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

/**
 * One n8n instance: its own user folder (own SQLite database) with the packed package installed in
 * `.n8n/nodes/node_modules/<package>` exactly as n8n's community-package installer leaves it
 * (tarball extracted with --strip-components=1, dev/peer dependencies stripped, listed in nodes/package.json).
 * n8n runs from the cached install under the same Node 24 that runs jest.
 */
export class N8n {
	readonly state: E2eState;
	readonly userFolder: string;
	readonly port: number;
	readonly baseUrl: string;
	readonly env: NodeJS.ProcessEnv;
	private server?: ChildProcess;
	private serverLog = '';
	private cookie?: string;

	private constructor(
		state: E2eState,
		userFolder: string,
		port: number,
		brokerPort: number,
		extraEnv: NodeJS.ProcessEnv = {},
	) {
		this.state = state;
		this.userFolder = userFolder;
		this.port = port;
		this.baseUrl = `http://127.0.0.1:${port}`;
		const bcrypt = require(path.join(state.n8nDir, 'node_modules', 'bcryptjs')) as {
			hashSync(password: string, rounds: number): string;
		};
		this.env = {
			PATH: process.env.PATH,
			HOME: process.env.HOME,
			TZ: 'UTC',
			NO_PROXY: '127.0.0.1,localhost',
			N8N_USER_FOLDER: userFolder,
			N8N_ENCRYPTION_KEY: 'e2e-encryption-key-not-secret',
			N8N_PORT: String(port),
			N8N_HOST: '127.0.0.1',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}`,
			N8N_SECURE_COOKIE: 'false',
			N8N_RUNNERS_BROKER_PORT: String(brokerPort),
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			// `execute --rawOutput` prints the run through the logger at level info
			N8N_LOG_LEVEL: 'info',
			N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
			N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
			N8N_INSTANCE_OWNER_FIRST_NAME: 'E2e',
			N8N_INSTANCE_OWNER_LAST_NAME: 'Owner',
			N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(OWNER.password, 10),
			...extraEnv,
		};
	}

	/** `env`: more settings (queue mode: a shared database and Redis, test/e2e/helpers/queue.ts). */
	static async create(label: string, options: { port?: number; env?: NodeJS.ProcessEnv } = {}): Promise<N8n> {
		const state = readState();
		const root = path.join(e2eDir, 'n8n');
		fs.mkdirSync(root, { recursive: true });
		const userFolder = fs.mkdtempSync(path.join(root, `${label}-`));
		const nodesDir = path.join(userFolder, '.n8n', 'nodes');
		const pkgDir = path.join(nodesDir, 'node_modules', state.packageName);
		fs.mkdirSync(pkgDir, { recursive: true });
		execFileSync('tar', ['-xzf', state.tarball, '-C', pkgDir, '--strip-components=1']);
		const pkgJsonPath = path.join(pkgDir, 'package.json');
		const pkg = JSON.parse(fs.readFileSync(pkgJsonPath, 'utf8')) as Record<string, unknown>;
		delete pkg.devDependencies;
		delete pkg.peerDependencies;
		delete pkg.optionalDependencies;
		fs.writeFileSync(pkgJsonPath, JSON.stringify(pkg, null, 2));
		fs.writeFileSync(
			path.join(nodesDir, 'package.json'),
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [state.packageName]: pkg.version } }, null, 2),
		);
		return new N8n(state, userFolder, options.port ?? (await freePort()), await freePort(), options.env);
	}

	get bin(): string {
		return path.join(this.state.n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
	}

	/** Runs an n8n CLI command in this user folder. */
	async cli(args: string[], timeoutMs = 120000): Promise<CliResult> {
		// its own task-runner broker port, so a CLI run can go alongside this folder's started server
		const env = { ...this.env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
		return await new Promise((resolve, reject) => {
			// own process group: n8n starts a task-runner child that must go with it
			const child = spawn(process.execPath, [this.bin, ...args], { env, cwd: this.userFolder, detached: true });
			let stdout = '';
			let stderr = '';
			child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
			child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
			const timer = setTimeout(() => {
				killGroup(child, 'SIGKILL');
				reject(new Error(`n8n ${args.join(' ')} timed out after ${timeoutMs} ms\n${stdout}\n${stderr}`));
			}, timeoutMs);
			child.on('error', reject);
			child.on('close', (code) => {
				clearTimeout(timer);
				killGroup(child, 'SIGKILL');
				resolve({ code, stdout, stderr });
			});
		});
	}

	private async cliOk(args: string[]): Promise<CliResult> {
		const result = await this.cli(args);
		if (result.code !== 0) {
			throw new Error(`n8n ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
		}
		return result;
	}

	private writeInput(name: string, data: unknown): string {
		const file = path.join(this.userFolder, `${name}-${crypto.randomUUID()}.json`);
		fs.writeFileSync(file, JSON.stringify(data, null, 2));
		return file;
	}

	/** `n8n import:credentials`: plain `data` is encrypted with the instance key, as a user's export would be re-imported. */
	async importCredentials(credentials: CredentialJson[]): Promise<void> {
		await this.cliOk(['import:credentials', `--input=${this.writeInput('credentials', credentials)}`]);
	}

	async importWorkflows(workflows: WorkflowJson[]): Promise<void> {
		await this.cliOk(['import:workflow', `--input=${this.writeInput('workflows', workflows)}`]);
	}

	/** The running n8n's major version: 1.x differs from 2.x in a CLI command and the owner's set-up. */
	get majorVersion(): number {
		return Number(n8nVersion(this.state).split('.')[0]);
	}

	/** `n8n publish:workflow` (1.x: `update:workflow --active=true`): the workflow becomes active when the server starts. */
	async publishWorkflow(id: string): Promise<void> {
		await this.cliOk(this.majorVersion < 2 ? ['update:workflow', `--id=${id}`, '--active=true'] : ['publish:workflow', `--id=${id}`]);
	}

	/**
	 * `n8n execute --id=<id> --rawOutput`: the JSON of the run follows a few log lines. A failed run exits 1;
	 * its JSON (when printed) is still returned so tests can assert on the error a user would see.
	 */
	async execute(id: string): Promise<{ code: number | null; result?: ExecutionResult; output: string }> {
		const { code, stdout, stderr } = await this.cli(['execute', `--id=${id}`, '--rawOutput']);
		fs.writeFileSync(path.join(this.userFolder, `execute-${id}-${Date.now()}.log`), `${stdout}\n--- stderr ---\n${stderr}`);
		// a failed run prints "Execution error:", a rule, then the same JSON
		const start = stdout.search(/^\{\s*$/m);
		const end = stdout.lastIndexOf('\n}');
		let result: ExecutionResult | undefined;
		if (start >= 0 && end > start) {
			try {
				result = JSON.parse(stdout.slice(start, end + 2)) as ExecutionResult;
			} catch {
				result = undefined;
			}
		}
		return { code, result, output: `${stdout}\n${stderr}` };
	}

	/**
	 * Starts `n8n start` (or another command: `worker`) and waits until `readiness` answers (the REST
	 * API's; a worker's health server when QUEUE_HEALTH_CHECK_ACTIVE is set).
	 */
	async start(timeoutMs = 90000, command: string[] = ['start'], readiness = `${this.baseUrl}/healthz/readiness`): Promise<void> {
		const child = spawn(process.execPath, [this.bin, ...command], { env: this.env, cwd: this.userFolder, detached: true });
		this.server = child;
		child.stdout?.on('data', (chunk: Buffer) => (this.serverLog += chunk.toString()));
		child.stderr?.on('data', (chunk: Buffer) => (this.serverLog += chunk.toString()));
		const deadline = Date.now() + timeoutMs;
		// n8n 1.x answers the readiness check before its REST API is mounted: a main waits for the settings too
		const ready = command[0] === 'start' ? [readiness, `${this.baseUrl}/rest/settings`] : [readiness];
		while (Date.now() < deadline) {
			if (child.exitCode !== null) throw new Error(`n8n start exited ${child.exitCode}\n${this.serverLog}`);
			try {
				if ((await Promise.all(ready.map(async (url) => (await fetch(url)).ok))).every(Boolean)) {
					if (command[0] === 'start' && this.majorVersion < 2) await this.setUpOwner();
					return;
				}
			} catch {
				// not listening yet
			}
			await new Promise((r) => setTimeout(r, 500));
		}
		throw new Error(`n8n did not become ready in ${timeoutMs} ms\n${this.serverLog}`);
	}

	/** n8n 1.x has no owner from the environment: the owner is set up once, as the first screen of the editor does. */
	private async setUpOwner(): Promise<void> {
		const res = await fetch(`${this.baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ email: OWNER.email, firstName: 'E2e', lastName: 'Owner', password: OWNER.password }),
		});
		const text = await res.text();
		if (!res.ok && !text.includes('already setup')) throw new Error(`owner setup failed: HTTP ${res.status} ${text}`);
	}

	get log(): string {
		return this.serverLog;
	}

	/** Forgets the running server (its log kept in server.log) and answers its process while it still runs. */
	private detach(): ChildProcess | undefined {
		const child = this.server;
		this.server = undefined;
		fs.writeFileSync(path.join(this.userFolder, 'server.log'), this.serverLog);
		this.cookie = undefined;
		return child && child.exitCode === null ? child : undefined;
	}

	async stop(): Promise<void> {
		const child = this.detach();
		if (!child) return;
		await new Promise<void>((resolve) => {
			const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 15000);
			child.once('exit', () => {
				clearTimeout(timer);
				killGroup(child, 'SIGKILL');
				resolve();
			});
			killGroup(child, 'SIGTERM');
		});
	}

	/** Ends n8n as a crash or `kill -9` would (n8n and its task runner at once): none of n8n's shutdown runs. */
	async kill(): Promise<void> {
		const child = this.detach();
		if (!child) return;
		await new Promise<void>((resolve) => {
			child.once('exit', () => resolve());
			killGroup(child, 'SIGKILL');
		});
	}

	/** Signs in as the owner (created from the environment) and keeps the `n8n-auth` cookie. */
	async login(): Promise<string> {
		const res = await fetch(`${this.baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
		});
		if (!res.ok) throw new Error(`login failed: HTTP ${res.status} ${await res.text()}`);
		const cookie = (res.headers.getSetCookie?.() ?? [])
			.map((c) => c.split(';')[0])
			.find((c) => c.startsWith('n8n-auth='));
		if (!cookie) throw new Error('login answered without an n8n-auth cookie');
		this.cookie = cookie;
		return cookie;
	}

	get authCookie(): string | undefined {
		return this.cookie;
	}

	/** Calls n8n's REST API as the signed-in owner; `data` is the `data` member n8n wraps answers in. */
	async rest<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<{ status: number; data: T; raw: unknown }> {
		if (!this.cookie) await this.login();
		const res = await fetch(`${this.baseUrl}/rest${urlPath}`, {
			method,
			headers: {
				'content-type': 'application/json',
				cookie: this.cookie as string,
				'browser-id': 'e2e-browser',
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		let raw: unknown = text;
		try {
			raw = JSON.parse(text);
		} catch {
			// not JSON
		}
		const data = (raw && typeof raw === 'object' && 'data' in raw ? (raw as { data: T }).data : raw) as T;
		return { status: res.status, data, raw };
	}

	/** Parses an execution's `data` as stored by n8n (the `flatted` format). */
	parseFlatted<T = unknown>(text: string): T {
		const flatted = require(path.join(this.state.n8nDir, 'node_modules', 'flatted')) as { parse(s: string): unknown };
		return flatted.parse(text) as T;
	}

	/** Activates (publishes) a workflow in the started server, as the editor's toggle does: it polls once right away. */
	async activateWorkflow(id: string): Promise<void> {
		const current = await this.rest<{ versionId: string }>('GET', `/workflows/${id}`);
		if (current.status !== 200) throw new Error(`GET /rest/workflows/${id}: HTTP ${current.status}`);
		const activated = await this.rest<{ active?: boolean; activeVersionId?: string | null }>('POST', `/workflows/${id}/activate`, {
			versionId: current.data.versionId,
		});
		if (activated.status !== 200) {
			throw new Error(`activating workflow ${id}: HTTP ${activated.status} ${JSON.stringify(activated.raw).slice(0, 1000)}`);
		}
	}

	/** Full execution (with run data) through the REST API. */
	async getExecution(id: string): Promise<{ status: string; mode: string; workflowId: string; data: ExecutionResult['data'] }> {
		const { status, data } = await this.rest<{ status: string; mode: string; workflowId: string; data: string }>(
			'GET',
			`/executions/${id}`,
		);
		if (status !== 200) throw new Error(`GET /rest/executions/${id}: HTTP ${status}`);
		return { ...data, data: this.parseFlatted<ExecutionResult['data']>(data.data) };
	}

	/** Waits until `predicate` holds for the list of executions of a workflow (newest first). */
	async waitForExecutions(
		workflowId: string,
		predicate: (list: Array<{ id: string; status: string; mode: string }>) => boolean,
		timeoutMs: number,
	): Promise<Array<{ id: string; status: string; mode: string }>> {
		const deadline = Date.now() + timeoutMs;
		let list: Array<{ id: string; status: string; mode: string }> = [];
		while (Date.now() < deadline) {
			const filter = encodeURIComponent(JSON.stringify({ workflowId }));
			const { data } = await this.rest<{ results: Array<{ id: string; status: string; mode: string }> }>(
				'GET',
				`/executions?filter=${filter}&limit=50`,
			);
			list = data?.results ?? [];
			if (predicate(list)) return list;
			await new Promise((r) => setTimeout(r, 1000));
		}
		throw new Error(`timed out waiting for executions of ${workflowId}; last list: ${JSON.stringify(list)}`);
	}
}

/** Items of a node's first output in a run, as the editor's table would show them. */
export function outputOf(result: ExecutionResult | undefined, nodeName: string, runIndex = 0): Array<Record<string, unknown>> {
	const run = result?.data.resultData.runData[nodeName]?.[runIndex];
	return (run?.data?.main?.[0] ?? []).map((item) => item.json);
}

export function errorOf(result: ExecutionResult | undefined, nodeName: string): NodeRun['error'] | undefined {
	return result?.data.resultData.runData[nodeName]?.[0]?.error;
}

/** `{ code, error }` of a CLI run, plus the tail of n8n's output when it failed (shown by jest's diff). */
export function outcome(run: { code: number | null; result?: ExecutionResult; output: string }): Record<string, unknown> {
	const error = run.result?.data.resultData.error;
	return {
		code: run.code,
		error: error ? `${error.message} – ${error.description ?? ''}` : undefined,
		...(run.code === 0 ? {} : { output: run.output.slice(-2500) }),
	};
}
