import type {
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { describeModule } from '../../records/describe';
import { describeForOperation, resolveRecordId } from '../../records/input';
import { pairWithInput, withRecordOutput } from '../../records/output';
import type { RecordModuleOf } from '../../records/output';
import { returnAllAndLimit } from '../../records/properties';
import { sendRoutedRequest, vtigerRouting } from '../../webservice/routing';
import { VTQL_PAGE_SIZE } from '../../records/vtql';
import { readRelation, relationPicker } from '../../records/relation';
import { pageQueryRelated } from './relatedPager';
import { RECORD, recordLocator } from './common';
import type { VtigerOperation } from '../../records/properties';
import type { VtigerRequestData } from '../../webservice/routing';

async function retrieveRelatedParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const description = await describeForOperation(this, 'retrieveable');
	const id = resolveRecordId(this, description);
	const relation = await readRelation(this, description);
	return {
		id,
		relatedType: relation.module,
		relatedLabel: relation.label,
	};
}

/**
 * retrieve_related is `SELECT * FROM <module>` through vtws_query (RetrieveRelated.php), so it
 * answers at most 100 records; the next pages come from query_related with `LIMIT offset, 100`.
 */
async function relatedPager(
	this: IExecutePaginationFunctions,
	requestData: VtigerRequestData,
): Promise<INodeExecutionData[]> {
	const returnAll = this.getNodeParameter('returnAll', false) === true;
	const max = returnAll ? Number.POSITIVE_INFINITY : Math.max(1, Number(this.getNodeParameter('limit', 50)));
	const first = await sendRoutedRequest(this, requestData);
	const items = first.slice(0, max);
	if (first.length < VTQL_PAGE_SIZE || items.length >= max) return items;

	const qs = (requestData.options.qs ?? {}) as IDataObject;
	const related = await describeModule(this, String(qs.relatedType), this.getItemIndex());
	const target = { query: `SELECT * FROM ${related.name}`, id: qs.id, relatedLabel: qs.relatedLabel, related };
	return [...items, ...(await pageQueryRelated(this, requestData, target, first.length, max - items.length))];
}

/** The related module: retrieveRelatedParams put it in `relatedType`. */
const relatedTypeOf: RecordModuleOf = (_ctx, requestData) =>
	String((requestData.options.qs as IDataObject | undefined)?.relatedType ?? '') || undefined;

const getRelatedOption: INodePropertyOptions = {
	name: 'Get Related',
	value: 'getRelated',
	action: 'Get related records',
	description: 'Records in one of a record\'s related lists (retrieve_related)',
	routing: vtigerRouting({
		operation: 'retrieve_related',
		params: retrieveRelatedParams,
		postReceive: [pairWithInput],
		send: withRecordOutput(relatedPager, relatedTypeOf),
	}),
};

const getRelatedProperties: INodeProperties[] = [
	recordLocator(['getRelated']),
	relationPicker(RECORD, ['getRelated']),
	...returnAllAndLimit(RECORD, ['getRelated']),
];

export const getRelatedOperation: VtigerOperation = { option: getRelatedOption, properties: getRelatedProperties, module: true, simplify: true, outputOptions: true };
