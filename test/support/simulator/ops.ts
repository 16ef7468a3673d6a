/** The webservice operations. Each handler gets the parameters of its registered HTTP method only. */
import CryptoJS from 'crypto-js';
import { SimClock } from './clock';
import {
	Crash,
	denied,
	deniedForId,
	deniedForName,
	invalidId,
	mandatory,
	PlainText,
	unknownError,
	WsError,
} from './errors';
import { BY_PREFIX, defaultValue, FieldMeta, FIELD_INDEX, FIXTURE, INVENTORY_MODULES, LISTTYPES, ModuleMeta, MODULES, relatedTypesOf } from './meta';
import { deriveDuration, isActivityModule, storedActivityModule } from './activity';
import { LineItem, RecordStore, SimRecord, SimUser, Values, wsId } from './store';
import { formatDateTime, htmlDecode, htmlspecialchars, randomHex, uniqid } from './util';
import { runVtql, VtqlContext, VtqlRow } from './vtqlBridge';

/**
 * stock-8.3-php8: port 8080 of the recordings. positional: port 8081 (parameters by position, as on PHP 7).
 * salesplatform: positional plus what the README's SalesPlatform section describes and 8.3.0 breaks: inventory
 * create with LineItems, changePassword and deleteUser.
 */
export type Profile = 'positional' | 'stock-8.3-php8' | 'salesplatform';

export interface Session {
	name: string;
	userId: string;
	lastSeen: number;
}

export interface UploadedFile {
	field: string;
	filename: string;
	contentType: string;
	content: Buffer;
}

export interface OpContext {
	params: Record<string, string>;
	user: SimUser | null;
	session: Session | null;
	files: UploadedFile[];
	method: string;
}

/** Operations that die on stock 8.3.0 + PHP 8 (named-parameter mismatch): HTTP 500, empty body (operations.txt). */
export const STOCK_CRASHES = new Set(['sync', 'logout', 'convertlead', 'files_retrieve', 'retrieve_inventory', 'wsapp_register']);
/** Registered with a handler path that does not exist (operations.txt): plain text on stock. */
export const STOCK_RESTRICTED = new Set(['changepassword', 'deleteuser']);

export const OPERATIONS: Record<string, { method: 'GET' | 'POST'; prelogin: boolean }> = {
	login: { method: 'POST', prelogin: true },
	retrieve: { method: 'GET', prelogin: false },
	create: { method: 'POST', prelogin: false },
	update: { method: 'POST', prelogin: false },
	delete: { method: 'POST', prelogin: false },
	sync: { method: 'GET', prelogin: false },
	query: { method: 'GET', prelogin: false },
	logout: { method: 'POST', prelogin: false },
	listtypes: { method: 'GET', prelogin: false },
	getchallenge: { method: 'GET', prelogin: true },
	describe: { method: 'GET', prelogin: false },
	extendsession: { method: 'POST', prelogin: true },
	convertlead: { method: 'POST', prelogin: false },
	revise: { method: 'POST', prelogin: false },
	changepassword: { method: 'POST', prelogin: false },
	deleteuser: { method: 'POST', prelogin: false },
	'mobile.fetchallalerts': { method: 'POST', prelogin: false },
	'mobile.alertdetailswithmessage': { method: 'POST', prelogin: false },
	'mobile.fetchmodulefilters': { method: 'POST', prelogin: false },
	'mobile.fetchrecord': { method: 'POST', prelogin: false },
	'mobile.fetchrecordwithgrouping': { method: 'POST', prelogin: false },
	'mobile.filterdetailswithcount': { method: 'POST', prelogin: false },
	'mobile.listmodulerecords': { method: 'POST', prelogin: false },
	'mobile.saverecord': { method: 'POST', prelogin: false },
	'mobile.syncmodulerecords': { method: 'POST', prelogin: false },
	'mobile.query': { method: 'POST', prelogin: false },
	'mobile.querywithgrouping': { method: 'POST', prelogin: false },
	wsapp_register: { method: 'POST', prelogin: false },
	wsapp_deregister: { method: 'POST', prelogin: false },
	wsapp_get: { method: 'POST', prelogin: false },
	wsapp_put: { method: 'POST', prelogin: false },
	wsapp_map: { method: 'POST', prelogin: false },
	retrieve_inventory: { method: 'GET', prelogin: false },
	relatedtypes: { method: 'GET', prelogin: false },
	retrieve_related: { method: 'GET', prelogin: false },
	query_related: { method: 'GET', prelogin: false },
	add_related: { method: 'POST', prelogin: false },
	files_retrieve: { method: 'GET', prelogin: false },
};

const LINE_LEVEL = new Set(['productid', 'quantity', 'listprice', 'comment', 'discount_amount', 'discount_percent', 'tax1', 'tax2', 'tax3', 'image', 'purchase_cost', 'margin']);
const VERSION = { version: '0.22', vtigerVersion: '8.3.0' };
/** Header values an inventory record's totals are computed from. */
const TOTALS_INPUTS = ['hdnTaxType', 'hdnDiscountPercent', 'hdnDiscountAmount', 'txtAdjustment', 'hdnS_H_Amount'];
const STRINGISH = new Set(['string', 'text', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'textarea']);

/** Vtiger 8 encodes values that look like script injection; plain HTML survives (08_transport_params #16-#22). */
function needsEncoding(v: string): boolean {
	return /<\s*\/?\s*script\b|javascript\s*:|\bon[a-z]+\s*=/i.test(v);
}

function toStr(v: unknown): string {
	if (v === null || v === undefined) return '';
	if (Array.isArray(v)) return v.length ? toStr(v[0]) : '';
	if (typeof v === 'boolean') return v ? '1' : '0';
	if (typeof v === 'object') return JSON.stringify(v);
	return String(v);
}

function fmt(n: number, digits = 8): string {
	return (Number.isFinite(n) ? n : 0).toFixed(digits);
}

export class Operations {
	readonly tokens = new Map<string, { token: string; expireTime: number }>();
	readonly sessions = new Map<string, Session>();
	readonly competing = new Set<string>();
	/** faults.betweenSyncQueries: saves that commit between a sync's page query and its `more` query */
	readonly betweenSyncQueries: Array<() => void> = [];
	private rowCache = new Map<string, { version: number; rows: VtqlRow[] }>();

	constructor(
		public store: RecordStore,
		public clock: SimClock,
		public getProfile: () => Profile,
	) {}

	get stock(): boolean {
		return this.getProfile() === 'stock-8.3-php8';
	}

	/** Both lab servers run 8.3.0 on PHP 8; the salesplatform profile behaves like PHP 7 (README). */
	get php8(): boolean {
		return this.getProfile() !== 'salesplatform';
	}

	userByName(name: string): SimUser | undefined {
		const lower = name.toLowerCase();
		for (const u of this.store.users.values()) if (u.userName.toLowerCase() === lower) return u;
		return undefined;
	}

	newSession(user: SimUser): Session {
		const s: Session = { name: randomHex(8) + uniqid(), userId: user.id, lastSeen: this.clock.now() };
		this.sessions.set(s.name, s);
		return s;
	}

	// ---------- login ----------

