import type { IExecuteSingleFunctions, INodeProperties } from 'n8n-workflow';

import type { VtigerModuleDescription } from './describe';
import { describeModule, findField } from './describe';
import { inputError } from './input';
import { showFor } from './properties';
import { vtigerApiRequest } from '../webservice/transport';
import type { VtigerContext } from '../webservice/transport';

/** One entry of `relatedtypes`: the related module and the label the relation is known by. */
export interface VtigerRelation {
	module: string;
	label: string;
}

interface RelatedTypes {
	types?: string[];
	information?: Record<string, { name?: string; label?: string; isEntity?: string | boolean }>;
}

/** The picker's value: module and label together, since one module relates under several labels. */
export function encodeRelation(relation: VtigerRelation): string {
	return `${relation.module}:${relation.label}`;
}

/** `relatedtypes` as a list of relations, in Vtiger's order (keyed by label, 07_other_ops_patched_8081.jsonl). */
export async function relationsOf(ctx: VtigerContext, module: string, itemIndex?: number): Promise<VtigerRelation[]> {
	const answer = ((await vtigerApiRequest.call(ctx, 'relatedtypes', { elementType: module }, { itemIndex })) ??
		{}) as RelatedTypes;
	return Object.entries(answer.information ?? {}).map(([label, info]) => ({
		module: String(info?.name ?? label),
		label: String(info?.label ?? label),
	}));
}

export function relationPicker(resource: string, operations: string[]): INodeProperties {
	return {
		displayName: 'Relation Name or ID',
		name: 'relation',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getRelations', loadOptionsDependsOn: ['module'] },
		required: true,
		default: '',
		hint: 'A module and the label it is related under (Calendar is related as "Activities" and as "Activity History"); in an expression write "Module:Label"',
		displayOptions: showFor(resource, operations),
		description: 'The related list, as Vtiger names it (module and label: Calendar is related as "Activities" and as "Activity History"). Choose from the list, or specify "Module:Label" using an <a href="https://docs.n8n.io/code/expressions/">expression</a>. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	};
}

/**
 * The chosen relation. "Module:Label" is taken as it is; a bare label or module is looked up in
 * `relatedtypes` (one request), so an expression may give either.
 */
export async function readRelation(
	ctx: IExecuteSingleFunctions,
	source: VtigerModuleDescription,
): Promise<VtigerRelation> {
	const raw = String(ctx.getNodeParameter('relation', '') ?? '').trim();
	if (!raw) throw inputError(ctx, 'Relation', 'choose the related list');
	const colon = raw.indexOf(':');
	if (colon > 0) {
		return { module: raw.slice(0, colon).trim(), label: raw.slice(colon + 1).trim() };
	}
	const known = await relationsOf(ctx, source.name, ctx.getItemIndex());
	const byLabel = known.find((relation) => relation.label === raw);
	if (byLabel) return byLabel;
	const byModule = known.filter((relation) => relation.module === raw);
	if (byModule.length === 1) return byModule[0];
	const choices = known.map((relation) => `"${encodeRelation(relation)}"`).join(', ');
	throw inputError(
		ctx,
		'Relation',
		byModule.length > 1
			? `${source.name} relates to ${raw} under several labels: use one of ${byModule.map((relation) => `"${encodeRelation(relation)}"`).join(', ')}`
			: `${source.name} has no related list "${raw}"`,
		`Vtiger's related lists of ${source.name}: ${choices || 'none'}`,
	);
}

/** The describe of the related module, for ids of related records. */
export async function describeRelated(ctx: IExecuteSingleFunctions, relation: VtigerRelation): Promise<VtigerModuleDescription> {
	return await describeModule(ctx, relation.module, ctx.getItemIndex());
}

/**
 * A condition that holds for every record, for statements that need a WHERE before their
 * ORDER BY or LIMIT: vtws_query_related appends its own `WHERE id IN (…)` at the end when the
 * statement has no WHERE, which would land after the LIMIT (QueryRelated.php).
 */
export function alwaysTrueCondition(description: VtigerModuleDescription): string | undefined {
	for (const name of ['createdtime', 'modifiedtime']) {
		if (findField(description, name)) return `${name} >= '1970-01-01 00:00:00'`;
	}
	return undefined;
}
