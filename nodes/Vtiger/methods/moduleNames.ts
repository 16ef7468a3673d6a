import type { ILoadOptionsFunctions } from 'n8n-workflow';

import { vtigerApiRequest } from '../webservice/transport';

export interface ListTypes {
	types?: string[];
	information?: Record<string, { label?: string; singular?: string; isEntity?: boolean }>;
}

/** `listtypes`: the modules the user may use, with their labels (Potentials: "Opportunities"). */
export async function listTypes(ctx: ILoadOptionsFunctions): Promise<ListTypes> {
	return ((await vtigerApiRequest.call(ctx, 'listtypes')) ?? {}) as ListTypes;
}

/** How the pickers name a module: its label, with the API name when they differ ("Opportunities (Potentials)"). */
export function moduleOptionName(name: string, types: ListTypes): string {
	const label = types.information?.[name]?.label || name;
	return label === name ? label : `${label} (${name})`;
}

export function byName(a: { name: string }, b: { name: string }): number {
	return a.name.localeCompare(b.name);
}
