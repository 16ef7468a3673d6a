import type {
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { describeModule } from '../../records/describe';
import { describeForOperation, inputError, resolveRecordId } from '../../records/input';
import { moduleOfSentQuery, pairWithInput, withRecordOutput } from '../../records/output';
import { returnAllToggle, showFor } from '../../records/properties';
import { sendRoutedRequest, vtigerRouting } from '../../webservice/routing';
import { pageQueryRelated } from './relatedPager';
import { relatedStatement, RelatedQueryError } from './relatedQuery';
import { describeRelated, readRelation, relationPicker } from '../../records/relation';
import { RECORD, recordLocator } from './common';
import type { VtigerOperation } from '../../records/properties';
import type { VtigerRequestData } from '../../webservice/routing';

async function queryRelatedParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const description = await describeForOperation(this, 'retrieveable');
	const id = resolveRecordId(this, description);
	const relation = await readRelation(this, description);
	const related = await describeRelated(this, relation);
	const query = String(this.getNodeParameter('relatedQuery', '') ?? '').trim();
	if (!query) throw inputError(this, 'Query', `enter a query, e.g. SELECT * FROM ${related.name}`);
	let statement: string;
	try {
		statement = relatedStatement(query, related);
	} catch (error) {
		if (error instanceof RelatedQueryError) throw inputError(this, 'Query', error.message);
		throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: this.getItemIndex() });
	}
	return { query: statement, id, relatedLabel: relation.label };
}

/** Return All replaces the statement's LIMIT with `LIMIT offset, 100` pages (vtws_query answers 100 rows at most). */
async function queryRelatedPager(
	this: IExecutePaginationFunctions,
	requestData: VtigerRequestData,
): Promise<INodeExecutionData[]> {
	if (this.getNodeParameter('returnAll', false) !== true) return await sendRoutedRequest(this, requestData);
	const qs = (requestData.options.qs ?? {}) as IDataObject;
	const query = String(qs.query ?? '');
	const related = await describeModule(this, String(/\bFROM\s+(\S+)/i.exec(query)?.[1] ?? ''), this.getItemIndex());
	const target = { query, id: qs.id, relatedLabel: qs.relatedLabel, related };
	return await pageQueryRelated(this, requestData, target, 0, Number.POSITIVE_INFINITY);
}

const queryRelatedOption: INodePropertyOptions = {
	name: 'Query Related',
	value: 'queryRelated',
	action: 'Query related records',
	description: 'Run a VTQL query over the records in one of a record\'s related lists (query_related)',
	routing: vtigerRouting({
		operation: 'query_related',
		params: queryRelatedParams,
		postReceive: [pairWithInput],
		send: withRecordOutput(queryRelatedPager, moduleOfSentQuery),
	}),
};

const queryRelatedProperties: INodeProperties[] = [
	recordLocator(['queryRelated']),
	relationPicker(RECORD, ['queryRelated']),
	{
		displayName: 'Query',
		name: 'relatedQuery',
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '',
		placeholder: "SELECT id, lastname FROM Contacts WHERE lastname LIKE 'Sm%'",
		hint: 'FROM the related list\'s module. The node writes WHERE in capitals and drops a closing ";", as query_related requires',
		displayOptions: showFor(RECORD, ['queryRelated']),
	},
	returnAllToggle(RECORD, ['queryRelated'], 'On: every matching record, in pages of 100 (the query\'s own LIMIT is replaced). Off: the query as written; Vtiger returns at most 100 records.'),
];

export const queryRelatedOperation: VtigerOperation = { option: queryRelatedOption, properties: queryRelatedProperties, module: true, simplify: true, outputOptions: true };
