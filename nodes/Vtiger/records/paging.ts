import type {
	IDataObject,
	IExecutePaginationFunctions,
	INodeExecutionData,
} from 'n8n-workflow';

import { sendRoutedRequest } from '../webservice/routing';
import { VTQL_PAGE_SIZE, withLimit } from './vtql';
import type { VtigerRequestData } from '../webservice/routing';

function withQs(requestData: VtigerRequestData, qs: IDataObject): VtigerRequestData {
	return {
		...requestData,
		options: { ...requestData.options, qs: { ...(requestData.options.qs ?? {}), ...qs } },
	};
}

/**
 * Pages a VTQL statement (in `qs.query`, without LIMIT and `;`) with `LIMIT offset, 100`: Vtiger caps
 * every answer at 100 rows and leaves the offset free (04_query.jsonl). A short page is the last one.
 */
export async function pageVtql(
	ctx: IExecutePaginationFunctions,
	requestData: VtigerRequestData,
	max: number,
	start = 0,
): Promise<INodeExecutionData[]> {
	const statement = String((requestData.options.qs as IDataObject | undefined)?.query ?? '');
	const items: INodeExecutionData[] = [];
	let offset = start;
	while (items.length < max) {
		const size = Math.min(VTQL_PAGE_SIZE, max - items.length);
		const page = await sendRoutedRequest(ctx, withQs(requestData, { query: withLimit(statement, offset, size) }));
		items.push(...page);
		if (page.length < size) break;
		offset += size;
	}
	return items;
}

/** Get Many: Return All pages to the end, otherwise up to Limit. */
export async function getManyPager(
	this: IExecutePaginationFunctions,
	requestData: VtigerRequestData,
): Promise<INodeExecutionData[]> {
	const returnAll = this.getNodeParameter('returnAll', false) === true;
	const limit = Number(this.getNodeParameter('limit', 50));
	return await pageVtql(this, requestData, returnAll ? Number.POSITIVE_INFINITY : Math.max(1, limit));
}
