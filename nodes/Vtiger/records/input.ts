import { NodeOperationError } from 'n8n-workflow';
import type {
	IExecuteSingleFunctions,
	INodeParameterResourceLocator,
} from 'n8n-workflow';

import { describeModule } from './describe';
import type { VtigerModuleDescription } from './describe';
import { completeRecordId, parseRecordUrl, prefixOf } from './ids';

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

/** Which resource locator to read, and how its errors name it. */
export interface RecordLocatorRead {
	/** The parameter's name (default `recordId`). */
	parameter?: string;
	/** The parameter's display name in errors (default `Record`). */
	label?: string;
	/** What one record of the module is called in errors (default: the module's name). */
	noun?: string;
	/** Why an id of another module does not fit (default: which prefix the module's ids have). */
	wrongModule?: (id: string) => string;
}

/** A record resource locator (By ID: `12x87` or `87`; By URL; From List) as a full Vtiger id of `description`'s module. */
export function resolveRecordId(
	ctx: IExecuteSingleFunctions,
	description: VtigerModuleDescription,
	read: RecordLocatorRead = {},
): string {
	const label = read.label ?? 'Record';
	const noun = read.noun ?? description.name;
	const raw = ctx.getNodeParameter(read.parameter ?? 'recordId', '', { extractValue: false }) as
		| INodeParameterResourceLocator
		| string;
	const mode = typeof raw === 'object' && raw !== null ? raw.mode : 'id';
	const value = String((typeof raw === 'object' && raw !== null ? raw.value : raw) ?? '').trim();
	if (!value) throw inputError(ctx, label, `enter the ${label.toLowerCase()}`);
	let candidate = value;
	if (mode === 'url' || value.includes('?')) {
		const parsed = parseRecordUrl(value);
		if (!parsed) {
			throw inputError(
				ctx,
				label,
				`"${value}" is not a link to a CRM record`,
				'Copy the address of the record\'s page in Vtiger, e.g. https://crm.example.com/index.php?module=Contacts&view=Detail&record=87',
			);
		}
		if (parsed.module && parsed.module !== description.name) {
			throw inputError(ctx, label, `the link points to a ${parsed.module} record, not to ${description.name}`);
		}
		candidate = parsed.crmId;
	}
	const id = completeRecordId(candidate, description.idPrefix);
	if (!id) {
		throw inputError(
			ctx,
			label,
			`"${value}" is neither a Vtiger ID like ${description.idPrefix || '12'}x87 nor a number`,
		);
	}
	if (description.idPrefix && prefixOf(id) !== description.idPrefix) {
		throw inputError(
			ctx,
			label,
			read.wrongModule?.(id) ?? `"${id}" is not a ${noun} ID: ${noun} IDs start with ${description.idPrefix}x`,
		);
	}
	return id;
}
