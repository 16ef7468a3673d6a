import { operationPicker } from '../../records/properties';
import type { VtigerResource } from '../../records/properties';
import { extendSessionOption } from './extend';
import { logoutOption } from './logout';

export const sessionResource: VtigerResource = {
	option: { name: 'Session', value: 'session', description: 'The CRM session n8n works in' },
	properties: [operationPicker('session', [extendSessionOption, logoutOption], 'extend')],
};
