/**
 * Conformance replay: sends the requests recorded from a real Vtiger 8.3.0 (test/support/fixtures/vtiger-8.3/transcripts)
 * to a target (the simulator or any Vtiger webservice.php) and compares status, `success`, error code and
 * message, and the shape of every result (keys and JSON types; ids, tokens and times may differ).
 *
 * CLI:
 *   tsx test/conformance/replay.ts --url http://host/webservice.php --username admin --access-key KEY
 *     [--url-positional URL]   target for the port-8081 recordings (PHP 7 style positional parameters)
 *     [--user-username labuser --user-access-key KEY]   the non-admin user of 02b/11/11b
 *     [--files 01,04a,04]      only these transcripts (ids are the part before the first `_`)
 *     [--realtime]             really wait between records (02b's 280 s / 306 s token expiry)
 *     [--password PW]          the admin's web password: a live target gets the web-UI invoice of LAB_ACTIONS
 *                              (without it the 8 records that use it are skipped, saying so)
 *     [--dry-run]              print the rewritten requests, send nothing
 *     [--verbose]              print every mismatch diff
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The recordings, copied into the repository (test/support/fixtures/README.md). */
export const DEFAULT_TRANSCRIPTS = resolve(__dirname, '../support/fixtures/vtiger-8.3/transcripts');

/** The lab's admin access key, readable in 02_auth_session.jsonl #6 (raw key sent as digest). */
export const RECORDED_KEYS: Record<string, string> = { admin: 'pOEVqdYN4iSc5nmr' };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface Recording {
	file: string;
	fileId: string;
	line: number;
	operation: string | null;
	method: 'GET' | 'POST';
	url: string;
	port: number;
	request_params: JsonObject;
	http_status: number;
	content_type: string;
	response_body: Json;
	note?: string;
	ts: number;
}

export interface Credentials {
	username: string;
	accessKey: string;
}

export interface ReplayTarget {
	/** webservice.php URL for the stock (port 8080) recordings */
	url: string;
	/** webservice.php URL for the positional (port 8081) recordings; without it they are skipped */
	positionalUrl?: string;
	admin: Credentials;
	user?: Credentials;
	/** Time control (the simulator's clock): records are replayed at their recorded time. */
	clock?: { freeze(epochSeconds: number): void };
	/** Called before each request (e.g. to switch the simulator's profile by the record's port). */
	beforeRequest?(rec: Recording): void | Promise<void>;
	/**
	 * Performs what the lab did outside the webservice (LAB_ACTIONS: records made in the web UI or by an
	 * aborted script run, a user created in the UI); returns the live id of a created record.
	 * Without it those records must already exist on the target.
	 */
	labAction?(action: LabAction): string | undefined | Promise<string | undefined>;
	/** Operations the target implements; others are skipped with a reason. */
	covers?(operation: string): boolean;
	/** Name used in skip reasons ("the simulator", "the target"). */
	name?: string;
	/**
	 * A real server whose database others share (the lab): a list's length is data there, not behaviour, so
	 * lists are compared by the shape of their elements and each length difference is counted as a tolerance.
	 * Its clock runs freely: sync times are moved by the offset learned from the records' modifiedtime.
	 */
	shared?: boolean;
	/** Fixed records (FIXED_RECORDS) the target already holds: recorded id -> live id, looked up by label. */
	fixed?: Map<string, string>;
}

export interface ReplayOptions {
	realtime?: boolean;
	dryRun?: boolean;
	log?: (line: string) => void;
}

export type Outcome =
	| { kind: 'matched' }
	| { kind: 'tolerated'; tolerances: Tolerance[] }
	| { kind: 'skipped'; reason: string }
	| { kind: 'mismatch'; diffs: Diff[] };

export interface Diff {
	category: 'status' | 'body' | 'success' | 'code' | 'message' | 'shape' | 'transport';
	text: string;
}

/** A difference that is data, not behaviour, on a shared live target (counted and printed with its reason). */
export interface Tolerance {
	kind: string;
	text: string;
}

export interface RecordResult {
	rec: Recording;
	outcome: Outcome;
	liveStatus?: number;
	liveBody?: string;
}

export interface ReplayReport {
	results: RecordResult[];
	total: number;
	replayed: number;
	matched: number;
	/** matched apart from tolerated data differences (shared live targets only) */
	tolerated: number;
	skipped: number;
	mismatched: number;
}

// ---------------------------------------------------------------------------------------------- loading

function fileIdOf(name: string): string {
	return name.split('_')[0];
}

