import type {
	IDataObject,
	IExecutePaginationFunctions,
	INodeExecutionData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { VtigerModuleDescription } from '../../records/describe';
import { inputError } from '../../records/input';
import { sendRoutedRequest } from '../../webservice/routing';
import { VTQL_PAGE_SIZE } from '../../records/vtql';
import { relatedStatement, RelatedQueryError } from './relatedQuery';
import type { VtigerRequestData } from '../../webservice/routing';

/** The query_related statement for one page, a bad query reported against the Query parameter. */
export function pagedRelatedStatement(
	ctx: IExecutePaginationFunctions,
	query: string,
	related: VtigerModuleDescription,
	page: { offset: number; count: number },
): string {
	try {
		return relatedStatement(query, related, page);
	} catch (error) {
		if (error instanceof RelatedQueryError) throw inputError(ctx, 'Query', error.message);
		throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: ctx.getItemIndex() });
	}
}

/**
 * Pages `query` over one record's related list with query_related and `LIMIT offset, 100` (vtws_query
 * answers 100 rows at most), from `start` until a short page or `max` records.
 */
export async function pageQueryRelated(
	ctx: IExecutePaginationFunctions,
	requestData: VtigerRequestData,
	target: { query: string; id: unknown; relatedLabel: unknown; related: VtigerModuleDescription },
	start: number,
	max: number,
): Promise<INodeExecutionData[]> {
	const items: INodeExecutionData[] = [];
	let offset = start;
	while (items.length < max) {
		const count = Math.min(VTQL_PAGE_SIZE, max - items.length);
		const qs: IDataObject = {
			operation: 'query_related',
			query: pagedRelatedStatement(ctx, target.query, target.related, { offset, count }),
			id: target.id as string,
			relatedLabel: target.relatedLabel as string,
		};
		const page = await sendRoutedRequest(ctx, { ...requestData, options: { ...requestData.options, qs } });
		items.push(...page);
		if (page.length < count) break;
		offset += count;
	}
	return items;
}
