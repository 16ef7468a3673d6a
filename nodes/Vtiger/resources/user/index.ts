import { operationPicker } from '../../records/properties';
import type { VtigerResource } from '../../records/properties';
import { changePasswordOption, changePasswordProperties } from './changePassword';
import { USER } from '../../records/users';
import { deleteUserOption, deleteUserProperties } from './delete';
import { getCurrentUserOption } from './getCurrent';

export const userResource: VtigerResource = {
	option: { name: 'User', value: USER, description: 'CRM users: the current user, passwords, deletion' },
	properties: [
		operationPicker(USER, [changePasswordOption, deleteUserOption, getCurrentUserOption], 'getCurrent'),
		...changePasswordProperties,
		...deleteUserProperties,
	],
};