/** Loads the transcripts (optionally only some file ids) and merges them into recording order. */
export function loadRecordings(dir = DEFAULT_TRANSCRIPTS, fileIds?: string[]): Recording[] {
	const names = readdirSync(dir)
		.filter((n) => n.endsWith('.jsonl'))
		.filter((n) => !fileIds || fileIds.includes(fileIdOf(n)))
		.sort();
	const perFile = names.map((name) =>
		readFileSync(join(dir, name), 'utf8')
			.split('\n')
			.filter((l) => l.trim() !== '')
			.map((l, i): Recording => {
				const raw = JSON.parse(l) as JsonObject;
				const url = String(raw.url);
				return {
					file: name.replace(/\.jsonl$/, ''),
					fileId: fileIdOf(name),
					line: i + 1,
					operation: raw.operation as string | null,
					method: raw.method as 'GET' | 'POST',
					url,
					port: Number(new URL(url).port || 80),
					request_params: raw.request_params as JsonObject,
					http_status: raw.http_status as number,
					content_type: String(raw.content_type),
					response_body: raw.response_body,
					note: (raw.note as string | undefined) ?? undefined,
					ts: raw.ts as number,
				};
			}),
	);
	return mergeChronologically(perFile);
}

/**
 * The lab ran the scripts interleaved against one database (both ports share it), so the state a record
 * saw depends on records of other files: 04_query reads what 04a created, 03 #54 and 01 #26 ran last.
 * Merge by recorded time, keeping each file's order; on equal times stay in the current file, then prefer
 * port 8080 (07_other_ops_stock's record ids are lower than 07_other_ops_patched's: it ran first).
 */
export function mergeChronologically(perFile: Recording[][]): Recording[] {
	const idx = perFile.map(() => 0);
	const out: Recording[] = [];
	let current = -1;
	for (;;) {
		let best = -1;
		for (let f = 0; f < perFile.length; f++) {
			const r = perFile[f][idx[f]];
			if (!r) continue;
			if (best < 0) {
				best = f;
				continue;
			}
			const b = perFile[best][idx[best]];
			if (r.ts < b.ts) best = f;
			else if (r.ts === b.ts) {
				if (best === current) continue;
				if (f === current || r.port < b.port) best = f;
			}
		}
		if (best < 0) return out;
		out.push(perFile[best][idx[best]++]);
		current = best;
	}
}

// ------------------------------------------------------------------------------------------ comparison

function jsonType(v: unknown): string {
	if (v === null) return 'null';
	if (Array.isArray(v)) return 'array';
	return typeof v;
}

