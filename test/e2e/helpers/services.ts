import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { freePort } from './n8n';

/**
 * Redis and PostgreSQL for n8n's queue mode, from Debian's packages: installed when missing
 * (`apt-get install -y --no-upgrade`, nothing else upgraded; `apt-get update` only when apt knows
 * no candidate), started by the test on 127.0.0.1 with their own data directories under a temp dir,
 * stopped by it. The packages' own services are left alone.
 */

export interface Service {
	port: number;
	stop(): Promise<void>;
}

function postgresBin(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!fs.existsSync(root)) return undefined;
	const versions = fs
		.readdirSync(root)
		.filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? path.join(root, versions[0], 'bin') : undefined;
}

function redisBin(): string | undefined {
	return ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((file) => fs.existsSync(file));
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Installs redis-server and postgresql from Debian when either is missing. */
export function ensureQueueServices(): { installedSeconds: number } {
	const started = Date.now();
	if (redisBin() && postgresBin()) return { installedSeconds: 0 };
	const sudo = isRoot ? [] : ['sudo', '-n'];
	const apt = (args: string[]) =>
		execFileSync(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), ...args], {
			stdio: ['ignore', 'inherit', 'inherit'],
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
		});
	const packages = ['redis-server', 'postgresql'];
	const known = execFileSync('apt-cache', ['policy', ...packages], { encoding: 'utf8' });
	if (/Candidate: \(none\)/.test(known) || !/Candidate:/.test(known)) apt(['update']);
	apt(['install', '-y', '--no-upgrade', '--no-install-recommends', ...packages]);
	if (!redisBin() || !postgresBin()) throw new Error('redis-server or postgresql still missing after apt-get install');
	return { installedSeconds: Math.round((Date.now() - started) / 1000) };
}

/** A scratch directory the service's user can own (PostgreSQL refuses to run as root). */
function scratch(label: string): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vtiger-e2e-${label}-`));
	fs.chmodSync(dir, 0o755);
	return dir;
}

async function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}\n${log()}`);
		const open = await new Promise<boolean>((resolve) => {
			const socket = net.connect(port, '127.0.0.1');
			socket.once('connect', () => {
				socket.destroy();
				resolve(true);
			});
			socket.once('error', () => resolve(false));
		});
		if (open) return;
		await new Promise((r) => setTimeout(r, 200));
	}
	throw new Error(`nothing listened on 127.0.0.1:${port} after ${timeoutMs} ms\n${log()}`);
}

async function stopChild(child: ChildProcess, dir: string): Promise<void> {
	if (child.exitCode === null && child.signalCode === null) {
		await new Promise<void>((resolve) => {
			const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
			child.once('exit', () => {
				clearTimeout(timer);
				resolve();
			});
			child.kill('SIGTERM');
		});
	}
	fs.rmSync(dir, { recursive: true, force: true });
}

export async function startRedis(): Promise<Service> {
	const bin = redisBin();
	if (!bin) throw new Error('redis-server is not installed (ensureQueueServices)');
	const dir = scratch('redis');
	const port = await freePort();
	let log = '';
	const child = spawn(
		bin,
		['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
		{ stdio: ['ignore', 'pipe', 'pipe'] },
	);
	child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
	child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
	await waitForPort(port, child, () => log, 30000);
	return { port, stop: async () => await stopChild(child, dir) };
}

export interface Postgres extends Service {
	user: string;
	database: string;
}

/** initdb + postgres on 127.0.0.1 (trust authentication for its one user, socket in its own directory). */
export async function startPostgres(): Promise<Postgres> {
	const bin = postgresBin();
	if (!bin) throw new Error('postgresql is not installed (ensureQueueServices)');
	const dir = scratch('postgres');
	const data = path.join(dir, 'data');
	const port = await freePort();
	const asService = (command: string, args: string[]): [string, string[]] =>
		isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
	if (isRoot) execFileSync('chown', ['postgres:', dir]);
	const [initCmd, initArgs] = asService(path.join(bin, 'initdb'), ['-D', data, '-U', 'n8n', '--auth=trust', '-E', 'UTF8', '--no-sync']);
	execFileSync(initCmd, initArgs, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
	const [cmd, args] = asService(path.join(bin, 'postgres'), [
		'-D',
		data,
		'-p',
		String(port),
		'-c',
		'listen_addresses=127.0.0.1',
		'-c',
		`unix_socket_directories=${dir}`,
		'-c',
		'fsync=off',
		'-c',
		'max_connections=100',
	]);
	let log = '';
	const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
	child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
	child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
	await waitForPort(port, child, () => log, 60000);
	// the port answers before the server accepts queries; n8n retries its connection anyway
	return { port, user: 'n8n', database: 'postgres', stop: async () => await stopChild(child, dir) };
}
