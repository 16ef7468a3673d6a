import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

import { repoRoot } from './paths';

export interface SimulatorCli {
	url: string;
	username: string;
	accessKey: string;
	stop(): Promise<void>;
}

/**
 * Starts the simulator's CLI (`npm run simulator`) as its own process, the way a user runs it for the demo.
 * Tests that need the simulator's knobs (killSessions, store, clock) start it in-process instead
 * (`startSimulator` from test/support/simulator): n8n reaches either one over HTTP on 127.0.0.1.
 */
export async function startSimulatorCli(args: string[] = ['--seed'], port = 0): Promise<SimulatorCli> {
	const tsx = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
	const child: ChildProcess = spawn(process.execPath, [tsx, 'test/support/simulator/cli.ts', '--port', String(port), ...args], {
		cwd: repoRoot,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let out = '';
	let err = '';
	child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
	const info = await new Promise<{ url: string; username: string; accessKey: string }>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`simulator CLI did not start\n${out}\n${err}`)), 30000);
		child.stdout?.on('data', (c: Buffer) => {
			out += c.toString();
			const line = out.split('\n').find((l) => l.trim().startsWith('{'));
			if (line && out.includes('\n')) {
				clearTimeout(timer);
				resolve(JSON.parse(line) as { url: string; username: string; accessKey: string });
			}
		});
		child.on('exit', (code) => reject(new Error(`simulator CLI exited ${code}\n${out}\n${err}`)));
	});
	return {
		...info,
		stop: async () => {
			if (child.exitCode !== null) return;
			await new Promise<void>((resolve) => {
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
			});
		},
	};
}