function short(v: unknown): string {
	const s = JSON.stringify(v);
	return s === undefined ? 'undefined' : s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/** Why a list's length is data on a shared live target. */
export const TOLERANCE_REASONS: Record<string, string> = {
	'list length':
		"the target's database holds other records (other users, earlier runs), so lists are compared by their elements' shape, not their length",
	'empty field in a list element':
		"the element at that place of the list is another record on a shared database (06 #5 sync, 09 #8 mobile.syncModuleRecords: a contact with an account reference and its label where the recorded contact had none), so a null on one side is data",
};

/**
 * Same keys, same JSON types, same array lengths, recursively. With `tolerances` (a shared live target) a
 * list of another length is compared by its elements' shape (first against first) and the length noted there.
 */
export function compareShape(rec: Json, live: unknown, path: string, diffs: Diff[], tolerances?: Tolerance[]): void {
	const rt = jsonType(rec);
	const lt = jsonType(live);
	if (rt !== lt && tolerances && path.includes('[') && (rt === 'null' || lt === 'null')) {
		tolerances.push({ kind: 'empty field in a list element', text: `${path}: ${rt} ${short(rec)} -> ${lt} ${short(live)}` });
		return;
	}
	if (rt !== lt) {
		diffs.push({ category: 'shape', text: `${path}: ${rt} ${short(rec)} -> ${lt} ${short(live)}` });
		return;
	}
	if (rt === 'array') {
		const ra = rec as Json[];
		const la = live as unknown[];
		if (ra.length !== la.length) {
			if (tolerances) tolerances.push({ kind: 'list length', text: `${path}: length ${ra.length} -> ${la.length}` });
			else diffs.push({ category: 'shape', text: `${path}: length ${ra.length} -> ${la.length}` });
			if (ra.length && la.length) compareShape(ra[0], la[0], `${path}[0]`, diffs, tolerances);
			return;
		}
		ra.forEach((el, i) => compareShape(el, la[i], `${path}[${i}]`, diffs, tolerances));
		return;
	}
	if (rt === 'object') {
		const ro = rec as JsonObject;
		const lo = live as Record<string, unknown>;
		const missing = Object.keys(ro).filter((k) => !(k in lo));
		const extra = Object.keys(lo).filter((k) => !(k in ro));
		if (missing.length) diffs.push({ category: 'shape', text: `${path}: missing keys ${missing.join(',')}` });
		if (extra.length) diffs.push({ category: 'shape', text: `${path}: extra keys ${extra.join(',')}` });
		for (const k of Object.keys(ro)) if (k in lo) compareShape(ro[k], lo[k], `${path}.${k}`, diffs, tolerances);
	}
}

export function compareResponse(rec: Recording, status: number, text: string, tolerances?: Tolerance[]): Diff[] {
	const diffs: Diff[] = [];
	if (status !== rec.http_status) diffs.push({ category: 'status', text: `HTTP ${rec.http_status} -> ${status}` });
	const body = rec.response_body;
	if (typeof body === 'string') {
		if (text !== body) diffs.push({ category: 'body', text: `body ${short(body)} -> ${short(text)}` });
		return diffs;
	}
	let live: unknown;
	try {
		live = JSON.parse(text);
	} catch {
		diffs.push({ category: 'body', text: `expected JSON, got ${short(text)}` });
		return diffs;
	}
	const re = body as JsonObject;
	const le = (live ?? {}) as Record<string, unknown>;
	if (re.success !== le.success) {
		diffs.push({ category: 'success', text: `success ${short(re.success)} -> ${short(le.success)}` });
		if (!re.success && le.success) return diffs;
	}
	if (re.success === false) {
		const rerr = (re.error ?? {}) as JsonObject;
		const lerr = (le.error ?? {}) as Record<string, unknown>;
		if (rerr.code !== lerr.code)
			diffs.push({ category: 'code', text: `error.code ${short(rerr.code)} -> ${short(lerr.code)}` });
		if (rerr.message !== lerr.message)
			diffs.push({ category: 'message', text: `error.message ${short(rerr.message)} -> ${short(lerr.message)}` });
		compareShape(re, live, '$', diffs.length ? [] : diffs, tolerances);
		return diffs;
	}
	compareShape(re, live, '$', diffs, tolerances);
	return diffs;
}

// ---------------------------------------------------------------------------------------------- state

const ID_RE = /(?<![0-9])([0-9]+x[0-9]+)(?![0-9])/g;
const WHOLE_ID_RE = /^[0-9]+x[0-9]+$/;

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/**
 * Webservice id prefixes whose number is not a crmid (Users and the non-entity modules of 10_describe_all:
 * Groups, Currency, DocumentFolders, CompanyDetails, LineItem, Tax, ProductTaxes). Every other prefix
 * numbers records from the one crmid sequence, so a recorded crmid maps to a live crmid whatever the
 * prefix: 03_validation_errors #35 asks for `11x3`, the contact 12x3 under the Accounts prefix.
 */
const OWN_SEQUENCE_PREFIXES = new Set(['19', '20', '21', '22', '23', '33', '34', '35']);

/** What must differ between the recording and a live target, learned while replaying. */
export class ReplayState {
	/** full ids of the own-sequence prefixes */
	ids = new Map<string, string>();
	/** recorded crmid -> live crmid */
	crmids = new Map<string, string>();
	private idTargets = new Set<string>();
	private crmidTargets = new Set<string>();
	sessions = new Map<string, string>();
	/** sessions that came from a skipped record: requests using them are skipped too */
	lostSessions = new Map<string, string>();
	values = new Map<string, string>();
	/** recorded ids of lab records the target could not set up, with the reason */
	missing = new Map<string, string>();
	/** recorded tokens per user, in order, with the live token obtained for each */
	tokens: { user: string; recorded: string; live: string | null }[] = [];
	epochOffset = 0;

	mapId(id: string): string {
		const full = this.ids.get(id);
		if (full) return full;
		const [prefix, crmid] = id.split('x');
		if (OWN_SEQUENCE_PREFIXES.has(prefix)) return id;
		const live = this.crmids.get(crmid);
		return live ? `${prefix}x${live}` : id;
	}

	mapIds(s: string): string {
		return s.replace(ID_RE, (m) => this.mapId(m));
	}

	learnId(recorded: string, live: string): void {
		const [rp, rn] = recorded.split('x');
		const [lp, ln] = live.split('x');
		if (OWN_SEQUENCE_PREFIXES.has(rp) || rp !== lp) {
			if (this.ids.has(recorded) || this.idTargets.has(live)) return;
			this.ids.set(recorded, live);
			this.idTargets.add(live);
			return;
		}
		if (this.crmids.has(rn) || this.crmidTargets.has(ln)) return;
		this.crmids.set(rn, ln);
		this.crmidTargets.add(ln);
	}

	/** Learns record ids at the same place in the recorded and the live result. */
	learnIds(rec: unknown, live: unknown): void {
		if (typeof rec === 'string' && typeof live === 'string') {
			if (WHOLE_ID_RE.test(rec) && WHOLE_ID_RE.test(live)) this.learnId(rec, live);
			return;
		}
		if (Array.isArray(rec) && Array.isArray(live)) {
			const n = Math.min(rec.length, live.length);
			for (let i = 0; i < n; i++) this.learnIds(rec[i], live[i]);
			return;
		}
		if (rec && live && typeof rec === 'object' && typeof live === 'object') {
			const lo = live as Record<string, unknown>;
			for (const [k, v] of Object.entries(rec)) if (k in lo) this.learnIds(v, lo[k]);
		}
	}
}

// ------------------------------------------------------------------------------------------ rewriting

interface LiveRequest {
	method: 'GET' | 'POST';
	url: string;
	headers: Record<string, string>;
	body?: string;
}

function liveUsername(recorded: string, target: ReplayTarget): string {
	const lower = recorded.toLowerCase();
	let live: string | undefined;
	if (lower === 'admin') live = target.admin.username;
	else if (lower === 'labuser' && target.user) live = target.user.username;
	if (live === undefined) return recorded;
	// keep a case variation the recording made on purpose (02 #8 logs in as "Admin")
	if (recorded !== lower && recorded[0] === recorded[0].toUpperCase()) return live[0].toUpperCase() + live.slice(1);
	return live;
}

function liveKey(recordedUser: string, target: ReplayTarget): string | undefined {
	const lower = recordedUser.toLowerCase();
	if (lower === 'admin') return target.admin.accessKey;
	if (lower === 'labuser') return target.user?.accessKey;
	return undefined;
}

/** Rewrites a recorded login digest (md5(token + accessKey)) for the live token and key. */
function rewriteDigest(digest: string, user: string, state: ReplayState, target: ReplayTarget): string {
	const lower = user.toLowerCase();
	const key = RECORDED_KEYS[lower];
	const live = liveKey(user, target);
	const tokens = state.tokens.filter((t) => t.user === lower);
	if (live === undefined) return digest;
	if (key !== undefined) {
		if (digest === key) return live; // the raw access key sent instead of a digest (02 #6)
		for (const t of tokens) {
			const d = md5(t.recorded + key);
			if (d === digest && t.live) return md5(t.live + live);
			if (d.toUpperCase() === digest && t.live) return md5(t.live + live).toUpperCase();
		}
		return digest; // a deliberately wrong key ("wrong")
	}
	// recorded key unknown (labuser): a lower-case md5 is taken as the right digest for the latest token
	const last = tokens[tokens.length - 1];
	if (/^[0-9a-f]{32}$/.test(digest) && last?.live) return md5(last.live + live);
	return digest;
}

function rewriteParams(params: JsonObject, rec: Recording, state: ReplayState, target: ReplayTarget): Record<string, string> {
	const out: Record<string, string> = {};
	const all = paramsOf(rec);
	const username = typeof all.username === 'string' ? all.username : undefined;
	for (const [k, v] of Object.entries(params)) {
		let s = typeof v === 'string' ? v : JSON.stringify(v);
		if (k === 'sessionName' || k === 'PHPSESSID') s = state.sessions.get(s) ?? s;
		else if (k === 'username') s = liveUsername(s, target);
		else if (k === 'accessKey' && username !== undefined) s = rewriteDigest(s, username, state, target);
		else if (k === 'modifiedTime' && typeof v === 'number' && v > 1e9) s = String(v + state.epochOffset);
		else if (state.values.has(s)) s = state.values.get(s) as string;
		else s = state.mapIds(s);
		out[k] = s;
	}
	return out;
}

function rewriteRaw(raw: string, state: ReplayState): string {
	let s = raw;
	for (const [from, to] of state.sessions) s = s.split(from).join(to);
	return state.mapIds(s);
}

export function buildRequest(rec: Recording, state: ReplayState, target: ReplayTarget): LiveRequest {
	const base = rec.port === 8081 && target.positionalUrl ? target.positionalUrl : target.url;
	const p = rec.request_params;
	if (rec.method === 'GET') {
		const q = new URLSearchParams(rewriteParams(p, rec, state, target));
		const qs = q.toString();
		return { method: 'GET', url: qs ? `${base}?${qs}` : base, headers: {} };
	}
	const query = new URLSearchParams(rewriteParams((p.query ?? {}) as JsonObject, rec, state, target)).toString();
	const url = query ? `${base}?${query}` : base;
	if (typeof p.raw_body === 'string') {
		const boundary = p.raw_body.split('\r\n')[0].replace(/^--/, '');
		return {
			method: 'POST',
			url,
			headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
			body: rewriteRaw(p.raw_body, state),
		};
	}
	return {
		method: 'POST',
		url,
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(rewriteParams((p.body ?? {}) as JsonObject, rec, state, target)).toString(),
	};
}

// --------------------------------------------------------------------------------------- lab actions

/** Things the lab did outside the webservice, and how a target with a clock can emulate them. */
interface LabIntervention {
	file: string;
	line: number;
	reason: string;
	/** seconds to add to the recorded time when the target's clock is controlled */
	clockShift?: number;
	needsRealtime?: boolean;
}

const INTERVENTIONS: LabIntervention[] = [
	{
		file: '02_auth_session',
		line: 15,
		reason: 'the lab moved vtiger_ws_userauthtoken.expiretime 400 s into the past in the database',
		clockShift: 400,
	},
	{ file: '02b_token_expiry_realtime', line: 2, reason: 'login 280 s after getchallenge (real-time wait)', needsRealtime: true },
	{ file: '02b_token_expiry_realtime', line: 3, reason: 'token reused 306 s after getchallenge (real-time wait)', needsRealtime: true },
];

function interventionFor(rec: Recording): LabIntervention | undefined {
	return INTERVENTIONS.find((i) => i.file === rec.file && i.line === rec.line);
}

function paramsOf(rec: Recording): Record<string, Json> {
	const p = rec.request_params;
	if (rec.method === 'GET') return p;
	return { ...((p.query ?? {}) as JsonObject), ...((p.body ?? {}) as JsonObject) };
}

/** Why a record cannot be replayed against this target, or undefined. */
function skipReason(rec: Recording, state: ReplayState, target: ReplayTarget, options: ReplayOptions): string | undefined {
	const name = target.name ?? 'the target';
	const params = paramsOf(rec);
	const op = typeof params.operation === 'string' ? params.operation.toLowerCase() : rec.operation;
	const body = rec.response_body as JsonObject | string;
	if (rec.port === 8081 && !target.positionalUrl) return 'port-8081 (positional) recording and no positional target given';
	if (
		op === 'extendsession' &&
		params.sessionName === undefined &&
		typeof body === 'object' &&
		body?.success === true
	)
		return "answered from the lab browser's web-UI PHPSESSID cookie, which the recording does not carry";
	const session = typeof params.sessionName === 'string' ? params.sessionName : undefined;
	if (session && state.lostSessions.has(session)) return `uses the session from skipped ${state.lostSessions.get(session)}`;
	const user = typeof params.username === 'string' ? params.username.toLowerCase() : undefined;
	if (user === 'labuser' && !target.user) return 'needs the non-admin user labuser (no --user-* credentials given)';
	const iv = interventionFor(rec);
	if (iv && !target.clock) {
		if (iv.clockShift !== undefined) return `${iv.reason}; not reproducible without control of the target's clock`;
		if (iv.needsRealtime && !options.realtime) return `${iv.reason}; run with --realtime to wait for real`;
	}
	if (op && target.covers && !target.covers(op)) return `operation "${op}" is not implemented by ${name}`;
	const fixed = FIXED_RECORDS.find((f) => f.createdBy.file === rec.file && f.createdBy.line === rec.line);
	const held = fixed && target.fixed?.get(fixed.recordedId);
	if (fixed && held)
		return `creates the fixed record ${fixed.module} "${fixed.label}", which ${name} already holds as ${held} (found by its label; the recorded ${fixed.recordedId} is rewritten to it)`;
	for (const [id, why] of state.missing)
		if (JSON.stringify(rec.request_params).match(new RegExp(`(?<![0-9])${id}(?![0-9])`))) return `uses ${id}, ${why}`;
	return undefined;
}

/**
 * Records the recordings create once and then use across files (01_basic_crud #9 makes "Lab Account 1", 11x2;
 * 03, 04, 07 and 09 use it). A live target that already holds one (an earlier replay, the lab's own setup)
 * would refuse the create as a duplicate: the replay looks it up by its label and uses its id instead.
 */
export interface FixedRecord {
	recordedId: string;
	module: string;
	labelField: string;
	label: string;
	createdBy: { file: string; line: number };
}

export const FIXED_RECORDS: FixedRecord[] = [
	{
		recordedId: '11x2', module: 'Accounts', labelField: 'accountname', label: 'Lab Account 1',
		createdBy: { file: '01_basic_crud', line: 9 },
	},
];

// ------------------------------------------------------------------------------------ lab records

export type LabAction =
	| {
			kind: 'record';
			at: number;
			why: string;
			recordedId: string;
			module: string;
			/** raw field values (ids already mapped to the target's when handed to labAction) */
			fields: Record<string, string>;
			lineItems?: Array<Record<string, string>>;
			/** values the web UI stored verbatim where webservice create would store another (salesorder_id '') */
			storedAs?: Record<string, string>;
	  }
	| { kind: 'user'; at: number; why: string; username: string };

const ABORTED_07 = 'made by an aborted earlier run of 07_other_ops_stock (#3, #4, #17) that was not recorded';

/**
 * Records and users the recordings use but never create. Their times come from the recordings
 * (createdtime 06:47:06 of 12x144 in 07_other_ops_stock #7, 06:47:52 of 7x150 in #21).
 */
export const LAB_ACTIONS: LabAction[] = [
	{
		kind: 'record', at: 1795502826, why: ABORTED_07, recordedId: '12x144', module: 'Contacts',
		fields: { lastname: 'Related One', assigned_user_id: '19x1', account_id: '11x2' },
	},
	{
		kind: 'record', at: 1795502826, why: ABORTED_07, recordedId: '12x145', module: 'Contacts',
		fields: { lastname: 'Related Two', assigned_user_id: '19x1' },
	},
	{
		kind: 'record', at: 1795502826, why: ABORTED_07, recordedId: '14x146', module: 'Products',
		fields: { productname: 'Lab Widget', assigned_user_id: '19x1', unit_price: '10.00', discontinued: '1' },
	},
	{
		kind: 'record', at: 1795502872, why: 'invoice made in the web UI (07_other_ops_* #20 revises it)',
		recordedId: '7x150', module: 'Invoice',
		fields: {
			subject: 'UI invoice', account_id: '11x2', assigned_user_id: '19x1', invoicedate: '2026-11-24',
			invoicestatus: 'Created', bill_street: '1 Lab St', ship_street: '1 Lab St', hdnTaxType: 'group',
			currency_id: '21x1', conversion_rate: '1.000', hdnSubTotal: '30.00000000', hdnGrandTotal: '30.00000000',
			pre_tax_total: '30.00000000', received: '0.00000000', balance: '30.00000000', txtAdjustment: '0.00000000',
			hdnS_H_Amount: '0.00000000', hdnS_H_Percent: '0.00000000', source: 'CRM',
		},
		lineItems: [{ productid: '14x146', quantity: '3.000', listprice: '10.00000000' }],
		storedAs: { salesorder_id: '' },
	},
	{
		kind: 'user', at: 1795502900, username: 'labuser',
		why: 'labuser was created in the web UI after 03_validation_errors #56 failed to create it (04_query #55 lists admin only)',
	},
];

// ------------------------------------------------------------------------------------------- replay

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function replay(recs: Recording[], target: ReplayTarget, options: ReplayOptions = {}): Promise<ReplayReport> {
	const state = new ReplayState();
	const results: RecordResult[] = [];
	const log = options.log ?? (() => undefined);
	let prevTs: number | undefined;
	const pendingLab = target.labAction ? [...LAB_ACTIONS] : [];
	for (const [recorded, live] of target.fixed ?? []) state.learnId(recorded, live);
	for (const rec of recs) {
		while (pendingLab.length && pendingLab[0].at <= rec.ts && target.labAction) {
			const action = pendingLab.shift() as LabAction;
			if (target.clock) target.clock.freeze(action.at);
			if (action.kind === 'record') {
				const mapped: LabAction = {
					...action,
					fields: Object.fromEntries(Object.entries(action.fields).map(([k, v]) => [k, state.mapIds(v)])),
					lineItems: action.lineItems?.map((li) => Object.fromEntries(Object.entries(li).map(([k, v]) => [k, state.mapIds(v)]))),
				};
				const liveId = await target.labAction(mapped);
				if (liveId) state.learnId(action.recordedId, liveId);
				else if (!target.clock)
					state.missing.set(action.recordedId, `the ${action.module} record ${action.why}, which ${target.name ?? 'the target'} could not set up (a web-UI record: give --password)`);
			} else await target.labAction(action);
		}
		const reason = skipReason(rec, state, target, options);
		if (reason) {
			results.push({ rec, outcome: { kind: 'skipped', reason } });
			const res = (rec.response_body as JsonObject | null)?.result as JsonObject | undefined;
			if (res && typeof res === 'object' && typeof res.sessionName === 'string')
				state.lostSessions.set(res.sessionName, `${rec.file} #${rec.line}`);
			continue;
		}
		if (target.clock) target.clock.freeze(rec.ts + (interventionFor(rec)?.clockShift ?? 0));
		else if (options.realtime && prevTs !== undefined && rec.ts > prevTs && !options.dryRun)
			await sleep((rec.ts - prevTs) * 1000);
		prevTs = rec.ts;
		if (target.beforeRequest) await target.beforeRequest(rec);
		const req = buildRequest(rec, state, target);
		if (options.dryRun) {
			log(`${rec.file} #${rec.line} ${req.method} ${req.url}${req.body !== undefined ? ' BODY ' + req.body.slice(0, 300) : ''}`);
			results.push({ rec, outcome: { kind: 'matched' } });
			continue;
		}
		let status: number;
		let text: string;
		try {
			const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, redirect: 'manual' });
			status = res.status;
			text = await res.text();
		} catch (e) {
			results.push({
				rec,
				outcome: { kind: 'mismatch', diffs: [{ category: 'transport', text: `request failed: ${(e as Error).message}` }] },
			});
			continue;
		}
		learn(rec, text, state, !target.clock);
		const tolerances: Tolerance[] | undefined = target.shared ? [] : undefined;
		const diffs = compareResponse(rec, status, text, tolerances);
		results.push({
			rec,
			liveStatus: status,
			liveBody: text,
			outcome: diffs.length
				? { kind: 'mismatch', diffs }
				: tolerances?.length
					? { kind: 'tolerated', tolerances }
					: { kind: 'matched' },
		});
	}
	const count = (k: Outcome['kind']) => results.filter((r) => r.outcome.kind === k).length;
	return {
		results,
		total: results.length,
		replayed: results.length - count('skipped'),
		matched: count('matched'),
		tolerated: count('tolerated'),
		skipped: count('skipped'),
		mismatched: count('mismatch'),
	};
}

