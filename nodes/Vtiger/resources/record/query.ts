import type {
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { inputError } from '../../records/input';
import { moduleOfSentQuery, pairWithInput, withRecordOutput } from '../../records/output';
import { pageVtql } from '../../records/paging';
import { returnAllToggle, showFor } from '../../records/properties';
import { sendRoutedRequest, vtigerRouting } from '../../webservice/routing';
import { splitUserQuery, terminate } from '../../records/vtql';
import { RECORD } from './common';
import type { VtigerOperation } from '../../records/properties';
import type { VtigerRequestData } from '../../webservice/routing';

async function userQueryParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const query = String(this.getNodeParameter('query', '') ?? '').trim();
	if (!query || query === ';') throw inputError(this, 'Query', 'enter a VTQL query, e.g. SELECT * FROM Contacts;');
	return { query };
}

/**
 * Return All pages the user's statement with `LIMIT offset, 100` in place of its own LIMIT
 * (Vtiger answers at most 100 rows, 04_query.jsonl); otherwise the statement goes as written.
 */
async function userQueryPager(
	this: IExecutePaginationFunctions,
	requestData: VtigerRequestData,
): Promise<INodeExecutionData[]> {
	const query = String((requestData.options.qs as IDataObject | undefined)?.query ?? '');
	if (this.getNodeParameter('returnAll', false) !== true) {
		return await sendRoutedRequest(this, {
			...requestData,
			options: { ...requestData.options, qs: { ...requestData.options.qs, query: terminate(query) } },
		});
	}
	const { statement } = splitUserQuery(query);
	return await pageVtql(
		this,
		{ ...requestData, options: { ...requestData.options, qs: { ...requestData.options.qs, query: statement } } },
		Number.POSITIVE_INFINITY,
	);
}

const queryOption: INodePropertyOptions = {
	name: 'Query',
	value: 'query',
	action: 'Run a VTQL query',
	description: 'Run a query in Vtiger\'s query language (VTQL)',
	routing: vtigerRouting({
		operation: 'query',
		params: userQueryParams,
		postReceive: [pairWithInput],
		send: withRecordOutput(userQueryPager, moduleOfSentQuery),
	}),
};

const queryProperties: INodeProperties[] = [
	{
		displayName: 'Query',
		name: 'query',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: "SELECT firstname, lastname FROM Contacts WHERE lastname LIKE 'Sm%';",
		hint: 'Module names are case-sensitive; no parentheses, NOT or IS NULL; quotes in values are doubled (\'\')',
		displayOptions: showFor(RECORD, ['query']),
	},
	returnAllToggle(RECORD, ['query'], 'On: pages through every matching row (the query\'s own LIMIT is replaced). Off: the query runs as written; Vtiger returns at most 100 rows.'),
];

export const queryOperation: VtigerOperation = { option: queryOption, properties: queryProperties, simplify: true, outputOptions: true };
