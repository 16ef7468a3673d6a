import type {
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { describeForOperation, inputError } from '../../records/input';
import { describeModule } from '../../records/describe';
import { jsonItems, pairWithInput, readRecordOutput, recordSimplify, shapeRecords, simplifyParameter } from '../../records/output';
import { returnAllToggle, showFor, simplifyToggle } from '../../records/properties';
import { sendRoutedRequest, vtigerRouting } from '../../webservice/routing';
import { toEpochSeconds } from '../../records/time';
import { RECORD } from './common';
import type { VtigerOperation } from '../../records/properties';
import type { VtigerRequestData } from '../../webservice/routing';

async function syncParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const description = await describeForOperation(this, 'retrieveable');
	const since = this.getNodeParameter('since', '');
	const epoch = toEpochSeconds(since, this.getTimezone());
	if (epoch === undefined || epoch < 0) {
		throw inputError(this, 'Since', `"${String(since)}" is not a date, a date and time, or epoch seconds`);
	}
	// modifiedTime 0 is read as empty and crashes sync (06_sync_patched_8081.jsonl); 1 means "from the start"
	return { elementType: description.name, modifiedTime: Math.max(1, epoch) };
}

/** Follows `more` with the page's `lastModifiedTime` (exclusive lower bound, 06_sync_patched_8081.jsonl). */
async function syncPager(
	this: IExecutePaginationFunctions,
	requestData: VtigerRequestData,
): Promise<INodeExecutionData[]> {
	const returnAll = this.getNodeParameter('returnAll', false) === true;
	const simplify = simplifyParameter(this);
	const shape = readRecordOutput(this);
	const shaping = shape.simplify || shape.referenceLabels || shape.isoDateTimes;
	const qs = (requestData.options.qs ?? {}) as IDataObject;
	const description = shaping ? await describeModule(this, String(qs.elementType), this.getItemIndex()) : undefined;
	const output: INodeExecutionData[] = [];
	let since = Number(qs.modifiedTime ?? 1);
	for (;;) {
		const pages = await sendRoutedRequest(this, {
			...requestData,
			options: { ...requestData.options, qs: { ...requestData.options.qs, modifiedTime: since } },
		});
		const page = (pages[0]?.json ?? {}) as IDataObject;
		if (description && Array.isArray(page.updated)) {
			page.updated = await shapeRecords(this, description, page.updated as IDataObject[], shape, this.getItemIndex());
		}
		if (simplify) {
			const updated = (page.updated ?? []) as IDataObject[];
			const deleted = ((page.deleted ?? []) as string[]).map((id) => ({ id, deleted: true }));
			output.push(...jsonItems(this, [...updated, ...deleted]));
		} else {
			output.push(...pages);
		}
		const next = Number(page.lastModifiedTime);
		if (!returnAll || page.more !== true || !Number.isFinite(next) || next <= since) break;
		since = next;
	}
	return output;
}

const getChangesOption: INodePropertyOptions = {
	name: 'Get Changes',
	value: 'getChanges',
	action: 'Get changed records',
	description: 'Records created, changed or deleted since a point in time (sync)',
	routing: vtigerRouting({ operation: 'sync', params: syncParams, postReceive: [pairWithInput], send: syncPager }),
};

const getChangesProperties: INodeProperties[] = [
	{
		displayName: 'Since',
		name: 'since',
		type: 'dateTime',
		required: true,
		default: '',
		description: 'Changes after this moment: a date, a date and time (in the workflow\'s time zone unless it names one), or epoch seconds',
		displayOptions: showFor(RECORD, ['getChanges']),
	},
	returnAllToggle(RECORD, ['getChanges'], 'On: follows Vtiger until every change is read. Off: only the first batch (about 100 modification times).'),
	{
		...simplifyToggle(
			RECORD,
			['getChanges'],
			'Whether to return one item per changed record and one { id, deleted: true } per deleted record, instead of Vtiger\'s answer ({ updated, deleted, more, lastModifiedTime }) per batch',
		),
		displayOptions: { show: { resource: [RECORD], operation: ['getChanges'], '@version': [1] } },
	},
	recordSimplify(
		RECORD,
		['getChanges'],
		'Whether to return one item per changed record (booleans and numbers typed, empty fields left out, with its label) and one { id, deleted: true } per deleted record, instead of Vtiger\'s answer ({ updated, deleted, more, lastModifiedTime }) per batch',
	),
];

export const getChangesOperation: VtigerOperation = { option: getChangesOption, properties: getChangesProperties, module: true, outputOptions: true };
