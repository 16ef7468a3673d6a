/**
 * What the lab benchmarks (extension.ts, instant.ts) read from their command line and from the lab of ../shared/lab:
 * `--name value` options, `--name` flags, $LAB_DIR/lab.env and the webservice URL `--server` names.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';

export const LAB_DIR = process.env.LAB_DIR ?? `${homedir()}/.cache/vtiger-lab`;

export function arg(name: string, fallback: string): string {
	const at = process.argv.indexOf(`--${name}`);
	return at > 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

export const flag = (name: string): boolean => process.argv.includes(`--${name}`);

/** $LAB_DIR/lab.env: users, keys and the two servers' URLs. */
export const labEnv: Record<string, string> = {};
for (const line of readFileSync(`${LAB_DIR}/lab.env`, 'utf8').split('\n')) {
	const at = line.indexOf('=');
	if (at > 0) labEnv[line.slice(0, at)] = line.slice(at + 1);
}

/** `--server stock|positional|URL` (default stock) as given, and its webservice URL. */
export const serverArg = arg('server', 'stock');
export const URL = serverArg === 'stock' ? labEnv.VT_URL_STOCK : serverArg === 'positional' ? labEnv.VT_URL_POS : serverArg;
