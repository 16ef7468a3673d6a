import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecutePaginationFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { describeModule } from '../../records/describe';
import { failureOf } from '../../webservice/errors';
import { isRecordId, OWNER_ID_PREFIXES, prefixOf } from '../../records/ids';
import { inputError } from '../../records/input';
import { uploadFile } from '../../webservice/multipart';
import { showFor } from '../../records/properties';
import { sendRoutedRequest, vtigerRouting, withVtigerParams } from '../../webservice/routing';
import { VTIGER_CREDENTIAL_TYPE } from '../../webservice/session';
import { vtigerApiRequest } from '../../webservice/transport';
import { quoteVtql } from '../../records/vtql';
import { RECORD } from './common';
import type { VtigerOperation } from '../../records/properties';
import type { VtigerRequestData } from '../../webservice/routing';

const DOCUMENTS = 'Documents';
/** The related list of Documents has this label in every module that has one (relatedtypes: test/live/ops-records.live.test.ts, "linked at upload"). */
const DOCUMENTS_RELATION = 'Documents';

const IMAGE_CHECK =
	'Vtiger 8.3.0 checks every upload whose content looks like an image (CRMEntity::uploadAndSaveFile): the file name must end in an image extension (.png, .jpg, .gif …), its type must be an image type, and it must not contain "<?". When the check fails Vtiger keeps the Document and drops the file without saying so. Rename the file or correct its MIME type.';

function parseIds(raw: unknown): string[] {
	const list = Array.isArray(raw) ? raw : String(raw ?? '').split(',');
	return list.map((id) => String(id).trim()).filter((id) => id !== '');
}

async function readElement(ctx: IExecutePaginationFunctions, fileName: string): Promise<IDataObject> {
	const title = String(ctx.getNodeParameter('documentTitle', '') ?? '').trim() || fileName;
	let owner = String(ctx.getNodeParameter('assignedTo', '') ?? '').trim();
	if (!owner) {
		const credentials = await ctx.getCredentials(VTIGER_CREDENTIAL_TYPE);
		owner = String(credentials.userId ?? '');
	}
	if (owner && !(isRecordId(owner) && OWNER_ID_PREFIXES.includes(prefixOf(owner)))) {
		throw inputError(ctx, 'Assigned To', `"${owner}" is not a user (19x…) or group (20x…) ID`);
	}
	const folder = String(ctx.getNodeParameter('folderId', '') ?? '').trim();
	if (folder && !isRecordId(folder)) throw inputError(ctx, 'Folder', `"${folder}" is not a folder ID like 22x1`);
	const element: IDataObject = { notes_title: title, filename: fileName, filelocationtype: 'I', filestatus: '1' };
	if (owner) element.assigned_user_id = owner;
	if (folder) element.folderid = folder;
	const description = String(ctx.getNodeParameter('documentDescription', '') ?? '');
	if (description) element.notecontent = description;
	return element;
}

/** Vtiger crashed in its image check (a file that starts like a JPEG but is not one): the Document was saved first. */
async function crashLeftovers(ctx: IExecutePaginationFunctions, title: string): Promise<string> {
	try {
		const rows = (await vtigerApiRequest.call(
			ctx,
			'query',
			{ query: `SELECT id FROM ${DOCUMENTS} WHERE notes_title = ${quoteVtql(title)} ORDER BY createdtime DESC LIMIT 0, 5;` },
			{ itemIndex: ctx.getItemIndex() },
		)) as IDataObject[];
		const ids = (rows ?? []).map((row) => String(row.id));
		return ids.length
			? ` Vtiger saves the Document before it checks the file: look at ${ids.join(', ')} (Documents titled "${title}") and delete the one without a file.`
			: '';
	} catch {
		return '';
	}
}

async function removeFileless(ctx: IExecutePaginationFunctions, id: string): Promise<string> {
	try {
		await vtigerApiRequest.call(ctx, 'delete', { id }, { itemIndex: ctx.getItemIndex() });
		return `The Document ${id} it created was deleted again.`;
	} catch (error) {
		return `The Document ${id} it created could not be deleted (${(error as Error).message}): delete it yourself.`;
	}
}

async function linkTo(ctx: IExecutePaginationFunctions, documentId: string, ids: string[]): Promise<void> {
	const linked: string[] = [];
	for (const id of ids) {
		try {
			await vtigerApiRequest.call(
				ctx,
				'add_related',
				{ sourceRecordId: id, relatedRecordId: documentId, relationIdLabel: DOCUMENTS_RELATION },
				{ itemIndex: ctx.getItemIndex() },
			);
		} catch (error) {
			throw new NodeOperationError(
				ctx.getNode(),
				`Link To Records: the Document ${documentId} was uploaded but could not be linked to ${id} (${(error as Error).message})`,
				{
					itemIndex: ctx.getItemIndex(),
					description: `${linked.length ? `It is linked to ${linked.join(', ')}. ` : ''}The record needs a Documents related list, and the user of the credential must see it.`,
				},
			);
		}
		linked.push(id);
	}
}