	getchallenge(ctx: OpContext): unknown {
		const username = ctx.params.username ?? '';
		if (!username) throw new WsError('ACCESS_DENIED', 'No username given');
		const user = this.userByName(username);
		if (!user) throw new WsError('ACCESS_DENIED', 'username does not exists');
		const now = this.clock.now();
		const row = { token: uniqid(), expireTime: now + 300 };
		this.tokens.set(user.id, row);
		if (this.competing.delete(user.userName)) {
			// a second worker asks for a challenge right after this one: its token replaces ours
			this.tokens.set(user.id, { token: uniqid(Date.now() + 1), expireTime: now + 300 });
		}
		return { token: row.token, serverTime: now, expireTime: row.expireTime };
	}

	login(ctx: OpContext): unknown {
		const user = this.userByName(ctx.params.username ?? '');
		const row = user && this.tokens.get(user.id);
		if (!user || !row || row.expireTime < this.clock.now()) {
			throw new WsError('INVALID_AUTH_TOKEN', 'Specified token is invalid or expired');
		}
		const expected = CryptoJS.MD5(row.token + user.accessKey).toString();
		if ((ctx.params.accessKey ?? '') !== expected) {
			throw new WsError('INVALID_USER_CREDENTIALS', 'Invalid username or password');
		}
		const s = this.newSession(user);
		return { ...user.login, sessionName: s.name, userId: user.id, ...VERSION };
	}

	extendsession(ctx: OpContext): unknown {
		if (ctx.session && ctx.user) return { sessionName: ctx.session.name, userId: ctx.user.id, ...VERSION };
		if (ctx.method !== 'POST') throw new WsError('AUTHENTICATION_REQUIRED', 'Authencation required');
		throw new WsError('AUTHENTICATION_FAILURE', 'Authencation Failed');
	}

	logout(ctx: OpContext): unknown {
		if (!ctx.session || ctx.params.sessionName !== ctx.session.name) {
			throw new WsError('OPERATION_NOT_SUPPORTED', 'Permission to perform the operation is denied');
		}
		this.sessions.delete(ctx.session.name);
		return { message: 'successfull' };
	}

	// ---------- metadata ----------

	private entityVisible(user: SimUser, module: string): boolean {
		if (module === 'Users') return user.isAdmin;
		// stock 8.3.0: getPermittedModuleNames() returns no entity module for non-admins (11_nonadmin_user)
		if (this.stock && !user.isAdmin && MODULES[module]?.isEntity) return false;
		return true;
	}

	listtypes(ctx: OpContext): unknown {
		const user = ctx.user as SimUser;
		let wanted: string[] | null = null;
		if (ctx.params.fieldTypeList) {
			try {
				const parsed: unknown = JSON.parse(ctx.params.fieldTypeList);
				if (Array.isArray(parsed) && parsed.length) wanted = parsed.map(String);
			} catch {
				wanted = null;
			}
		}
		const types = LISTTYPES.types.filter((t) => {
			if (!this.entityVisible(user, t)) return false;
			if (!wanted) return true;
			const m = MODULES[t];
			return m.isEntity && t !== 'Users' && m.fields.some((f) => wanted!.includes(f.type.name));
		});
		const information: Record<string, unknown> = {};
		for (const t of types) information[t] = LISTTYPES.information[t];
		return { types, information };
	}

	describe(ctx: OpContext): unknown {
		const name = ctx.params.elementType ?? '';
		const m = MODULES[name];
		if (!m) throw deniedForName(name);
		const user = ctx.user as SimUser;
		if (!this.entityVisible(user, name)) throw denied();
		// a non-admin's describe lists the fields in table-column order (11b_nonadmin_user_patched_8081 #4)
		const described = (!user.isAdmin && FIXTURE.describeNonAdmin[name]) || m;
		// and a non-entity type (Groups, Currency, LineItem …) as read-only (lab, both servers: labuser's
		// describe of Groups says createable, updateable and deleteable false; admin's says true)
		if (!user.isAdmin && !m.isEntity) return { ...described, createable: false, updateable: false, deleteable: false };
		return described;
	}

	relatedtypes(ctx: OpContext): unknown {
		const name = ctx.params.elementType ?? '';
		const m = MODULES[name];
		if (!m) throw deniedForName(name);
		if (!this.entityVisible(ctx.user as SimUser, name)) throw denied();
		return relatedTypesOf(name);
	}

	// ---------- ids ----------

	private idParts(raw: string | undefined): { meta: ModuleMeta; crmid: number } {
		const parts = (raw ?? '').trim().split('x');
		const meta = /^\d+$/.test(parts[0]) ? BY_PREFIX[parts[0]] : undefined;
		if (!meta) throw deniedForId();
		if (parts.length < 2) throw denied();
		if (!/^\d+$/.test(parts[1].trim())) throw invalidId();
		return { meta, crmid: Number(parts[1]) };
	}

	/** A live entity record the user may see, or ACCESS_DENIED (missing, deleted, wrong prefix). */
	private entity(ctx: OpContext, raw: string | undefined): SimRecord {
		const { meta, crmid } = this.idParts(raw);
		const rec = this.store.byCrmid.get(crmid);
		// a task read as 18x… or an event as 9x…: INVALID_ID_ATTRIBUTE (lab, both servers; activity.ts)
		if (rec && !rec.deleted && rec.module !== meta.name && isActivityModule(rec.module) && isActivityModule(meta.name)) throw invalidId();
		if (!rec || rec.deleted || rec.module !== meta.name) throw denied();
		if (!this.entityVisible(ctx.user as SimUser, rec.module)) throw denied();
		return rec;
	}

	// ---------- output ----------

	private lineItemsOut(rec: SimRecord): Values[] {
		return (rec.lineItems ?? []).map((li) => {
			const product = this.store.getRecord(li.productid);
			return {
				parent_id: wsId(rec),
				productid: li.productid,
				sequence_no: li.sequence_no,
				quantity: li.quantity,
				listprice: li.listprice,
				discount_percent: li.discount_percent,
				discount_amount: li.discount_amount,
				comment: li.comment,
				description: li.description,
				incrementondel: '1',
				tax1: li.tax1,
				tax2: li.tax2,
				tax3: li.tax3,
				image: null,
				purchase_cost: '0.00000000',
				margin: '0.00000000',
				id: `33x${li.id}`,
				product_name: product ? htmlDecode(product.values.productname ?? product.values.servicename ?? '') : '',
				entity_type: product?.module ?? 'Products',
				deleted: product && !product.deleted ? '0' : '1',
			};
		});
	}

