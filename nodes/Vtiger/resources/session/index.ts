import { vtigerResource } from '../../records/properties';
import type { VtigerResource } from '../../records/properties';
import { extendSessionOperation } from './extend';
import { logoutOperation } from './logout';

export const sessionResource: VtigerResource = vtigerResource(
	{ name: 'Session', value: 'session', description: 'The CRM session n8n works in' },
	[extendSessionOperation, logoutOperation],
	'extend',
);