/** Learns the live counterparts of recorded sessions, tokens, ids and keys from one response. */
function learn(rec: Recording, text: string, state: ReplayState, freeClock: boolean): void {
	let live: JsonObject;
	try {
		live = JSON.parse(text) as JsonObject;
	} catch {
		return;
	}
	const recBody = rec.response_body as JsonObject;
	if (!recBody || typeof recBody !== 'object' || recBody.success !== true || live?.success !== true) return;
	const rres = recBody.result as JsonObject;
	const lres = live.result as JsonObject;
	if (rres && lres && typeof rres === 'object' && typeof lres === 'object' && !Array.isArray(rres)) {
		if (typeof rres.sessionName === 'string' && typeof lres.sessionName === 'string')
			state.sessions.set(rres.sessionName, lres.sessionName);
		if (typeof rres.token === 'string' && typeof lres.token === 'string') {
			const params = paramsOf(rec);
			state.tokens.push({ user: String(params.username ?? '').toLowerCase(), recorded: rres.token, live: lres.token });
			if (typeof rres.serverTime === 'number' && typeof lres.serverTime === 'number')
				state.epochOffset = lres.serverTime - rres.serverTime;
		}
		if (typeof rres.key === 'string' && typeof lres.key === 'string') state.values.set(rres.key, lres.key);
		// a target whose clock runs freely runs the recording faster than it was recorded: a sync "1 s before
		// the revise" (06 #8) must be 1 s before the live revise, so times follow the last write's modifiedtime
		if (freeClock && typeof rres.modifiedtime === 'string' && typeof lres.modifiedtime === 'string') {
			const utc = (t: string) => Date.parse(t.replace(' ', 'T') + 'Z') / 1000;
			const offset = utc(lres.modifiedtime) - utc(rres.modifiedtime);
			if (Number.isFinite(offset)) state.epochOffset = offset;
		}
	}
	state.learnIds(rres, lres);
}