	/** LineItems_FinalDetails as the web UI's inventory helper builds it (07_other_ops_patched_8081 #21). */
	private finalDetails(rec: SimRecord): Record<string, unknown> {
		const out: Record<string, Record<string, unknown>> = {};
		const taxes = (prefix: string, pct: (i: number) => string | number, amount: (i: number) => string | number) =>
			['VAT', 'Sales', 'Service'].map((label, i) => ({
				taxname: `${prefix}${i + 1}`,
				taxlabel: label,
				percentage: pct(i),
				amount: amount(i),
				taxid: String(i + 1),
				type: 'Fixed',
				method: 'Simple',
				regions: [],
				compoundon: [],
			}));
		(rec.lineItems ?? []).forEach((li, i) => {
			const n = i + 1;
			const q = Number(li.quantity);
			const p = Number(li.listprice);
			const total = q * p;
			const disc = li.discount_percent !== null ? (total * Number(li.discount_percent)) / 100 : Number(li.discount_amount ?? 0);
			const product = this.store.getRecord(li.productid);
			const pv = product?.values ?? {};
			out[String(n)] = {
				[`purchaseCost${n}`]: '0.00',
				[`margin${n}`]: '0.00',
				[`productDeleted${n}`]: !product || product.deleted,
				[`entityType${n}`]: product?.module ?? 'Products',
				[`hdnProductId${n}`]: li.productid.split('x')[1],
				[`productName${n}`]: htmlDecode(pv.productname ?? pv.servicename ?? ''),
				[`hdnProductcode${n}`]: pv.product_no ?? pv.service_no ?? '',
				[`productDescription${n}`]: li.description,
				[`comment${n}`]: li.comment,
				[`qtyInStock${n}`]: String(Number(pv.qtyinstock ?? 0)),
				[`qty${n}`]: String(q),
				[`listPrice${n}`]: p.toFixed(2),
				[`unitPrice${n}`]: Number(pv.unit_price ?? p).toFixed(2),
				[`productTotal${n}`]: total.toFixed(2),
				[`subproduct_ids${n}`]: '',
				[`subprod_qty_list${n}`]: [],
				[`subprod_names${n}`]: '',
				[`discount_percent${n}`]: li.discount_percent !== null ? Number(li.discount_percent) : 0,
				[`discount_amount${n}`]: li.discount_amount !== null ? Number(li.discount_amount) : 0,
				[`checked_discount_${li.discount_percent !== null ? 'percent' : li.discount_amount !== null ? 'amount' : 'zero'}${n}`]: ' checked',
				[`discountTotal${n}`]: disc.toFixed(2),
				[`totalAfterDiscount${n}`]: (total - disc).toFixed(2),
				[`taxTotal${n}`]: '0.00',
				[`netPrice${n}`]: (total - disc).toFixed(2),
			};
		});
		const v = rec.values;
		const sub = Number(v.hdnSubTotal ?? 0);
		const discP = Number(v.hdnDiscountPercent || 0);
		const discA = Number(v.hdnDiscountAmount || 0);
		const discTotal = discP ? (sub * discP) / 100 : discA;
		if (!out['1']) out['1'] = {};
		out['1'].final_details = {
			taxtype: v.hdnTaxType || 'group',
			discount_type_final: discP ? 'percentage' : discA ? 'amount' : 'zero',
			hdnSubTotal: sub.toFixed(2),
			discount_percentage_final: discP,
			discount_amount_final: discA.toFixed(2),
			discountTotal_final: discTotal.toFixed(2),
			taxes: Object.fromEntries(taxes('tax', () => '0.000', () => '0.00').map((t, i) => [String(i + 1), t])),
			tax_totalamount: '0.00',
			shipping_handling_charge: Number(v.hdnS_H_Amount ?? 0).toFixed(2),
			sh_taxes: taxes('shtax', () => 0, () => 0),
			shtax_totalamount: '0.00',
			adjustment: Number(v.txtAdjustment ?? 0).toFixed(2),
			grandTotal: Number(v.hdnGrandTotal ?? 0).toFixed(2),
			preTaxTotal: Number(v.pre_tax_total ?? 0).toFixed(2),
			totalAfterDiscount: (sub - discTotal).toFixed(2),
			chargesAndItsTaxes: [],
			deductTaxes: [],
			deductTaxesTotalAmount: '0.00',
		};
		return out;
	}

	/** retrieve / create / update answer. `echo`: input values shown as given (the create echo, #22 of 03). */
	recordOut(rec: SimRecord, echo: Values = {}): Values {
		const out = this.store.output(rec, { label: true, listForm: false });
		for (const [k, v] of Object.entries(echo)) if (k in out) out[k] = v;
		if (INVENTORY_MODULES.has(rec.module)) {
			// line-level fields of the describe are not part of the header (07_other_ops_patched_8081 #20)
			for (const k of Object.keys(out)) if (LINE_LEVEL.has(k) || k.startsWith('shipping_&_handling')) delete out[k];
			const o = out as Record<string, unknown>;
			o.LineItems = this.lineItemsOut(rec);
			o.productid = rec.lineItems?.[0]?.productid ?? null;
			o.LineItems_FinalDetails = this.finalDetails(rec);
		}
		return out;
	}

	/** update/revise answer of an inventory record: the first line's fields, no FinalDetails (07_other_ops_* #20). */
	private inventoryWriteOut(rec: SimRecord, echo: Values): Values {
		const out = this.store.output(rec, { label: true, listForm: false });
		for (const [k, v] of Object.entries(echo)) if (k in out) out[k] = v;
		for (const k of Object.keys(out)) if (k.startsWith('shipping_&_handling')) delete out[k];
		const li = rec.lineItems?.[0];
		Object.assign(out, {
			productid: li?.productid ?? null,
			quantity: li?.quantity ?? '',
			listprice: li?.listprice ?? '',
			comment: li?.comment ?? '',
			discount_amount: li?.discount_amount ?? '',
			discount_percent: li?.discount_percent ?? '',
			tax1: li?.tax1 ?? '',
			tax2: li?.tax2 ?? '',
			tax3: li?.tax3 ?? '',
			image: null,
			purchase_cost: null,
			margin: null,
		});
		(out as Record<string, unknown>).LineItems = this.lineItemsOut(rec);
		return out;
	}

	// ---------- retrieve ----------

	retrieve(ctx: OpContext): unknown {
		const { meta, crmid } = this.idParts(ctx.params.id);
		const user = ctx.user as SimUser;
		if (meta.name === 'Users') {
			const u = this.store.users.get(`19x${crmid}`);
			// a non-admin may not retrieve any user, not even their own record (lab, both servers: labuser 19x5)
			if (!u || !user.isAdmin) throw denied();
			return u.record;
		}
		if (!meta.isEntity) {
			const rec = this.store.fixed.get(`${meta.idPrefix}x${crmid}`);
			if (!rec) throw denied();
			return rec;
		}
		return this.recordOut(this.readable(ctx));
	}

	retrieve_inventory(ctx: OpContext): unknown {
		return this.recordOut(this.readable(ctx));
	}

	/** The record of a read: an individual-tax record left without lines by a crashed delete (see delete) crashes on PHP 8. */
	private readable(ctx: OpContext): SimRecord {
		const rec = this.entity(ctx, ctx.params.id);
		if (this.php8 && INVENTORY_MODULES.has(rec.module) && rec.values.hdnTaxType === 'individual' && !rec.lineItems?.length) throw new Crash();
		return rec;
	}

	// ---------- writes ----------

	private parseElement(raw: string | undefined): Record<string, unknown> {
		if (raw === undefined || raw === '') throw new Crash();
		let parsed: unknown;
		try {
			parsed = JSON.parse(raw);
		} catch {
			throw unknownError();
		}
		if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
		return parsed as Record<string, unknown>;
	}

