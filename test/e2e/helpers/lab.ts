import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { repoRoot } from './paths';

/**
 * The Vtiger lab (a real Vtiger CRM 8.3.0 with the n8n Connector extension), found by the live suite's rule
 * (scripts/live.sh): ../shared/lab beside the repository (LIVE_LAB elsewhere) and its $LAB_DIR/lab.env
 * (default ~/.cache/vtiger-lab). A public clone has neither: the e2e files that need the lab skip and say why.
 */
export interface Lab {
	/** the stock server's webservice.php (Vtiger 8.3.0 as released, on PHP 8) */
	url: string;
	/** the web UI beside it (http://127.0.0.1:8080) */
	webUrl: string;
	username: string;
	accessKey: string;
	/** the administrator's web password (the web UI's login form), not the access key */
	password: string;
}

export function findLab(): { lab?: Lab; skipped?: string } {
	const labScripts = process.env.LIVE_LAB ? path.resolve(process.env.LIVE_LAB) : path.resolve(repoRoot, '..', 'shared', 'lab');
	const labDir = process.env.LAB_DIR || path.join(os.homedir(), '.cache', 'vtiger-lab');
	const envFile = path.join(labDir, 'lab.env');
	if (!fs.existsSync(path.join(labScripts, 'setup.sh'))) {
		return { skipped: `no Vtiger lab: ${labScripts} not found (a public clone has none; the lab's setup.sh builds one)` };
	}
	if (!fs.existsSync(envFile)) return { skipped: `no ${envFile}: run bash scripts/live.sh setup first` };
	// KEY=value lines without quotes, split on the first '=' (../shared/lab/README.md, "lab.env")
	const env = new Map<string, string>();
	for (const line of fs.readFileSync(envFile, 'utf8').split('\n')) {
		const at = line.indexOf('=');
		if (at > 0 && !line.startsWith('#')) env.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
	}
	const url = env.get('VT_URL_STOCK') ?? '';
	const username = env.get('VT_USER') ?? '';
	const accessKey = env.get('VT_ACCESSKEY') ?? '';
	const password = env.get('VT_PASSWORD') ?? '';
	if (!url || !username || !accessKey || !password) return { skipped: `${envFile} lacks VT_URL_STOCK, VT_USER, VT_ACCESSKEY or VT_PASSWORD` };
	return { lab: { url, webUrl: url.replace(/\/webservice\.php$/, '').replace(/\/+$/, ''), username, accessKey, password } };
}

export interface LabAnswer {
	status: number;
	text: string;
	body?: { success?: boolean; result?: unknown; error?: { code?: string; message?: string } };
}

export interface LabClient {
	userId: string;
	send(operation: string, params?: Record<string, unknown>): Promise<LabAnswer>;
	/** `result` of a successful answer; throws with Vtiger's code and message otherwise */
	call<T = unknown>(operation: string, params?: Record<string, unknown>): Promise<T>;
}

/** Operations Vtiger (and the extension's operations.php) registers as GET: their parameters go in the query string. */
const GET_OPERATIONS = ['getchallenge', 'retrieve', 'query', 'describe', 'listtypes', 'n8n_info', 'n8n_subscription'];

/**
 * A raw webservice client of the lab's administrator, independent of the nodes under test: what another
 * integration writes in Vtiger, and what the test reads back to check Vtiger's side.
 */
export async function labClient(lab: Lab): Promise<LabClient> {
	const send = async (operation: string, params: Record<string, unknown> = {}): Promise<LabAnswer> => {
		const form = new URLSearchParams({ operation });
		for (const [key, value] of Object.entries(params)) {
			if (value !== undefined) form.set(key, typeof value === 'string' ? value : JSON.stringify(value));
		}
		const response = GET_OPERATIONS.includes(operation)
			? await fetch(`${lab.url}?${form.toString()}`)
			: await fetch(lab.url, { method: 'POST', body: form });
		const text = await response.text();
		let body: LabAnswer['body'];
		try {
			body = JSON.parse(text) as LabAnswer['body'];
		} catch {
			body = undefined;
		}
		return { status: response.status, text, body };
	};
	let login: LabAnswer | undefined;
	for (let attempt = 0; attempt < 5; attempt++) {
		// another engineer's login of the same user can replace the challenge token in between (README: login races)
		const challenge = await send('getchallenge', { username: lab.username });
		const token = (challenge.body?.result as { token?: string } | undefined)?.token ?? '';
		login = await send('login', { username: lab.username, accessKey: crypto.createHash('md5').update(token + lab.accessKey).digest('hex') });
		if (login.body?.success) break;
		await new Promise((done) => setTimeout(done, 100 + Math.random() * 300));
	}
	if (!login?.body?.success) throw new Error(`login to the lab failed: HTTP ${login?.status} ${login?.text.slice(0, 200)}`);
	const { sessionName, userId } = login.body.result as { sessionName: string; userId: string };
	const client: LabClient = {
		userId,
		send: async (operation, params = {}) => await send(operation, { sessionName, ...params }),
		call: async <T>(operation: string, params: Record<string, unknown> = {}) => {
			const answer = await client.send(operation, params);
			if (!answer.body?.success) {
				const error = answer.body?.error;
				throw new Error(`${operation}: ${error ? `${error.code} ${error.message}` : `HTTP ${answer.status} ${answer.text.slice(0, 200) || '(empty body)'}`}`);
			}
			return answer.body.result as T;
		},
	};
	return client;
}

/**
 * The tag of this run's records (the live suite's prefix, so its sweep also deletes what a crashed run left
 * behind after an hour): only records whose last name carries it are looked at, others write the lab too.
 */
export function labTag(suffix: string): string {
	return `n8nlive-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}-${suffix}`;
}
