import type { IExecuteSingleFunctions, INodeParameterResourceLocator, INodeProperties } from 'n8n-workflow';

import { completeRecordId, prefixOf } from './ids';
import { inputError } from './input';
import { showFor } from './properties';

export const USER = 'user';

/** Users' webservice prefix (operations.txt, vtiger_ws_entity). */
export const USERS_PREFIX = '19';

export function userLocator(
	resource: string,
	operations: string[],
	name: string,
	displayName: string,
	description: string,
	required = true,
): INodeProperties {
	return {
		displayName,
		name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required,
		displayOptions: showFor(resource, operations),
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a user…',
				typeOptions: { searchListMethod: 'searchUsers', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 19x5 or 5',
				validation: [
					{ type: 'regex', properties: { regex: '^\\s*(19x)?\\d+\\s*$', errorMessage: 'Not a user ID: use 19x5 or 5' } },
				],
			},
		],
	};
}

/** A user locator as a `19x…` id; '' when `optional` and empty. */
export function readUserId(ctx: IExecuteSingleFunctions, name: string, label: string, optional = false): string {
	const raw = ctx.getNodeParameter(name, '', { extractValue: false }) as INodeParameterResourceLocator | string;
	const value = String((typeof raw === 'object' && raw !== null ? raw.value : raw) ?? '').trim();
	if (!value) {
		if (optional) return '';
		throw inputError(ctx, label, 'choose a user');
	}
	const id = completeRecordId(value, USERS_PREFIX);
	if (!id || prefixOf(id) !== USERS_PREFIX) {
		throw inputError(ctx, label, `"${value}" is not a user ID: user IDs look like 19x5`);
	}
	return id;
}
