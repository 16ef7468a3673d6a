import { operationPicker } from '../../records/properties';
import type { VtigerResource } from '../../records/properties';
import { getRelatedModulesOption, getRelatedModulesProperties } from './getRelatedModules';
import { describeOption, describeProperties } from './describe';
import { getAllModulesOption, getAllModulesProperties, MODULE } from './getAll';

export const moduleResource: VtigerResource = {
	option: { name: 'Module', value: MODULE, description: 'The modules of the CRM and their fields' },
	properties: [
		operationPicker(MODULE, [describeOption, getAllModulesOption, getRelatedModulesOption], 'getAll'),
		...getAllModulesProperties,
		...describeProperties,
		...getRelatedModulesProperties,
	],
};
