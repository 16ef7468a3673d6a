/** In-memory records: one Map per module in crmid order, a crmid sequence shared by all modules. */
import { SimClock } from './clock';
import { AUTONUMBER, BY_PREFIX, defaultValue, FIELD_INDEX, FIXTURE, INVENTORY_MODULES, MODULES, ModuleMeta } from './meta';
import { formatDateTime, htmlDecode, htmlentities } from './util';

export type Values = Record<string, string | null>;

export interface LineItem {
	id: number;
	productid: string;
	sequence_no: string;
	quantity: string;
	listprice: string;
	discount_percent: string | null;
	discount_amount: string | null;
	comment: string;
	description: string;
	tax1: string;
	tax2: string;
	tax3: string;
}

export interface SimRecord {
	crmid: number;
	module: string;
	/** stored values (HTML-encoded where Vtiger encodes), every describe field but id */
	values: Values;
	deleted: boolean;
	/** modification time, epoch seconds (values.modifiedtime is its string form) */
	mtime: number;
	/** webservice id of the owner (user or group), or the raw id of a missing user */
	ownerId: string;
	lineItems?: LineItem[];
	converted?: boolean;
	extra?: Values;
}

export interface SimUser {
	id: string;
	userName: string;
	accessKey: string;
	password: string;
	isAdmin: boolean;
	record: Values;
	login: Record<string, string>;
}

export interface Attachment {
	crmid: number;
	documentId: number;
	filename: string;
	filetype: string;
	content: Buffer;
}

export interface InsertOptions {
	ownerId?: string;
	modifiedtime?: number;
	createdtime?: number;
	modifiedBy?: string;
	source?: string;
	/**
	 * The record is read in the middle of its save: Vtiger stamps modifiedtime when a save begins and its
	 * rows are readable before the save ends (after-save handlers, related tables). Until `finishSave(id)`
	 * every field not given (nor set by the save itself) reads null; then it holds its stored default
	 * ('' or '0'), modifiedtime unchanged (lab: the trigger's `created` items carried `starred`, `portal`,
	 * `homephone` … null, the same record read a moment later '' and '0').
	 */
	midSave?: boolean;
}

export function wsId(rec: SimRecord): string {
	return `${MODULES[rec.module].idPrefix}x${rec.crmid}`;
}

export class RecordStore {
	readonly byModule = new Map<string, Map<number, SimRecord>>();
	readonly byCrmid = new Map<number, SimRecord>();
	readonly users = new Map<string, SimUser>();
	/** actor records (Groups, Currency, CompanyDetails …) as recorded, by webservice id */
	readonly fixed = new Map<string, Values>();
	readonly relations = new Map<number, Array<{ label: string; crmid: number }>>();
	readonly attachments = new Map<number, Attachment>();
	private nextCrmid = 2;
	private nextLineItem = 1;
	private numbers = new Map<string, number>();
	/** bumped on every write; caches of query rows key on it */
	version = 0;
	/** records inserted midSave: the values their save has yet to write */
	private unfinished = new Map<number, Values>();

	constructor(private clock: SimClock) {
		for (const [id, rec] of Object.entries(FIXTURE.fixed)) if (!id.startsWith('19x')) this.fixed.set(id, rec);
		// Vtiger's install-time document folder: Documents take folderid 22x1 (07_other_ops_stock #24)
		if (!this.fixed.has('22x1'))
			this.fixed.set('22x1', { id: '22x1', foldername: 'Default', description: 'This is a Default Folder', createdby: '19x1', sequence: '1' });
	}

	newCrmid(): number {
		return this.nextCrmid++;
	}

	nextNumber(module: string): string | null {
		const an = AUTONUMBER[module];
		if (!an) return null;
		const n = (this.numbers.get(module) ?? 0) + 1;
		this.numbers.set(module, n);
		return `${an.prefix}${n}`;
	}

	newLineItemId(): number {
		return this.nextLineItem++;
	}

	/**
	 * Direct insert for tests (no HTTP, no validation). `fields` are raw values; ownerId defaults to 19x1 and
	 * modifiedtime to the clock. Returns the record as retrieve shows it.
	 */
	insert(module: string, fields: Record<string, unknown>, opts: InsertOptions = {}): Values {
		const rec = this.insertRecord(module, fields, opts);
		return this.output(rec, { label: true, listForm: false });
	}

