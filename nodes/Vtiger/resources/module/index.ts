import { vtigerResource } from '../../records/properties';
import type { VtigerResource } from '../../records/properties';
import { describeOperation } from './describe';
import { getAllModulesOperation, MODULE } from './getAll';
import { getRelatedModulesOperation } from './getRelatedModules';

export const moduleResource: VtigerResource = vtigerResource(
	{ name: 'Module', value: MODULE, description: 'The modules of the CRM and their fields' },
	[getAllModulesOperation, describeOperation, getRelatedModulesOperation],
	'getAll',
);