// ------------------------------------------------------------------------------------------- report

export function formatReport(report: ReplayReport, verbose = false): string {
	const lines: string[] = [];
	const files = [...new Set(report.results.map((r) => r.rec.file))].sort();
	const pad = (s: string | number, n: number) => String(s).padEnd(n);
	lines.push(`${pad('transcript', 38)}${pad('records', 9)}${pad('replayed', 10)}${pad('matched', 9)}${pad('tolerated', 11)}${pad('skipped', 9)}mismatched`);
	for (const f of files) {
		const rs = report.results.filter((r) => r.rec.file === f);
		const n = (k: Outcome['kind']) => rs.filter((r) => r.outcome.kind === k).length;
		lines.push(`${pad(f, 38)}${pad(rs.length, 9)}${pad(rs.length - n('skipped'), 10)}${pad(n('matched'), 9)}${pad(n('tolerated'), 11)}${pad(n('skipped'), 9)}${n('mismatch')}`);
	}
	const pct = (n: number) => ((100 * n) / Math.max(1, report.total)).toFixed(1);
	lines.push(
		`${pad('TOTAL', 38)}${pad(report.total, 9)}${pad(report.replayed, 10)}${pad(report.matched, 9)}${pad(report.tolerated, 11)}${pad(report.skipped, 9)}${report.mismatched}`,
	);
	lines.push(`replayed ${report.replayed}/${report.total} (${pct(report.replayed)}%), matched ${report.matched}/${report.total} (${pct(report.matched)}%), matched with tolerated data differences ${report.tolerated}`);
	const tolerated = report.results.filter((r) => r.outcome.kind === 'tolerated');
	if (tolerated.length) {
		const kinds = new Map<string, number>();
		for (const r of tolerated)
			for (const k of new Set((r.outcome as { tolerances: Tolerance[] }).tolerances.map((t) => t.kind))) kinds.set(k, (kinds.get(k) ?? 0) + 1);
		lines.push('', 'tolerated (a shared live target: data, not behaviour):');
		for (const [k, n] of kinds) lines.push(`  ${k}: ${n} records; ${TOLERANCE_REASONS[k] ?? ''}`);
		for (const r of tolerated)
			lines.push(`  ${r.rec.file} #${r.rec.line} ${r.rec.operation}: ${(r.outcome as { tolerances: Tolerance[] }).tolerances.map((t) => `${t.kind}: ${t.text}`).join('; ')}`);
	}
	const byCategory = new Map<string, number>();
	for (const r of report.results)
		if (r.outcome.kind === 'mismatch')
			for (const c of new Set(r.outcome.diffs.map((d) => d.category))) byCategory.set(c, (byCategory.get(c) ?? 0) + 1);
	if (byCategory.size)
		lines.push(`mismatched records by kind: ${[...byCategory].map(([c, n]) => `${c} ${n}`).join(', ')} (error.message differences are counted under "message")`);
	const skips = report.results.filter((r) => r.outcome.kind === 'skipped');
	if (skips.length) {
		lines.push('', `skipped (${skips.length}):`);
		for (const r of skips)
			lines.push(`  ${r.rec.file} #${r.rec.line} ${r.rec.operation}: ${(r.outcome as { reason: string }).reason}`);
	}
	const bad = report.results.filter((r) => r.outcome.kind === 'mismatch');
	if (bad.length) {
		lines.push('', 'mismatches:');
		for (const r of bad) {
			const diffs = (r.outcome as { diffs: Diff[] }).diffs;
			const shown = verbose ? diffs : diffs.slice(0, 3);
			const more = diffs.length > shown.length ? ` (+${diffs.length - shown.length} more)` : '';
			lines.push(`  ${r.rec.file} #${r.rec.line} ${r.rec.operation} [${r.rec.note?.slice(0, 50) ?? ''}]: ${shown.map((d) => d.text).join('; ')}${more}`);
		}
	}
	return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------- CLI

function parseArgs(argv: string[]): Record<string, string | boolean> {
	const out: Record<string, string | boolean> = {};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (!a.startsWith('--')) continue;
		const key = a.slice(2);
		const next = argv[i + 1];
		if (next === undefined || next.startsWith('--')) out[key] = true;
		else {
			out[key] = next;
			i++;
		}
	}
	return out;
}

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	const str = (k: string) => (typeof args[k] === 'string' ? (args[k] as string) : undefined);
	const dryRun = args['dry-run'] === true;
	const url = str('url') ?? (dryRun ? 'http://127.0.0.1:8080/webservice.php' : undefined);
	if (!url || (!dryRun && !str('access-key'))) {
		process.stderr.write('usage: replay.ts --url URL --username admin --access-key KEY [--url-positional URL] [--user-username U --user-access-key K] [--files 01,04a] [--password PW] [--realtime] [--dry-run] [--verbose]\n');
		process.exit(2);
	}
	let target: ReplayTarget = {
		url,
		positionalUrl: str('url-positional') ?? (dryRun ? 'http://127.0.0.1:8081/webservice.php' : undefined),
		admin: { username: str('username') ?? 'admin', accessKey: str('access-key') ?? RECORDED_KEYS.admin },
		user: str('user-access-key') || dryRun
			? { username: str('user-username') ?? 'labuser', accessKey: str('user-access-key') ?? 'labuser-key' }
			: undefined,
	};
	const files = str('files')?.split(',').map((s) => s.trim());
	const recs = loadRecordings(str('transcripts') ?? DEFAULT_TRANSCRIPTS, files);
	// a real server: its database is shared (lists are data), fixed records are looked up, created ones deleted
	const live = dryRun ? undefined : await import('./live-target');
	const session = live && new live.LiveSession(target.url, target.admin.username, target.admin.accessKey);
	const created: string[] = [];
	if (live && session) target = await live.liveReplayTarget(target, session, created, str('password'));
	const report = await replay(recs, target, {
		dryRun,
		realtime: args.realtime === true,
		log: (l) => process.stdout.write(l + '\n'),
	});
	process.stdout.write(formatReport(report, args.verbose === true) + '\n');
	if (live && session) {
		const ids = [...created, ...live.createdByReplay(report)];
		const deleted = await live.deleteRecords(session, ids);
		process.stdout.write(`live target: lists compared by their elements' shape; ${ids.length} records the replay created, ${deleted} of them still there and now deleted\n`);
	}
	process.exit(report.mismatched ? 1 : 0);
}

if (require.main === module) {
	main().catch((e) => {
		process.stderr.write(String((e as Error).stack ?? e) + '\n');
		process.exit(2);
	});
}