	insertRecord(module: string, fields: Record<string, unknown>, opts: InsertOptions = {}): SimRecord {
		const meta = MODULES[module];
		if (!meta || !meta.isEntity || module === 'Users') throw new Error(`not an entity module: ${module}`);
		const now = this.clock.now();
		const mtime = opts.modifiedtime ?? now;
		const ctime = opts.createdtime ?? mtime;
		const ownerId = opts.ownerId ?? (typeof fields.assigned_user_id === 'string' ? fields.assigned_user_id : '19x1');
		const values: Values = {};
		for (const f of meta.fields) {
			if (f.name === 'id') continue;
			values[f.name] = defaultValue(f);
		}
		for (const [k, v] of Object.entries(fields)) {
			if (k === 'id' || k === 'LineItems' || !FIELD_INDEX[module].has(k)) continue;
			values[k] = v === null || v === undefined ? null : String(v);
		}
		const an = AUTONUMBER[module];
		if (an && !fields[an.field]) values[an.field] = this.nextNumber(module);
		values.assigned_user_id = ownerId;
		values.createdtime = formatDateTime(ctime);
		values.modifiedtime = formatDateTime(mtime);
		if ('modifiedby' in values) values.modifiedby = opts.modifiedBy ?? (ownerId.startsWith('19x') ? ownerId : '19x1');
		if ('source' in values && !fields.source) values.source = opts.source ?? 'WEBSERVICE';
		const rec: SimRecord = { crmid: this.newCrmid(), module, values, deleted: false, mtime, ownerId };
		if (opts.midSave) {
			const given = new Set([...Object.keys(fields), 'assigned_user_id', 'createdtime', 'modifiedtime', 'modifiedby', 'source']);
			if (an) given.add(an.field);
			const rest: Values = {};
			for (const [k, v] of Object.entries(values)) {
				if (given.has(k) || v === null) continue;
				rest[k] = v;
				values[k] = null;
			}
			this.unfinished.set(rec.crmid, rest);
		}
		if (INVENTORY_MODULES.has(module)) rec.lineItems = [];
		let m = this.byModule.get(module);
		if (!m) this.byModule.set(module, (m = new Map()));
		m.set(rec.crmid, rec);
		this.byCrmid.set(rec.crmid, rec);
		this.version++;
		return rec;
	}

	/** Ends the save of a record inserted midSave: its remaining fields are written, modifiedtime stays. */
	finishSave(id: string | number): void {
		const rec = this.resolve(id);
		if (!rec) throw new Error(`no record ${id}`);
		const rest = this.unfinished.get(rec.crmid);
		if (!rest) return;
		this.unfinished.delete(rec.crmid);
		Object.assign(rec.values, rest);
		this.version++;
	}

	/** Ids of the records whose save has not finished (inserted midSave). */
	unfinishedSaves(): number[] {
		return [...this.unfinished.keys()];
	}

	/** Parses '12x3' (or a record) to the live record, or undefined. */
	private resolve(id: string | number): SimRecord | undefined {
		if (typeof id === 'number') return this.byCrmid.get(id);
		const [prefix, crmid] = id.trim().split('x');
		const rec = this.byCrmid.get(Number(crmid));
		if (!rec || MODULES[rec.module].idPrefix !== prefix) return undefined;
		return rec;
	}

	/** The record as retrieve shows it (deleted ones too), or undefined. */
	get(id: string | number): Values | undefined {
		const rec = this.resolve(id);
		return rec ? this.output(rec, { label: true, listForm: false }) : undefined;
	}

	getRecord(id: string | number): SimRecord | undefined {
		return this.resolve(id);
	}

	/** Live records of a module in crmid order, as query/sync show them. */
	all(module: string, includeDeleted = false): Values[] {
		const out: Values[] = [];
		for (const rec of this.byModule.get(module)?.values() ?? []) {
			if (!rec.deleted || includeDeleted) out.push(this.output(rec, { label: false, listForm: true }));
		}
		return out;
	}

	records(module: string): Iterable<SimRecord> {
		return this.byModule.get(module)?.values() ?? [];
	}

	/** Bumps the modification time (to `at` or the clock) like a save without changes. */
	touch(id: string | number, at?: number): void {
		const rec = this.resolve(id);
		if (!rec) throw new Error(`no record ${id}`);
		this.setMtime(rec, at ?? this.clock.now());
	}

	setMtime(rec: SimRecord, at: number): void {
		rec.mtime = at;
		rec.values.modifiedtime = formatDateTime(at);
		this.version++;
	}

	/** Deletes like the web UI: flag deleted, bump the modification time (sync lists it under `deleted`). */
	remove(id: string | number, at?: number): void {
		const rec = this.resolve(id);
		if (!rec) throw new Error(`no record ${id}`);
		rec.deleted = true;
		this.setMtime(rec, at ?? this.clock.now());
	}

	count(module?: string): number {
		if (module) return this.byModule.get(module)?.size ?? 0;
		return this.byCrmid.size;
	}

	/** label: labelFields joined by a space, HTML entities encoded (03_validation_errors #22). */
	label(rec: SimRecord): string {
		const meta = MODULES[rec.module];
		return htmlentities(
			meta.labelFields
				.split(',')
				.map((f) => htmlDecode(rec.values[f] ?? ''))
				.filter((v) => v !== '')
				.join(' '),
		);
	}

	/**
	 * Output form. retrieve/create/update: dates as stored ('' when empty) and a label; query, sync and
	 * retrieve_related: empty dates are null and there is no label (04_query #2, 06_sync #3).
	 */
	output(rec: SimRecord, opts: { label: boolean; listForm: boolean }): Values {
		const meta: ModuleMeta = MODULES[rec.module];
		const out: Values = {};
		for (const f of meta.fields) {
			if (f.name === 'id') continue;
			let v = rec.values[f.name];
			if (v === undefined) v = defaultValue(f);
			if (opts.listForm && v === '' && f.type.name === 'date') v = null;
			out[f.name] = v;
		}
		out.id = wsId(rec);
		if (rec.extra) Object.assign(out, rec.extra);
		if (opts.label) out.label = this.label(rec);
		return out;
	}

	moduleOfPrefix(prefix: string): ModuleMeta | undefined {
		return BY_PREFIX[prefix];
	}
}