	/** Resolves an owner value; `missingUser` is set when it names a user that does not exist (03 #12). */
	private owner(v: string): { id: string; missingUser: boolean } {
		const s = v.trim();
		if (/^\d+$/.test(s)) return this.owner(`19x${s}`);
		const m = /^(\d+)x(\d+)$/.exec(s);
		if (!m) throw deniedForId();
		if (m[1] === '19') {
			if (this.store.users.has(s)) return { id: s, missingUser: false };
			return { id: m[2], missingUser: true };
		}
		if (m[1] === '20' && this.store.fixed.has(s)) return { id: s, missingUser: false };
		throw denied();
	}

	/** Converts one input value to what Vtiger stores (null = reference to a missing record). */
	private normalize(f: FieldMeta, raw: unknown): string | null {
		const v = toStr(raw);
		switch (f.type.name) {
			case 'reference': {
				if (v === '') return null;
				const parts = v.trim().split('x');
				const target = parts.length === 2 && /^\d+$/.test(parts[0]) ? BY_PREFIX[parts[0]] : undefined;
				if (!target) throw deniedForId();
				if (f.type.refersTo && !f.type.refersTo.includes(target.name)) {
					throw new WsError('REFERENCE_INVALID', `Invalid reference specified for ${f.name}`);
				}
				if (target.name === 'Users') return this.store.users.has(v.trim()) ? v.trim() : null;
				if (!target.isEntity) return this.store.fixed.has(v.trim()) ? v.trim() : null;
				const rec = this.store.byCrmid.get(Number(parts[1]));
				return rec && !rec.deleted && rec.module === target.name ? v.trim() : null;
			}
			case 'boolean':
				return ['1', 'true', 'on', 'yes'].includes(v.toLowerCase()) ? '1' : '0';
			case 'currency':
				return v === '' ? '0.00000000' : fmt(Number(v));
			case 'integer':
				return v === '' ? '0' : String(parseInt(v, 10) || 0);
			case 'date': {
				// a d/m/Y date is converted (03_validation_errors #18: '10/12/1815' -> '1815-12-10')
				const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v.trim());
				if (m) return `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
				return v;
			}
			default:
				return v;
		}
	}

	/**
	 * Applies the editable, known fields of `element` to `values`; returns the echo (unencoded values) and the
	 * owner outcome. Unknown and non-editable fields are ignored silently.
	 */
	private apply(
		module: string,
		element: Record<string, unknown>,
		values: Values,
	): { echo: Values; missingUser: boolean } {
		const echo: Values = {};
		let missingUser = false;
		for (const [k, raw] of Object.entries(element)) {
			const f = FIELD_INDEX[module].get(k);
			if (!f || !f.editable || k === 'id') continue;
			if (f.type.name === 'owner') {
				const v = toStr(raw);
				if (v === '') {
					values[k] = '';
					continue;
				}
				const o = this.owner(v);
				values[k] = o.id;
				missingUser = o.missingUser;
				echo[k] = values[k];
				continue;
			}
			const v = this.normalize(f, raw);
			echo[k] = v;
			values[k] = v !== null && STRINGISH.has(f.type.name) && needsEncoding(v) ? htmlspecialchars(v) : v;
		}
		return { echo, missingUser };
	}

	private checkMandatory(meta: ModuleMeta, has: (f: FieldMeta) => boolean): void {
		for (const f of meta.fields) {
			if (f.mandatory && f.editable && f.name !== 'id' && !has(f)) throw mandatory(f.name);
		}
	}

	private checkDuplicates(meta: ModuleMeta, values: Values, selfCrmid?: number): void {
		const unique = meta.fields.filter((f) => f.isunique && f.editable);
		if (meta.allowDuplicates !== false || !unique.length) return;
		for (const rec of this.store.records(meta.name)) {
			if (rec.deleted || rec.crmid === selfCrmid) continue;
			for (const f of unique) {
				const a = htmlDecode(rec.values[f.name] ?? '').toLowerCase();
				if (a !== '' && a === htmlDecode(values[f.name] ?? '').toLowerCase()) {
					throw new WsError(0, 'Duplicate(s) detected!');
				}
			}
		}
	}

	/** `user`: the extension reads each product as the user (vtws_retrieve), Vtiger's own LineItems do not. */
	private lineItems(raw: unknown, user?: SimUser): LineItem[] {
		if (!Array.isArray(raw) || raw.length === 0) throw new WsError('MANDATORY_FIELDS_MISSING', 'Mandatory Fields Missing..');
		return raw.map((line: Record<string, unknown>, i) => {
			const productid = toStr(line?.productid).trim();
			const parts = productid.split('x');
			const target = BY_PREFIX[parts[0]];
			const rec = this.store.byCrmid.get(Number(parts[1]));
			if (!target || !['Products', 'Services'].includes(target.name)) throw invalidId();
			if (!rec || rec.deleted || rec.module !== target.name) throw denied();
			if (user && !this.entityVisible(user, target.name)) throw denied();
			const qty = toStr(line.quantity);
			if (qty === '') throw mandatory('quantity');
			const price = line.listprice !== undefined ? Number(toStr(line.listprice)) : Number(rec.values.unit_price ?? 0);
			const dp = toStr(line.discount_percent);
			const da = toStr(line.discount_amount);
			return {
				id: this.store.newLineItemId(),
				productid,
				sequence_no: String(i + 1),
				quantity: Number(qty).toFixed(3),
				listprice: fmt(price),
				discount_percent: dp === '' ? null : Number(dp).toFixed(3),
				discount_amount: da === '' ? null : fmt(Number(da)),
				comment: toStr(line.comment),
				description: toStr(line.description),
				tax1: Number(toStr(line.tax1) || 0).toFixed(3),
				tax2: Number(toStr(line.tax2) || 0).toFixed(3),
				tax3: Number(toStr(line.tax3) || 0).toFixed(3),
			};
		});
	}

	/** Totals of an inventory record from its lines (SalesPlatform semantics, README). */
	private computeTotals(rec: SimRecord): void {
		const v = rec.values;
		const individual = v.hdnTaxType === 'individual';
		let sub = 0;
		for (const li of rec.lineItems ?? []) {
			const total = Number(li.quantity) * Number(li.listprice);
			const disc = li.discount_percent !== null ? (total * Number(li.discount_percent)) / 100 : Number(li.discount_amount ?? 0);
			let net = total - disc;
			if (individual) net += (net * (Number(li.tax1) + Number(li.tax2) + Number(li.tax3))) / 100;
			sub += net;
		}
		const discP = Number(v.hdnDiscountPercent || 0);
		const discA = Number(v.hdnDiscountAmount || 0);
		const afterDisc = sub - (discP ? (sub * discP) / 100 : discA);
		const grand = afterDisc + Number(v.hdnS_H_Amount || 0) + Number(v.txtAdjustment || 0);
		v.hdnSubTotal = fmt(sub);
		v.pre_tax_total = fmt(afterDisc);
		v.hdnGrandTotal = fmt(grand);
		if ('balance' in v) v.balance = fmt(grand - Number(v.received || 0));
		if (!v.currency_id) v.currency_id = '21x1';
		if (!v.conversion_rate || Number(v.conversion_rate) === 0) v.conversion_rate = '1.000';
	}

	/** create, also used by convertlead and the seed. */
	createRecord(user: SimUser, module: string, element: Record<string, unknown>, regression = false): { rec: SimRecord; echo: Values } {
		const meta = MODULES[module];
		if (!meta || !meta.isEntity || !this.entityVisible(user, module) || !meta.createable) throw denied();
		const values: Values = {};
		if (INVENTORY_MODULES.has(module) && Array.isArray(element.LineItems) && element.productid === undefined) {
			element = { ...element, productid: (element.LineItems[0] as Record<string, unknown> | undefined)?.productid };
		}
		this.checkMandatory(meta, (f) => toStr(element[f.name]) !== '');
		// 8.3.0 regression on both lab servers (03 #55, 07_other_ops_* #17): Users create and inventory create
		// with LineItems fail; createRecord itself (seed, lab actions) and the salesplatform profile are spared
		if (module === 'Users') throw invalidId();
		if (regression && INVENTORY_MODULES.has(module) && element.LineItems !== undefined) throw invalidId();
		const { echo, missingUser } = this.apply(module, element, values);
		let lines: LineItem[] | undefined;
		if (INVENTORY_MODULES.has(module)) {
			lines = this.lineItems(element.LineItems);
		}
		this.checkDuplicates(meta, values);
		deriveDuration(module, values);
		delete echo.duration_hours;
		delete echo.duration_minutes;
		const ownerId = (values.assigned_user_id as string) || user.id;
		const rec = this.store.insertRecord(storedActivityModule(module, values), {}, { ownerId, modifiedBy: user.id });
		for (const [k, v] of Object.entries(values)) if (k !== 'assigned_user_id') rec.values[k] = v;
		if (lines) {
			rec.lineItems = lines;
			this.computeTotals(rec);
		}
		if (missingUser) throw new PlainText();
		return { rec, echo };
	}

	create(ctx: OpContext): unknown {
		const module = ctx.params.elementType ?? '';
		if (!MODULES[module]) throw denied();
		const element = this.parseElement(ctx.params.element);
		const { rec, echo } = this.createRecord(ctx.user as SimUser, module, element, this.getProfile() !== 'salesplatform');
		if (module === 'Documents') {
			this.attachFile(rec, ctx.files);
			// the answer shows the stored (renamed) file name, not the one sent (lab: probe.bin -> probe.binfile.txt)
			if (ctx.files.some((f) => f.field === 'filename')) for (const k of ['filename', 'filetype', 'filesize']) delete echo[k];
		}
		if (rec.module !== module) return this.answerAs(module, rec, echo);
		const out = this.recordOut(rec, echo) as Record<string, unknown>;
		if (module === 'Products') {
			// the create answer of a product has no tax1-3, and ends with the price per currency: currency1 a
			// number, then currency_id (07_other_ops_stock #17)
			const { tax1: _t1, tax2: _t2, tax3: _t3, currency1: _c1, ...rest } = out;
			void _t1;
			void _t2;
			void _t3;
			void _c1;
			return { ...rest, currency1: Number(rec.values.unit_price ?? 0), currency_id: '21x1' };
		}
		return out;
	}

	/** Calendar's create answer for a record stored as an Event (activity.ts): Calendar's fields and a 9x… id. */
	private answerAs(module: string, rec: SimRecord, echo: Values): Values {
		const out: Values = {};
		for (const f of MODULES[module].fields) {
			if (f.name !== 'id') out[f.name] = echo[f.name] ?? rec.values[f.name] ?? defaultValue(f);
		}
		out.id = `${MODULES[module].idPrefix}x${rec.crmid}`;
		out.label = this.store.label(rec);
		return out;
	}

	/**
	 * Documents::save_module reads the file from `$_FILES['filename']` only when filelocationtype is I
	 * (the lab stores no file without it), renames bad extensions (probe.bin -> probe.binfile.txt), then
	 * CRMEntity::uploadAndSaveFile runs the image check: a refused file leaves the Document without it
	 * (no imageattachmentids, filename/filesize still set), a fake JPEG crashes PHP after the save.
	 */
	private attachFile(rec: SimRecord, files: UploadedFile[]): void {
		const file = files.find((f) => f.field === 'filename');
		if (toStr(rec.values.filelocationtype) !== 'I' || !file || file.filename === '' || file.content.length === 0) return;
		const name = sanitizeUploadName(file.filename);
		rec.values.filename = name;
		rec.values.filetype = file.contentType;
		rec.values.filesize = String(file.content.length);
		rec.values.filestatus = rec.values.filestatus || '1';
		const verdict = imageCheck(file);
		if (verdict === 'crash') throw new Crash();
		if (verdict === 'refused') return;
		const crmid = this.store.newCrmid();
		this.store.attachments.set(crmid, {
			crmid,
			documentId: rec.crmid,
			filename: name,
			filetype: file.contentType,
			content: file.content,
		});
		rec.extra = { imageattachmentids: `${MODULES[rec.module].idPrefix}x${crmid}` };
	}

	private write(ctx: OpContext, partial: boolean, extension = false): unknown {
		const element = this.parseElement(ctx.params.element);
		if (element.id === undefined || toStr(element.id) === '') throw invalidId();
		const user = ctx.user as SimUser;
		const { meta, crmid } = this.idParts(toStr(element.id));
		if (meta.name === 'Users') {
			const u = this.store.users.get(`19x${crmid}`);
			if (!u || (!user.isAdmin && u.id !== user.id)) throw denied();
			for (const [k, v] of Object.entries(element)) if (k in u.record && k !== 'id' && k !== 'user_name') u.record[k] = toStr(v);
			return u.record;
		}
		if (!meta.isEntity) throw denied();
		const rec = this.entity(ctx, toStr(element.id));
		const inventory = INVENTORY_MODULES.has(rec.module);
		// 8.3.0 on PHP 8 (both lab servers; salesplatform keeps PHP 7's leniency): sanitizeShippingTaxes computes
		// hdnSubTotal - hdnDiscountAmount, a TypeError for a non-numeric string such as the '' a retrieve returns
		const discount = element.hdnDiscountAmount;
		if (inventory && this.php8 && !extension && typeof discount === 'string' && !/^\s*-?[\d.]+\s*$/.test(discount) && !Number(toStr(element.hdnDiscountPercent))) {
			throw new Crash();
		}
		if (!partial) this.checkMandatory(meta, (f) => toStr(element[f.name]) !== '');
		const before: Values = { ...rec.values };
		const values: Values = { ...rec.values };
		const { echo, missingUser } = this.apply(rec.module, element, values);
		if (partial) this.checkMandatory(meta, (f) => (values[f.name] ?? '') !== '');
		this.checkDuplicates(meta, values, rec.crmid);
		deriveDuration(rec.module, values);
		delete echo.duration_hours;
		delete echo.duration_minutes;
		let lines: LineItem[] | undefined;
		if (INVENTORY_MODULES.has(rec.module) && element.LineItems !== undefined) lines = this.lineItems(element.LineItems, extension ? user : undefined);
		// the extension writes the current lines again when only their totals' inputs change
		if (extension && !lines && TOTALS_INPUTS.some((name) => element[name] !== undefined)) lines = rec.lineItems;
		rec.values = values;
		if (values.assigned_user_id) rec.ownerId = values.assigned_user_id;
		if ('modifiedby' in values) values.modifiedby = user.id;
		if (lines) rec.lineItems = lines;
		if (lines && this.php8 && !extension) {
			// 8.3.0 on PHP 8 (lab, both servers, revise and update): the header and the new lines are written, then
			// updateInventoryProductRel dies in VTEntityDelta::hasChanged (array_key_exists on null) before
			// updateParent: HTTP 500, totals 0 and the tax mode blank
			for (const total of ['hdnSubTotal', 'hdnGrandTotal', 'pre_tax_total']) values[total] = '0.00000000';
			values.hdnTaxType = '';
			this.store.setMtime(rec, this.clock.now());
			throw new Crash();
		}
		// without lines Vtiger saves the header as the detail view's inline edit does: the discounts are ignored and
		// nothing is recomputed (lab, both servers: adjustment 3 and S&H 4 left the grand total at 50)
		if (inventory && lines) this.computeTotals(rec);
		if (inventory && !lines) {
			for (const ignored of ['hdnDiscountPercent', 'hdnDiscountAmount']) values[ignored] = before[ignored] ?? '';
		}
		this.store.setMtime(rec, this.clock.now());
		if (missingUser) throw new PlainText();
		return INVENTORY_MODULES.has(rec.module) ? this.inventoryWriteOut(rec, echo) : this.recordOut(rec, echo);
	}

	update(ctx: OpContext): unknown {
		return this.write(ctx, false);
	}

	/**
	 * The n8n Connector extension's n8n_inventory_create (vtiger-extension/modules/N8nConnector/api/Inventory.php):
	 * Vtiger's inventory create without 8.3.0's failures; each product read as the user; the answer is the record
	 * as retrieve gives it, with LineItems. Totals as computeTotals (the salesplatform profile's).
	 */
	n8nInventoryCreate(user: SimUser, params: Record<string, string>): unknown {
		const module = params.elementType ?? '';
		if (!INVENTORY_MODULES.has(module)) {
			throw new WsError('N8N_INVALID_MODULE', `${module} has no line items; n8n_inventory_create takes Quotes, Invoice, SalesOrder, PurchaseOrder`);
		}
		const element = this.parseElement(params.element);
		this.lineItems(element.LineItems, user);
		const { rec } = this.createRecord(user, module, element, false);
		return this.recordOut(rec);
	}

	/** n8n_inventory_revise: revise with LineItems replacing every line and the totals recomputed. */
	n8nInventoryRevise(user: SimUser, params: Record<string, string>, session: OpContext['session']): unknown {
		const element = this.parseElement(params.element);
		const { meta } = this.idParts(toStr(element.id));
		if (!INVENTORY_MODULES.has(meta.name)) {
			throw new WsError('N8N_INVALID_MODULE', `${meta.name} has no line items; n8n_inventory_revise takes records of Quotes, Invoice, SalesOrder, PurchaseOrder`);
		}
		const ctx: OpContext = { params, user, session, files: [], method: 'POST' };
		this.write(ctx, true, true);
		return this.recordOut(this.entity(ctx, toStr(element.id)));
	}

	revise(ctx: OpContext): unknown {
		return this.write(ctx, true);
	}

	delete(ctx: OpContext): unknown {
		const rec = this.entity(ctx, ctx.params.id);
		if (INVENTORY_MODULES.has(rec.module)) {
			// Vtiger's inventory delete removes the lines first, then reads the record back: on PHP 8 an
			// individual-tax record without lines is a TypeError, the record stays behind without its lines and every
			// later retrieve crashes too (test/live/inventory-delete.live.test.ts, "Vtiger's own delete")
			rec.lineItems = [];
			if (this.php8 && rec.values.hdnTaxType === 'individual') throw new Crash();
		}
		this.store.remove(rec.crmid);
		return { status: 'successful' };
	}

	/** The extension's n8n_inventory_delete: deleted as the web UI does, the lines kept for a restore. */
	n8nInventoryDelete(user: SimUser, params: Record<string, string>, session: OpContext['session']): unknown {
		const { meta } = this.idParts(params.id);
		if (!INVENTORY_MODULES.has(meta.name)) {
			throw new WsError('N8N_INVALID_MODULE', `${meta.name} has no line items; n8n_inventory_delete takes records of Quotes, Invoice, SalesOrder, PurchaseOrder`);
		}
		const rec = this.entity({ params, user, session, files: [], method: 'POST' }, params.id);
		this.store.remove(rec.crmid);
		return { status: 'successful' };
	}

	// ---------- sync ----------

	sync(ctx: OpContext): unknown {
		const mt = ctx.params.modifiedTime ?? '';
		const module = ctx.params.elementType ?? '';
		// "0", dates and a missing elementType end in a PHP TypeError (06_sync_patched_8081 #2, #8, #13)
		if (!/^\d+$/.test(mt) || Number(mt) === 0 || module === '') throw new Crash();
		const meta = MODULES[module];
		if (!meta || !meta.isEntity) throw denied();
		if (module === 'Emails') throw new Crash();
		const since = Number(mt);
		const empty = { updated: [], deleted: [], more: false, lastModifiedTime: since };
		// Users is in sync's $ignoreModules: the raw parameter comes back, a string (06_sync_patched_8081 #15)
		if (module === 'Users') return { updated: [], deleted: [], lastModifiedTime: mt, more: false };
		const user = ctx.user as SimUser;
		const changedAfter = (time: number) => {
			const found: SimRecord[] = [];
			for (const rec of this.store.records(module)) if (rec.ownerId === user.id && rec.mtime > time) found.push(rec);
			return found;
		};
		const candidates = changedAfter(since);
		candidates.sort((a, b) => a.mtime - b.mtime || a.crmid - b.crmid);
		// the first 100 changes fix the page's upper bound; every change up to that second is returned
		const max = candidates.length ? candidates[Math.min(100, candidates.length) - 1].mtime : since;
		const page = candidates.filter((r) => r.mtime <= max);
		this.betweenSyncQueries.shift()?.();
		// `more` is a query of its own, after the page's (include/Webservices/GetUpdates.php)
		const more = changedAfter(max).length > 0;
		if (!page.length && !more) return empty;
		// a converted lead leaves sync as a deletion (lab, 8081: created, converted, then sync of Leads
		// answered updated [] and deleted ["10x255"]; retrieve still finds it)
		const gone = (r: SimRecord) => r.deleted || (r.module === 'Leads' && r.converted === true);
		return {
			updated: page.filter((r) => !gone(r)).map((r) => this.store.output(r, { label: false, listForm: true })),
			deleted: page.filter(gone).map((r) => wsId(r)),
			more,
			lastModifiedTime: max,
		};
	}

	// ---------- query ----------

	private vtqlModule(name: string) {
		const m = MODULES[name];
		if (!m) return undefined;
		let fields = m.fields.map((f) => ({ name: f.name, type: f.type }));
		// select * from Users leaves out the secrets (04_query #55)
		if (name === 'Users') fields = fields.filter((f) => !['user_password', 'confirm_password', 'accesskey'].includes(f.name));
		// LineItem rows carry a description the describe does not list (07_other_ops_* #23)
		if (name === 'LineItem') {
			const at = fields.findIndex((f) => f.name === 'comment') + 1;
			fields.splice(at, 0, { name: 'description', type: { name: 'text' } });
		}
		return { name: m.name, idPrefix: m.idPrefix, fields };
	}

	private moduleRows(module: string): VtqlRow[] {
		const cached = this.rowCache.get(module);
		if (cached && cached.version === this.store.version) return cached.rows;
		let rows: VtqlRow[] = [];
		const meta = MODULES[module];
		if (!meta) rows = [];
		else if (module === 'Users') {
			// the query reads the raw user table: three preference fields differ from retrieve (04_query #55)
			rows = [...this.store.users.values()].map((u) => ({
				crmid: Number(u.id.split('x')[1]),
				deleted: false,
				values: { ...u.record, currency_grouping_pattern: '', currency_symbol_placement: '', no_of_currency_decimals: null },
			}));
		} else if (module === 'LineItem') {
			for (const m of INVENTORY_MODULES) {
				for (const rec of this.store.records(m)) {
					for (const li of this.lineItemsOut(rec)) {
						const { product_name: _p, entity_type: _e, deleted: _d, ...values } = li;
						void _p;
						void _e;
						void _d;
						rows.push({ crmid: Number((li.id as string).split('x')[1]), deleted: rec.deleted, values });
					}
				}
			}
			rows.sort((a, b) => a.crmid - b.crmid);
		} else if (!meta.isEntity) {
			for (const [id, values] of this.store.fixed) {
				if (id.startsWith(`${meta.idPrefix}x`)) rows.push({ crmid: Number(id.split('x')[1]), deleted: false, values });
			}
			rows.sort((a, b) => a.crmid - b.crmid);
		} else {
			for (const rec of this.store.records(module)) {
				if (rec.converted) continue;
				rows.push({ crmid: rec.crmid, deleted: rec.deleted, values: this.store.output(rec, { label: false, listForm: true }) });
			}
		}
		this.rowCache.set(module, { version: this.store.version, rows });
		return rows;
	}

	private context(user: SimUser, rows: (m: string) => VtqlRow[]): VtqlContext {
		const prefixes: Record<string, string> = {};
		for (const m of Object.values(MODULES)) prefixes[m.name] = m.idPrefix;
		return {
			module: (name) => (MODULES[name] && this.entityVisible(user, name) ? this.vtqlModule(name) : undefined),
			rows,
			modulePrefixes: () => prefixes,
		};
	}

	private vtqlResult(outcome: ReturnType<typeof runVtql>): unknown {
		if (outcome.kind === 'rows') return outcome.rows;
		if (outcome.kind === 'sqlError') return [];
		throw new WsError(outcome.code, outcome.message);
	}

	query(ctx: OpContext): unknown {
		const q = ctx.params.query ?? '';
		if (q.trim() === '') throw new WsError('ACCESS_DENIED', 'Permission to perform the operation is denied for query');
		const user = ctx.user as SimUser;
		const from = /\bfrom\s+([A-Za-z_]+)/i.exec(q)?.[1];
		// a module the user may not use is refused before parsing (11b_nonadmin_user_patched_8081 #13)
		if (from && MODULES[from] && !this.entityVisible(user, from)) throw denied();
		return this.vtqlResult(runVtql(q, this.context(user, (m) => this.moduleRows(m)), 'query'));
	}

	// ---------- relations ----------

	private related(source: SimRecord, target: string, label: string): SimRecord[] {
		const src = wsId(source);
		const found = new Map<number, SimRecord>();
		const refs = MODULES[target]?.fields.filter((f) => f.type.name === 'reference' && f.type.refersTo?.includes(source.module)) ?? [];
		// a relation backed by a reference field (Accounts -> Contacts: account_id) lists only what the field
		// links; add_related answers "successfull" but does not show there (07_other_ops_stock #14, #15)
		if (!refs.length) {
			for (const r of this.store.relations.get(source.crmid) ?? []) {
				const rec = this.store.byCrmid.get(r.crmid);
				if (rec && rec.module === target && r.label === label) found.set(rec.crmid, rec);
			}
			for (const [from, list] of this.store.relations) {
				if (list.some((r) => r.crmid === source.crmid)) {
					const rec = this.store.byCrmid.get(from);
					if (rec && rec.module === target) found.set(rec.crmid, rec);
				}
			}
		}
		if (refs.length) {
			for (const rec of this.store.records(target)) {
				if (refs.some((f) => rec.values[f.name] === src)) found.set(rec.crmid, rec);
			}
		}
		if (INVENTORY_MODULES.has(source.module) || ['Products', 'Services'].includes(source.module)) {
			for (const rec of this.store.records(target)) {
				if (rec.lineItems?.some((li) => li.productid === src)) found.set(rec.crmid, rec);
				if (source.lineItems?.some((li) => li.productid === wsId(rec))) found.set(rec.crmid, rec);
			}
		}
		return [...found.values()].filter((r) => !r.deleted && !r.converted).sort((a, b) => a.crmid - b.crmid);
	}

	private relationOk(source: SimRecord, module: string, label: string): boolean {
		const info = relatedTypesOf(source.module).information[label];
		return !!info && info.name === module;
	}

	retrieve_related(ctx: OpContext): unknown {
		const source = this.entity(ctx, ctx.params.id);
		const type = ctx.params.relatedType ?? '';
		const label = ctx.params.relatedLabel ?? '';
		if (!this.relationOk(source, type, label)) throw new WsError('UNKOWN_ENTITY', 'Relation specified is incorrect');
		// RetrieveRelated.php is vtws_query_related('SELECT * FROM ' . $relatedType, …): vtws_query's 100-row cap applies
		return this.query_related({ ...ctx, params: { query: `SELECT * FROM ${type}`, id: ctx.params.id ?? '', relatedLabel: label } });
	}

	query_related(ctx: OpContext): unknown {
		const q = ctx.params.query ?? '';
		const source = this.entity(ctx, ctx.params.id);
		const label = ctx.params.relatedLabel ?? '';
		// vtws_query_related splits on an upper-case WHERE and takes the module from what precedes it (07 #8-#12)
		const module = /\bfrom\s+(\S+)/i.exec(q.split('WHERE')[0])?.[1] ?? '';
		if (!this.relationOk(source, module, label)) throw new WsError('UNKOWN_ENTITY', 'Relation specified is incorrect');
		const related = new Set(this.related(source, module, label).map((r) => r.crmid));
		const ctxRows = (m: string) => (m === module ? this.moduleRows(m).filter((r) => related.has(r.crmid)) : []);
		return this.vtqlResult(runVtql(q, this.context(ctx.user as SimUser, ctxRows), 'query_related'));
	}

	add_related(ctx: OpContext): unknown {
		let source: SimRecord;
		let target: SimRecord;
		try {
			source = this.entity(ctx, ctx.params.sourceRecordId);
			target = this.entity(ctx, ctx.params.relatedRecordId);
		} catch {
			throw unknownError();
		}
		const label = ctx.params.relationIdLabel ?? '';
		if (!this.relationOk(source, target.module, label)) throw new WsError('UNKOWN_ENTITY', 'Relation specified is incorrect');
		const list = this.store.relations.get(source.crmid) ?? [];
		if (!list.some((r) => r.crmid === target.crmid && r.label === label)) list.push({ label, crmid: target.crmid });
		this.store.relations.set(source.crmid, list);
		this.store.version++;
		return { message: 'successfull' };
	}

	// ---------- other ----------

	convertlead(ctx: OpContext): unknown {
		const element = this.parseElement(ctx.params.element);
		const user = ctx.user as SimUser;
		const lead = this.entity(ctx, toStr(element.leadId));
		if (lead.module !== 'Leads') throw denied();
		if (lead.converted) throw new WsError('LEAD_ALREADY_CONVERTED', 'Lead is already converted');
		const assignedTo = toStr(element.assignedTo) || user.id;
		const entities = (element.entities ?? {}) as Record<string, Record<string, unknown>>;
		const lv = (k: string) => htmlDecode(lead.values[k] ?? '');
		const result: Record<string, string> = {};
		const make = (module: string, defaults: Record<string, unknown>) => {
			const spec = entities[module];
			if (!spec || !(spec.create === true || spec.create === 'true' || spec.create === 1)) return;
			const el: Record<string, unknown> = { ...defaults, assigned_user_id: assignedTo };
			for (const [k, v] of Object.entries(spec)) if (!['create', 'name'].includes(k)) el[k] = v;
			result[module] = wsId(this.createRecord(user, module, el).rec);
		};
		make('Accounts', { accountname: lv('company'), phone: lv('phone'), website: lv('website') });
		make('Contacts', {
			firstname: lv('firstname'),
			lastname: lv('lastname'),
			email: lv('email'),
			account_id: result.Accounts ?? '',
		});
		make('Potentials', {
			potentialname: lv('company') || lv('lastname'),
			related_to: result.Accounts ?? '',
			contact_id: result.Contacts ?? '',
			closingdate: formatDateTime(this.clock.now()).slice(0, 10),
			sales_stage: 'Prospecting',
		});
		lead.converted = true;
		this.store.setMtime(lead, this.clock.now());
		return result;
	}

	files_retrieve(ctx: OpContext): unknown {
		const notFound = new WsError('RECORD_NOT_FOUND', 'Record you are trying to access is not found');
		const parts = (ctx.params.id ?? '').trim().split('x');
		const att = this.store.attachments.get(Number(parts[1]));
		if (!att) throw notFound;
		return [
			{
				fileid: String(att.crmid),
				filename: att.filename,
				filetype: att.filetype,
				filesize: att.content.length,
				filecontents: att.content.toString('base64'),
			},
		];
	}

	changepassword(ctx: OpContext): unknown {
		const user = ctx.user as SimUser;
		const target = this.store.users.get((ctx.params.id ?? '').trim());
		if (!target || (!user.isAdmin && target.id !== user.id)) throw denied();
		const p = ctx.params;
		if (!user.isAdmin && p.oldPassword !== target.password) throw new WsError('INVALID_OLD_PASSWORD', 'Old password is incorrect');
		if (!p.newPassword || p.newPassword !== p.confirmPassword) {
			throw new WsError('CHANGE_PASSWORD_FAILURE', 'New password and confirm password do not match');
		}
		target.password = p.newPassword;
		return { message: 'Changed password successfully' };
	}

	deleteuser(ctx: OpContext): unknown {
		const user = ctx.user as SimUser;
		if (!user.isAdmin) throw denied();
		const target = this.store.users.get((ctx.params.id ?? '').trim());
		const heir = this.store.users.get((ctx.params.newOwnerId ?? '').trim());
		if (!target || !heir || target.id === heir.id) throw denied();
		for (const rec of this.store.byCrmid.values()) {
			if (rec.ownerId === target.id) {
				rec.ownerId = heir.id;
				rec.values.assigned_user_id = heir.id;
			}
		}
		this.store.users.delete(target.id);
		for (const [name, s] of this.sessions) if (s.userId === target.id) this.sessions.delete(name);
		this.store.version++;
		return { status: 'successful' };
	}

	wsapp_register(): unknown {
		return { key: uniqid() };
	}
}

const UPLOAD_BAD_EXTENSIONS = ['php', 'php3', 'php4', 'php5', 'pl', 'cgi', 'py', 'asp', 'cfm', 'js', 'vbs', 'html', 'htm', 'exe', 'bin', 'bat', 'sh', 'dll', 'phps', 'phtml', 'xhtml', 'rb', 'msi', 'jsp', 'shtml', 'sth', 'shtm', 'htaccess'];
const IMAGE_FORMATS = ['jpeg', 'png', 'jpg', 'pjpeg', 'x-png', 'gif', 'bmp', 'vnd.adobe.photoshop', 'tiff', 'svg+xml', 'x-eps', 'x-dwg', 'vnd.dwg', 'webp', 'x-ms-bmp', 'ico', 'vnd.microsoft.icon', 'x-icon'];

/** sanitizeUploadFileName (include/utils/utils.php) with the lab's $upload_badext; spaces become _ */
function sanitizeUploadName(name: string): string {
	let bad = false;
	const parts = name.replace(/[\s#%&?]+/g, '_').split('.').map((part) => {
		if (!UPLOAD_BAD_EXTENSIONS.includes(part.toLowerCase())) return part;
		bad = true;
		return `${part}file`;
	});
	return parts.join('.') + (bad ? '.txt' : '');
}

/** What libmagic says about the content, as far as the lab showed it matters (a PNG needs its IHDR chunk). */
function sniffImage(content: Buffer): string | undefined {
	if (content.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) && content.subarray(12, 16).toString('latin1') === 'IHDR') return 'png';
	if (/^GIF8[79]a/.test(content.subarray(0, 6).toString('latin1'))) return 'gif';
	if (content[0] === 0xff && content[1] === 0xd8 && content[2] === 0xff) return 'jpeg';
	return undefined;
}

/**
 * Vtiger_Functions::validateImage as the lab answers it: content that looks like an image needs an image
 * type (octet-stream is replaced by the sniffed one), an image extension, no "<?" inside; a JPEG then
 * goes through imagecreatefromjpeg, which kills PHP for a file that is not really one (HTTP 500) — here
 * every JPEG without a JFIF/Exif header counts as not really one.
 */
function imageCheck(file: UploadedFile): 'ok' | 'refused' | 'crash' {
	const sniffed = sniffImage(file.content);
	if (!sniffed) return 'ok';
	const declared = file.contentType === 'application/octet-stream' ? `image/${sniffed}` : file.contentType.toLowerCase();
	const extension = file.filename.includes('.') ? (file.filename.split('.').pop() ?? '').toLowerCase() : '';
	if (!declared.startsWith('image/') || !IMAGE_FORMATS.includes(declared.slice(6)) || !IMAGE_FORMATS.includes(extension) || file.filename.startsWith('.')) return 'refused';
	if (declared === 'image/jpeg' && !/^(JFIF|Exif)/.test(file.content.subarray(6, 10).toString('latin1'))) return 'crash';
	if (file.content.includes('<?')) return 'refused';
	return 'ok';
}
