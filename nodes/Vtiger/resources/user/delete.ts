import type {
	IDataObject,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { inputError } from '../../records/input';
import { jsonItems } from '../../records/output';
import { explainingRequest } from '../../webservice/explain';
import { missingHandlerHint } from '../../webservice/missingHandler';
import { readUserId, USER, userLocator } from '../../records/users';
import { vtigerRouting } from '../../webservice/routing';
import type { VtigerOperation } from '../../records/properties';

function readIds(ctx: IExecuteSingleFunctions): { id: string; newOwnerId: string } {
	const id = readUserId(ctx, 'userId', 'User');
	const newOwnerId = readUserId(ctx, 'newOwnerId', 'Transfer Records To');
	if (id === newOwnerId) throw inputError(ctx, 'Transfer Records To', 'choose another user than the one to delete');
	return { id, newOwnerId };
}

async function deleteUserParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	return { ...readIds(this) };
}

async function deleted(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return jsonItems(this, items.map((item) => ({ ...readIds(this), ...item.json })));
}

const deleteUserOption: INodePropertyOptions = {
	name: 'Delete',
	value: 'delete',
	action: 'Delete a user',
	description: 'Delete a user; another user inherits their records (deleteUser)',
	routing: vtigerRouting({
		operation: 'deleteUser',
		params: deleteUserParams,
		postReceive: [deleted],
		send: explainingRequest(missingHandlerHint('deleteUser')),
	}),
};

const deleteUserProperties: INodeProperties[] = [
	userLocator(USER, ['delete'], 'userId', 'User', 'The user to delete'),
	userLocator(USER, ['delete'], 'newOwnerId', 'Transfer Records To', 'The user who becomes the owner of the deleted user\'s records'),
];

export const deleteUserOperation: VtigerOperation = { option: deleteUserOption, properties: deleteUserProperties };
