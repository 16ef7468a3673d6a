import type {
	IDataObject,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { inputError } from '../../records/input';
import { jsonItems } from '../../records/output';
import { showFor } from '../../records/properties';
import { explainingRequest } from '../../webservice/explain';
import { missingHandlerHint } from '../../webservice/missingHandler';
import { readUserId, USER, userLocator } from '../../records/users';
import { vtigerRouting } from '../../webservice/routing';
import type { VtigerOperation } from '../../records/properties';

async function changePasswordParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const id = readUserId(this, 'userId', 'User');
	const newPassword = String(this.getNodeParameter('newPassword', '') ?? '');
	if (!newPassword) throw inputError(this, 'New Password', 'enter the new password');
	return {
		id,
		oldPassword: String(this.getNodeParameter('oldPassword', '') ?? ''),
		newPassword,
		confirmPassword: newPassword,
	};
}

/** `{message: "Changed password successfully"}`; the item names the user, never a password. */
async function changed(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const id = readUserId(this, 'userId', 'User');
	return jsonItems(this, items.map((item) => ({ id, ...item.json })));
}

const changePasswordOption: INodePropertyOptions = {
	name: 'Change Password',
	value: 'changePassword',
	action: 'Change a user\'s password',
	description: 'Set a user\'s login password (changePassword)',
	routing: vtigerRouting({
		operation: 'changePassword',
		params: changePasswordParams,
		postReceive: [changed],
		send: explainingRequest(missingHandlerHint('changePassword')),
	}),
};

const changePasswordProperties: INodeProperties[] = [
	userLocator(USER, ['changePassword'], 'userId', 'User', 'Whose password to change'),
	{
		displayName: 'Old Password',
		name: 'oldPassword',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		displayOptions: showFor(USER, ['changePassword']),
		description: 'The current password. Administrators may leave it empty; other users must give it (INVALID_OLD_PASSWORD).',
	},
	{
		displayName: 'New Password',
		name: 'newPassword',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '',
		displayOptions: showFor(USER, ['changePassword']),
	},
];

export const changePasswordOperation: VtigerOperation = { option: changePasswordOption, properties: changePasswordProperties };
