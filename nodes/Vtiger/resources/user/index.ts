import { vtigerResource } from '../../records/properties';
import type { VtigerResource } from '../../records/properties';
import { USER } from '../../records/users';
import { changePasswordOperation } from './changePassword';
import { deleteUserOperation } from './delete';
import { getCurrentUserOperation } from './getCurrent';

export const userResource: VtigerResource = vtigerResource(
	{ name: 'User', value: USER, description: 'CRM users: the current user, passwords, deletion' },
	[changePasswordOperation, deleteUserOperation, getCurrentUserOperation],
	'getCurrent',
);
