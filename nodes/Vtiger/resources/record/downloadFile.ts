import type {
	IDataObject,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { describeModule } from '../../records/describe';
import { inputError, resolveRecordId } from '../../records/input';
import { showFor } from '../../records/properties';
import { vtigerApiRequest } from '../../webservice/transport';
import { RECORD } from './common';
import { vtigerRouting } from '../../webservice/routing';
import type { VtigerOperation } from '../../records/properties';

const DOCUMENTS = 'Documents';

async function documentId(ctx: IExecuteSingleFunctions): Promise<string> {
	const documents = await describeModule(ctx, DOCUMENTS, ctx.getItemIndex());
	return resolveRecordId(ctx, documents, { parameter: 'documentId', label: 'Document', noun: 'Document' });
}

/**
 * files_retrieve takes the id of the document's attachment (its `imageattachmentids`), not the
 * document's own id, which answers RECORD_NOT_FOUND (07_other_ops_patched_8081.jsonl).
 */
async function filesRetrieveParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const id = await documentId(this);
	const document = ((await vtigerApiRequest.call(this, 'retrieve', { id }, { itemIndex: this.getItemIndex() })) ?? {}) as IDataObject;
	const attachment = String(document.imageattachmentids ?? '')
		.split(/[;,]/)
		.map((part) => part.trim())
		.find((part) => part !== '');
	if (!attachment) {
		const external = document.filelocationtype === 'E';
		throw inputError(
			this,
			'Document',
			external
				? `document ${id} links to an external file (${String(document.filename ?? '')}), there is nothing stored in the CRM to download`
				: `document ${id} has no file attached`,
		);
	}
	return { id: attachment };
}

/** `[{fileid, filename, filetype, filesize, filecontents (base64)}]` becomes binary data. */
async function toBinary(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const property = String(this.getNodeParameter('binaryPropertyName', 'data') || 'data');
	const id = await documentId(this);
	const item = this.getItemIndex();
	const output: INodeExecutionData[] = [];
	for (const entry of items) {
		const { filecontents, ...file } = entry.json;
		const content = Buffer.from(String(filecontents ?? ''), 'base64');
		const binary = await this.helpers.prepareBinaryData(
			content,
			String(file.filename ?? 'file'),
			typeof file.filetype === 'string' && file.filetype !== '' ? file.filetype : undefined,
		);
		output.push({ json: { documentId: id, ...file }, binary: { [property]: binary }, pairedItem: { item } });
	}
	return output;
}

const downloadFileOption: INodePropertyOptions = {
	name: 'Download File',
	value: 'downloadFile',
	action: 'Download a document file',
	description: 'Download the file of a Document into binary data (files_retrieve)',
	routing: vtigerRouting({ operation: 'files_retrieve', params: filesRetrieveParams, postReceive: [toBinary] }),
};

const downloadFileProperties: INodeProperties[] = [
	{
		displayName: 'Document',
		name: 'documentId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		displayOptions: showFor(RECORD, ['downloadFile']),
		description: 'The document whose file to download',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a document…',
				typeOptions: { searchListMethod: 'searchDocuments', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 15x154 or 154',
				validation: [
					{ type: 'regex', properties: { regex: '^\\s*(\\d+x)?\\d+\\s*$', errorMessage: 'Not a Vtiger ID: use 15x154 or 154' } },
				],
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: 'https://crm.example.com/index.php?module=Documents&view=Detail&record=154',
				validation: [
					{ type: 'regex', properties: { regex: '.*[?&]record=\\d+.*', errorMessage: 'Not a link to a CRM record (it needs record=…)' } },
				],
			},
		],
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: showFor(RECORD, ['downloadFile']),
		hint: 'The name of the output binary field to put the file in',
	},
];

export const downloadFileOperation: VtigerOperation = { option: downloadFileOption, properties: downloadFileProperties };
