import type { IDataObject, IExecuteSingleFunctions, INodeExecutionData } from 'n8n-workflow';

/** postReceive: every output item points at the input item it came from. */
export async function pairWithInput(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const item = this.getItemIndex();
	return items.map((entry) => ({ ...entry, pairedItem: { item } }));
}

export function jsonItems(ctx: IExecuteSingleFunctions, records: IDataObject[]): INodeExecutionData[] {
	const item = ctx.getItemIndex();
	return records.map((json) => ({ json, pairedItem: { item } }));
}

export function simplifyParameter(ctx: IExecuteSingleFunctions): boolean {
	return ctx.getNodeParameter('simplify', true) !== false;
}
