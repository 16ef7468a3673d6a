import type { ILoadOptionsFunctions } from 'n8n-workflow';

/** The module chosen in the node, as the editor sends it to a method. */
export function chosenModule(ctx: ILoadOptionsFunctions): string {
	const current = ctx.getCurrentNodeParameter('module');
	const value = current ?? ctx.getNodeParameter('module', '');
	return typeof value === 'string' ? value.trim() : '';
}
