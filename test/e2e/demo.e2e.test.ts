import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { repoRoot } from './helpers/paths';

/**
 * `npm run demo` as a user runs it (without the build, which the suite's globalSetup did): the simulator, n8n
 * with the package, the examples imported from examples/ and run, the trigger's execution, everything stopped.
 */
test('npm run demo runs the example workflows, shows what they did and the contacts the trigger emitted, then exits 0', async () => {
	const tsx = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
	const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
		const child = spawn(process.execPath, [tsx, 'scripts/demo.ts'], {
			cwd: repoRoot,
			env: { ...process.env, DEMO_SKIP_SETUP: '1', DEMO_N8N_PORT: '0', DEMO_SIMULATOR_PORT: '0', GENERIC_TIMEZONE: 'Europe/Berlin' },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let text = '';
		child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
		child.on('error', reject);
		child.on('close', (exitCode) => resolve({ code: exitCode, output: text }));
	});
	expect({ code, tail: code === 0 ? '' : output.slice(-3000) }).toEqual({ code: 0, tail: '' });
	const lead = /✓ Create Lead: created Leads (10x\d+) "Ada Lovelace"/.exec(output)?.[1];
	expect(lead).toBeDefined();
	expect(output).toContain(`✓ Find Lead: found 1 Leads record(s): ${lead} "Ada Lovelace"`);
	expect(output).toContain(`✓ Qualify Lead: updated ${lead} "Ada Lovelace": leadstatus = "Hot"`);
	expect(output).toMatch(new RegExp(`✓ Convert Lead: converted lead ${lead} into organization 11x\\d+, contact 12x\\d+, opportunity 13x\\d+`));
	const contact = /✓ Convert Lead: converted lead 10x\d+ into organization 11x\d+, contact (12x\d+)/.exec(output)?.[1];
	const upserted = /✓ Create or Update by Email: created (12x\d+) "Grace Hopper", created (12x\d+) "Alan Turing", updated \1 "Grace Hopper"/.exec(output);
	expect(upserted).not.toBeNull();
	// the Contacts trigger emits the contact made from the lead and the two upserted contacts (a poll that fell
	// between the upsert's create and update of Grace may add an "updated" line for her, nothing else)
	const emitted = output.split('\n').filter((line) => /^ {4}(created|updated) Contacts /.test(line));
	expect(emitted).toEqual(
		expect.arrayContaining([
			`    created Contacts ${contact} "Ada Lovelace"  ← the contact "Convert Lead" made from lead ${lead}`,
			`    created Contacts ${upserted?.[1]} "Grace Hopper"  ← created by "Create or Update by Email"`,
			`    created Contacts ${upserted?.[2]} "Alan Turing"  ← created by "Create or Update by Email"`,
		]),
	);
	expect(emitted.filter((line) => !line.startsWith('    created') && !line.includes(`${upserted?.[1]} "Grace Hopper"`))).toEqual([]);
	expect(emitted.length).toBeLessThanOrEqual(4);
	expect(output).not.toContain('✗');
	expect(output).toMatch(/Demo finished in [\d.]+ s: n8n and the simulator are stopped\./);
	expect(output).toContain('Time zone of the workflows: Europe/Berlin (GENERIC_TIMEZONE)');
	expect(output).toMatch(/Imported the credential "Vtiger account" and \d+ workflows from examples\/ \(\d+\.\d s\)/);
	const folder = /package from (\S+)\/\.n8n\/nodes/.exec(output)?.[1] as string;
	expect({ folder, left: fs.existsSync(folder) }).toEqual({ folder, left: false });
});

/**
 * `npm run demo -- --serve` exactly as the README says (free ports instead of 5678/8099, and without the build,
 * which globalSetup did): n8n answers and the printed owner signs in, until Ctrl+C (SIGINT to the command's
 * process group, as a terminal sends it) stops n8n and the simulator and removes n8n's folder.
 */
test('npm run demo -- --serve keeps n8n running for the printed owner until Ctrl+C, which stops it and cleans up', async () => {
	const child = spawn('npm', ['run', 'demo', '--', '--serve'], {
		cwd: repoRoot,
		detached: true,
		env: { ...process.env, DEMO_SKIP_SETUP: '1', DEMO_N8N_PORT: '0', DEMO_SIMULATOR_PORT: '0' },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	// npm itself ends on the SIGINT (as in a terminal); the demo under it stops n8n first
	const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
		child.on('close', (code, signal) => resolve({ code, signal })),
	);
	const running = (): boolean => child.exitCode === null && child.signalCode === null;
	const signIn = /n8n keeps running: open (\S+) and sign in as (\S+) \/ (\S+)/;
	try {
		const deadline = Date.now() + 200000;
		while (!signIn.test(output) && running() && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		const [, url, email, password] = signIn.exec(output) ?? [];
		expect({ url, tail: url ? '' : output.slice(-3000) }).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), tail: '' });
		const folder = /removes n8n's folder \((.+?)\)/.exec(output)?.[1] as string;
		expect(fs.existsSync(folder)).toBe(true);

		const login = await fetch(`${url}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: email, password }),
		});
		expect(login.status).toBe(200);
		expect((login.headers.getSetCookie?.() ?? []).some((cookie) => cookie.startsWith('n8n-auth='))).toBe(true);

		process.kill(-(child.pid as number), 'SIGINT');
		expect([{ code: 0, signal: null }, { code: null, signal: 'SIGINT' }]).toContainEqual(await closed);
		expect(output).toContain('Stopping n8n and the simulator');
		expect({ folder, left: fs.existsSync(folder) }).toEqual({ folder, left: false });
		await expect(fetch(`${url}/healthz`)).rejects.toThrow();
	} finally {
		// a failed assertion still stops n8n: its own process group is stopped by the demo on SIGINT
		for (const signal of ['SIGINT', 'SIGKILL'] as const) {
			if (!running()) break;
			try {
				process.kill(-(child.pid as number), signal);
			} catch {
				break; // the group is gone
			}
			await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 30000))]);
		}
	}
}, 300000);
