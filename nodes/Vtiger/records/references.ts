import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import { describeModule, labelFieldsOf } from './describe';
import type { VtigerField, VtigerModuleDescription } from './describe';
import { failureOf } from '../webservice/errors';
import { isRecordId, prefixOf } from './ids';
import { vtigerApiRequest } from '../webservice/transport';
import type { VtigerContext } from '../webservice/transport';
import { buildSelect, VTQL_PAGE_SIZE, withLimit } from './vtql';

/** Owner fields (`assigned_user_id`) hold a user or a group; describe says only `type: owner`. */
const OWNER_MODULES = ['Users', 'Groups'];

/** Reference and owner fields, with the modules their ids may point to. */
export function referenceFields(description: VtigerModuleDescription): Array<{ field: VtigerField; modules: string[] }> {
	const found: Array<{ field: VtigerField; modules: string[] }> = [];
	for (const field of description.fields) {
		if (field.type.name === 'owner') found.push({ field, modules: OWNER_MODULES });
		else if (field.type.name === 'reference' && field.type.refersTo?.length) {
			found.push({ field, modules: field.type.refersTo });
		}
	}
	return found;
}

/** The field that carries `field`'s label in the output: `account_id` → `account_id_label`. */
export function labelFieldName(field: string): string {
	return `${field}_label`;
}

/** A record's label from its module's label fields (Contacts: firstname lastname), as Vtiger shows it. */
export function recordLabel(description: VtigerModuleDescription, record: IDataObject): string | undefined {
	const parts = labelFieldsOf(description)
		.map((name) => String(record[name] ?? '').trim())
		.filter((part) => part !== '');
	if (parts.length === 0 && description.name === 'Users') {
		const login = String(record.user_name ?? '').trim();
		return login || undefined;
	}
	return parts.length ? parts.join(' ') : undefined;
}

/**
 * `task`'s answer, or undefined when Vtiger refused it (a failure it answered itself, ACCESS_DENIED …):
 * those records stay without labels. Crashes and network failures still fail the operation.
 */
export async function unlessRefused<T>(ctx: VtigerContext, task: () => Promise<T>): Promise<T | undefined> {
	try {
		return await task();
	} catch (error) {
		if (failureOf(error)?.kind === 'vtiger') return undefined;
		if (error instanceof NodeApiError || error instanceof NodeOperationError) {
			const known: NodeApiError | NodeOperationError = error;
			throw known;
		}
		throw new NodeOperationError(ctx.getNode(), error as Error);
	}
}

/** Labels of `ids` of one module: one query per 100 ids (Vtiger's row cap), `id IN (…)`, escaped. */
async function labelsOf(
	ctx: VtigerContext,
	description: VtigerModuleDescription,
	ids: string[],
	itemIndex: number | undefined,
	labels: Map<string, string>,
): Promise<void> {
	const fields = labelFieldsOf(description);
	if (description.name === 'Users' && !fields.includes('user_name')) fields.push('user_name');
	if (fields.length === 0) return;
	for (let start = 0; start < ids.length; start += VTQL_PAGE_SIZE) {
		const chunk = ids.slice(start, start + VTQL_PAGE_SIZE);
		const statement = buildSelect({
			module: description.name,
			fields,
			conditions: [{ field: 'id', operator: 'IN', value: chunk }],
		});
		// records (or a whole module) the user may not see are left out, not an error
		const rows = await unlessRefused(ctx, async () =>
			await vtigerApiRequest.call(ctx, 'query', { query: withLimit(statement, 0, VTQL_PAGE_SIZE) }, { itemIndex }),
		);
		if (rows === undefined) return;
		for (const row of Array.isArray(rows) ? (rows as IDataObject[]) : []) {
			const label = recordLabel(description, row);
			if (label !== undefined) labels.set(String(row.id), label);
		}
	}
}

/**
 * The labels of the records, users and groups that `records`' reference and owner fields point to,
 * by id. One query per referenced module per 100 distinct ids, never one request per record; ids the
 * user may not see get no label.
 */
export async function resolveReferenceLabels(
	ctx: VtigerContext,
	description: VtigerModuleDescription,
	records: IDataObject[],
	itemIndex?: number,
	known?: Map<string, string>,
): Promise<Map<string, string>> {
	// labels found before (line items' products for their invoice) are not asked for again
	const labels = known ?? new Map<string, string>();
	const references = referenceFields(description);
	if (references.length === 0 || records.length === 0) return labels;

	const idsByPrefix = new Map<string, Set<string>>();
	const candidates = new Set<string>();
	for (const record of records) {
		for (const { field, modules } of references) {
			const value = record[field.name];
			if (typeof value !== 'string' || !isRecordId(value) || labels.has(value)) continue;
			const prefix = prefixOf(value);
			if (!idsByPrefix.has(prefix)) idsByPrefix.set(prefix, new Set());
			idsByPrefix.get(prefix)?.add(value);
			for (const module of modules) candidates.add(module);
		}
	}
	if (idsByPrefix.size === 0) return labels;

	// an id's prefix names its module (describe → idPrefix), also for fields that refer to several modules
	// a non-admin may not describe (nor query) Users: ACCESS_DENIED (test/engine/node/output.test.ts, "a non-admin may not query Users")
	const described = await Promise.all(
		[...candidates].map(async (module) => await unlessRefused(ctx, async () => await describeModule(ctx, module, itemIndex))),
	);
	const lookups: Array<Promise<void>> = [];
	for (const target of described) {
		const ids = target ? idsByPrefix.get(target.idPrefix) : undefined;
		if (!target || !ids) continue;
		idsByPrefix.delete(target.idPrefix);
		lookups.push(labelsOf(ctx, target, [...ids], itemIndex, labels));
	}
	await Promise.all(lookups);
	return labels;
}
