import * as fs from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
/** Scratch space of the suite (git-ignored): the packed tarball, n8n user folders, screenshots' sources. */
export const e2eDir = path.join(repoRoot, '.e2e');
export const stateFile = path.join(e2eDir, 'state.json');
/**
 * The editor screenshots land in .e2e/screenshots on every run; with UPDATE_SCREENSHOTS=1 they replace the
 * README's pictures in docs/screenshots.
 */
export const screenshotsDir =
	process.env.UPDATE_SCREENSHOTS === '1'
		? path.join(repoRoot, 'docs', 'screenshots')
		: path.join(e2eDir, 'screenshots');

export interface E2eState {
	/** Directory holding node_modules/n8n (the cached install). */
	n8nDir: string;
	/** Absolute path of the `npm pack` tarball of the built package. */
	tarball: string;
	packageName: string;
}

export function readState(): E2eState {
	return JSON.parse(fs.readFileSync(stateFile, 'utf8')) as E2eState;
}

/** The version of the n8n the suite runs (N8N_VERSION picks it, scripts/n8n-install.sh installs it). */
export function n8nVersion(state: E2eState = readState()): string {
	const pkg = JSON.parse(fs.readFileSync(path.join(state.n8nDir, 'node_modules', 'n8n', 'package.json'), 'utf8')) as { version: string };
	return pkg.version;
}
