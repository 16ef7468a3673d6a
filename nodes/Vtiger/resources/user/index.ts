import { operationPicker } from '../../shared/properties';
import type { VtigerResource } from '../../shared/properties';
import { changePasswordOption, changePasswordProperties } from './changePassword';
import { USER } from './common';
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
