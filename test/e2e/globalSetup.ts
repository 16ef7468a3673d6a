import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { e2eDir, repoRoot, stateFile, type E2eState } from './helpers/paths';

function run(cmd: string, args: string[]): string {
	return execFileSync(cmd, args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/**
 * Builds the package, packs it the way it is published, and makes sure n8n is installed (cached outside
 * the repository). The tarball is what every test installs into an n8n user folder.
 * E2E_TARBALL=<file.tgz> tests that tarball instead (e.g. a published version); E2E_SKIP_BUILD=1 skips the build.
 */
export default function globalSetup(): void {
	const started = Date.now();
	fs.mkdirSync(e2eDir, { recursive: true });
	// n8n writes its editor's bundles into the user folders here; `npm run lint` (ESLint with per-folder config
	// lookup, scripts/lint.sh) must not lint them, and n8n's default config at the root may not be changed
	fs.writeFileSync(path.join(e2eDir, 'eslint.config.mjs'), "// the e2e suite's scratch space: nothing to lint\nexport default [{ ignores: ['**'] }];\n");
	// user folders of earlier test runs (a running demo's folder is left alone)
	const folders = path.join(e2eDir, 'n8n');
	for (const name of fs.existsSync(folders) ? fs.readdirSync(folders) : []) {
		if (!name.startsWith('demo-')) fs.rmSync(path.join(folders, name), { recursive: true, force: true });
	}
	if (process.env.E2E_SKIP_BUILD !== '1') run('bash', ['scripts/ticking.sh', 'npm run build', 'npm', 'run', '--silent', 'build']);
	let tarball = process.env.E2E_TARBALL ? path.resolve(process.env.E2E_TARBALL) : '';
	if (!tarball) {
		const packDir = path.join(e2eDir, 'pack');
		fs.rmSync(packDir, { recursive: true, force: true });
		fs.mkdirSync(packDir, { recursive: true });
		const packed = JSON.parse(
			run('npm', ['pack', '--json', '--silent', '--pack-destination', packDir]),
		) as Array<{ filename: string }>;
		tarball = path.join(packDir, packed[0].filename);
	}
	const n8nDir = run('bash', ['scripts/n8n-install.sh']).trim().split('\n').pop() as string;
	const packageName = (JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'])) as { name: string }).name;
	const state: E2eState = { n8nDir, tarball, packageName };
	fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
	process.stdout.write(`\ne2e setup: built, packed ${path.basename(tarball)}, n8n at ${n8nDir} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}
