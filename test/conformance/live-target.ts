/**
 * What the replay needs from a real server (`replay.ts --url`): the fixed records the recordings depend on,
 * looked up by label (FIXED_RECORDS), the records the lab made outside the recorded requests (LAB_ACTIONS)
 * created through the webservice, and at the end the deletion of every record the replay created.
 */
import { createHash } from 'node:crypto';

import { createInventoryInWebUi, type WebUiLogin } from '../live/webui';
import { FIXED_RECORDS, type LabAction, type ReplayReport, type ReplayTarget } from './replay';

interface Answer {
	success?: boolean;
	result?: unknown;
	error?: { code?: string; message?: string };
}

/** One webservice session on a live target (admin). */
export class LiveSession {
	private sessionName = '';

	constructor(
		private readonly url: string,
		private readonly username: string,
		private readonly accessKey: string,
	) {}

	async call(operation: string, params: Record<string, string>, method: 'GET' | 'POST' = 'GET'): Promise<Answer> {
		if (!this.sessionName && operation !== 'getchallenge' && operation !== 'login') await this.login();
		const form = new URLSearchParams({ operation, ...params, ...(this.sessionName ? { sessionName: this.sessionName } : {}) });
		const res = method === 'GET'
			? await fetch(`${this.url}?${form}`)
			: await fetch(this.url, { method: 'POST', body: form });
		const text = await res.text();
		try {
			return JSON.parse(text) as Answer;
		} catch {
			return { success: false, error: { code: `HTTP ${res.status}`, message: text.slice(0, 200) } };
		}
	}

	private async login(): Promise<void> {
		const challenge = await this.call('getchallenge', { username: this.username });
		const token = (challenge.result as { token?: string } | undefined)?.token ?? '';
		const digest = createHash('md5').update(token + this.accessKey).digest('hex');
		const login = await this.call('login', { username: this.username, accessKey: digest }, 'POST');
		const session = (login.result as { sessionName?: string } | undefined)?.sessionName;
		if (!session) throw new Error(`login to ${this.url} failed: ${login.error?.code ?? 'no session'}`);
		this.sessionName = session;
	}

	async query(vtql: string): Promise<Array<Record<string, string>>> {
		const answer = await this.call('query', { query: vtql });
		return answer.success ? (answer.result as Array<Record<string, string>>) : [];
	}
}

/** The fixed records the target already holds: recorded id -> live id (the oldest record with that label). */
export async function findFixedRecords(session: LiveSession): Promise<Map<string, string>> {
	const found = new Map<string, string>();
	for (const f of FIXED_RECORDS) {
		const label = f.label.replace(/\\/g, '\\\\').replace(/'/g, "''");
		const rows = await session.query(`SELECT id FROM ${f.module} WHERE ${f.labelField} = '${label}' ORDER BY id;`);
		const ids = rows.map((r) => r.id).sort((a, b) => Number(a.split('x')[1]) - Number(b.split('x')[1]));
		if (ids.length) found.set(f.recordedId, ids[0]);
	}
	return found;
}

/** The header fields the web UI's inventory form takes from a LAB_ACTIONS record (references as crmids). */
const WEB_FORM_FIELDS = ['subject', 'account_id', 'assigned_user_id', 'invoicedate', 'invoicestatus', 'bill_street', 'ship_street'];

/**
 * Makes the lab's out-of-band records through the webservice, and the web-UI invoice (with line items, which
 * 8.3.0's webservice create refuses with INVALID_ID_ATTRIBUTE) through the web UI when the admin's web password
 * is given; without it the records that use the invoice are skipped with that reason.
 */
export function labActionsThrough(session: LiveSession, created: string[], web?: WebUiLogin): (action: LabAction) => Promise<string | undefined> {
	const crmid = (id: string) => id.split('x')[1] ?? id;
	return async (action) => {
		if (action.kind !== 'record') return undefined; // labuser: given with --user-username/--user-access-key
		if (action.lineItems) {
			const line = action.lineItems[0];
			if (!web || action.lineItems.length !== 1) return undefined;
			const fields = Object.fromEntries(WEB_FORM_FIELDS.filter((f) => f in action.fields).map((f) => [f, crmid(action.fields[f])]));
			const made = await createInventoryInWebUi(web, action.module, fields, {
				productCrmid: crmid(line.productid),
				quantity: Number(line.quantity),
				listPrice: Number(line.listprice),
			});
			const id = `${action.recordedId.split('x')[0]}x${made}`;
			created.push(id);
			return id;
		}
		const answer = await session.call('create', { elementType: action.module, element: JSON.stringify(action.fields) }, 'POST');
		const id = (answer.result as { id?: string } | undefined)?.id;
		if (id) created.push(id);
		return id;
	};
}

/** Live ids of every record the replay created (create answered success) and did not delete itself. */
export function createdByReplay(report: ReplayReport): string[] {
	const ids: string[] = [];
	for (const r of report.results) {
		if (r.rec.operation !== 'create' || !r.liveBody) continue;
		try {
			const id = (JSON.parse(r.liveBody) as Answer & { result?: { id?: string } }).result?.id;
			if (typeof id === 'string' && !id.startsWith('19x')) ids.push(id);
		} catch {
			// not JSON: nothing was created
		}
	}
	return ids;
}

/** Deletes records (ignoring those already gone); the number deleted. */
export async function deleteRecords(session: LiveSession, ids: string[]): Promise<number> {
	let deleted = 0;
	for (const id of ids) if ((await session.call('delete', { id }, 'POST')).success) deleted++;
	return deleted;
}

/** A replay target for a real server whose database others share. */
export async function liveReplayTarget(target: ReplayTarget, session: LiveSession, created: string[], password?: string): Promise<ReplayTarget> {
	const web = password ? { url: target.url, username: target.admin.username, password } : undefined;
	return {
		...target,
		name: 'the live target',
		shared: true,
		fixed: await findFixedRecords(session),
		labAction: labActionsThrough(session, created, web),
	};
}