/** `create` of a Document with its file as multipart `filename`, checked, then linked with `add_related`. */
async function uploadRequest(this: IExecutePaginationFunctions, requestData: VtigerRequestData): Promise<INodeExecutionData[]> {
	const property = String(this.getNodeParameter('binaryPropertyName', 'data') || 'data');
	const related = parseIds(this.getNodeParameter('relatedRecordIds', ''));
	const wrong = related.find((id) => !isRecordId(id));
	if (wrong) throw inputError(this, 'Link To Records', `"${wrong}" is not a Vtiger record ID like 12x87`);
	// the describe (cached) also logs in, so a fresh credential knows its user for Assigned To
	const documents = await describeModule(this, DOCUMENTS, this.getItemIndex());
	if (documents.createable === false) throw inputError(this, 'Upload File', 'the user of the credential may not create Documents');
	const binary = this.helpers.assertBinaryData(property);
	const content = await this.helpers.getBinaryDataBuffer(property);
	const fileName = binary.fileName || `file${binary.fileExtension ? `.${binary.fileExtension}` : ''}`;
	const element = await readElement(this, fileName);
	const body = {
		operation: 'create',
		elementType: DOCUMENTS,
		element: JSON.stringify(element),
		filename: uploadFile(content, fileName, binary.mimeType || 'application/octet-stream'),
	};
	let items: INodeExecutionData[];
	try {
		items = await sendRoutedRequest(this, withVtigerParams(requestData, body));
	} catch (error) {
		if (!(error instanceof NodeApiError)) throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: this.getItemIndex() });
		const apiError: NodeApiError = error;
		if (failureOf(apiError)?.kind === 'crash') {
			apiError.description = `Vtiger 8.3.0 crashes like this when a file starts like a JPEG but is not one (its image check cannot read it).${await crashLeftovers(this, String(element.notes_title))}`;
		}
		throw apiError;
	}
	const document = items[0]?.json ?? {};
	const id = String(document.id ?? '');
	if (!String(document.imageattachmentids ?? '').trim()) {
		throw new NodeOperationError(
			this.getNode(),
			`Vtiger stored the Document without its file: its image check refused "${fileName}" (${binary.mimeType}). ${await removeFileless(this, id)}`,
			{ itemIndex: this.getItemIndex(), description: IMAGE_CHECK },
		);
	}
	await linkTo(this, id, related);
	return [{ json: { ...document, relatedTo: related }, pairedItem: { item: this.getItemIndex() } }];
}

const uploadFileOption: INodePropertyOptions = {
	name: 'Upload File',
	value: 'uploadFile',
	action: 'Upload a file as a document',
	description: 'Create a Document from a file in binary data, optionally linked to records',
	routing: vtigerRouting({ operation: 'create', send: uploadRequest }),
};

const show = showFor(RECORD, ['uploadFile']);

const uploadFileProperties: INodeProperties[] = [
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: show,
		hint: 'The name of the input binary field holding the file to upload',
	},
	{
		displayName: 'Title',
		name: 'documentTitle',
		type: 'string',
		default: '',
		displayOptions: show,
		description: 'The Document\'s title; empty uses the file name',
	},
	{
		displayName: 'Folder Name or ID',
		name: 'folderId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getDocumentFolders' },
		default: '',
		displayOptions: show,
		description:
			'The Documents folder (e.g. 22x1, the Default folder). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Assigned To Name or ID',
		name: 'assignedTo',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getOwners' },
		default: '',
		displayOptions: show,
		description:
			'The user (19x…) or group (20x…) the Document is assigned to; empty assigns it to the user of the credential. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Description',
		name: 'documentDescription',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		displayOptions: show,
		description: 'The Document\'s note (notecontent)',
	},
	{
		displayName: 'Link To Records',
		name: 'relatedRecordIds',
		type: 'string',
		default: '',
		placeholder: 'e.g. 12x87, 11x5',
		displayOptions: show,
		description:
			'IDs of records (Contacts, Organizations, Opportunities …) to add the Document to, comma-separated or an array from an expression; each is linked through its Documents related list',
	},
];

export const uploadFileOperation: VtigerOperation = { option: uploadFileOption, properties: uploadFileProperties };
