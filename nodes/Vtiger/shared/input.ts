import { NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeParameterResourceLocator,
} from 'n8n-workflow';

import { describeModule } from './describe';
import type { VtigerModuleDescription } from './describe';
import { completeRecordId, parseRecordUrl, prefixOf } from './ids';
import { getOperationMethod } from './operations';

/** A bad parameter, reported before any write reaches Vtiger. */
export function inputError(
	ctx: IExecuteSingleFunctions,
	parameter: string,
	message: string,
	description?: string,
): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `${parameter}: ${message}`, {
		itemIndex: ctx.getItemIndex(),
		description,
	});
}

/** Puts Vtiger parameters where the operation's registered method reads them. */
export function setVtigerParams(
	requestOptions: IHttpRequestOptions,
	operation: string,
	params: IDataObject,
): IHttpRequestOptions {
	if (getOperationMethod(operation) === 'GET') {
		requestOptions.qs = { ...(requestOptions.qs ?? {}), operation, ...params };
	} else {
		const body = typeof requestOptions.body === 'object' && requestOptions.body !== null ? requestOptions.body : {};
		requestOptions.body = { ...(body as IDataObject), operation, ...params };
	}
	return requestOptions;
}

export function moduleParameter(ctx: IExecuteSingleFunctions): string {
	return String(ctx.getNodeParameter('module', '') ?? '').trim();
}

type Permission = 'createable' | 'updateable' | 'deleteable' | 'retrieveable';

const PERMISSION_VERB: Record<Permission, string> = {
	createable: 'create',
	updateable: 'update',
	deleteable: 'delete',
	retrieveable: 'read',
};

/** The chosen module's describe, refusing an operation the module does not allow. */
export async function describeForOperation(
	ctx: IExecuteSingleFunctions,
	permission?: Permission,
): Promise<VtigerModuleDescription> {
	const module = moduleParameter(ctx);
	if (!module) throw inputError(ctx, 'Module', 'choose a module');
	const description = await describeModule(ctx, module, ctx.getItemIndex());
	if (permission && description[permission] === false) {
		const name = description.label === description.name ? description.name : `${description.label} (${description.name})`;
		throw inputError(
			ctx,
			'Module',
			`${name} does not allow you to ${PERMISSION_VERB[permission]} records (its describe says ${permission}: false)`,
			'Vtiger answers describe for the user of the credential: the CRM administrator grants create, edit and delete in that user\'s profile',
		);
	}
	return description;
}

/** The `recordId` resource locator as a full Vtiger id of the chosen module. */
export function resolveRecordId(ctx: IExecuteSingleFunctions, description: VtigerModuleDescription): string {
	const raw = ctx.getNodeParameter('recordId', '', { extractValue: false }) as
		| INodeParameterResourceLocator
		| string;
	const mode = typeof raw === 'object' && raw !== null ? raw.mode : 'id';
	const value = String((typeof raw === 'object' && raw !== null ? raw.value : raw) ?? '').trim();
	if (!value) throw inputError(ctx, 'Record', 'enter the record');
	let candidate = value;
	if (mode === 'url' || value.includes('?')) {
		const parsed = parseRecordUrl(value);
		if (!parsed) {
			throw inputError(
				ctx,
				'Record',
				`"${value}" is not a link to a CRM record`,
				'Copy the address of the record\'s page in Vtiger, e.g. https://crm.example.com/index.php?module=Contacts&view=Detail&record=87',
			);
		}
		if (parsed.module && parsed.module !== description.name) {
			throw inputError(
				ctx,
				'Record',
				`the link points to a ${parsed.module} record, not to ${description.name}`,
			);
		}
		candidate = parsed.crmId;
	}
	const id = completeRecordId(candidate, description.idPrefix);
	if (!id) {
		throw inputError(
			ctx,
			'Record',
			`"${value}" is neither a Vtiger ID like ${description.idPrefix || '12'}x87 nor a number`,
		);
	}
	if (description.idPrefix && prefixOf(id) !== description.idPrefix) {
		throw inputError(
			ctx,
			'Record',
			`"${id}" is not a ${description.name} ID: ${description.name} IDs start with ${description.idPrefix}x`,
		);
	}
	return id;
}
