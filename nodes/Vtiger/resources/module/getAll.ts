import type {
	IDataObject,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { jsonItems, simplifyParameter } from '../../records/output';
import { simplifyToggle } from '../../records/properties';
import { vtigerRouting } from '../../webservice/routing';
import type { VtigerOperation } from '../../records/properties';

export const MODULE = 'module';

/** `listtypes` answers `{types: [...], information: {Name: {label, singular, isEntity}}}`. */
async function oneItemPerModule(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const answer = (items[0]?.json ?? {}) as IDataObject;
	if (!simplifyParameter(this)) return jsonItems(this, [answer]);
	const information = (answer.information ?? {}) as IDataObject;
	const names = (answer.types ?? []) as string[];
	return jsonItems(
		this,
		names.map((name) => ({ name, ...((information[name] ?? {}) as IDataObject) })),
	);
}

const getAllModulesOption: INodePropertyOptions = {
	name: 'Get Many',
	value: 'getAll',
	action: 'Get many modules',
	description: 'List the modules the user can access (listtypes)',
	routing: vtigerRouting({ operation: 'listtypes', postReceive: [oneItemPerModule] }),
};

const getAllModulesProperties: INodeProperties[] = [
	simplifyToggle(
		MODULE,
		['getAll'],
		'Whether to return one item per module ({ name, label, singular, isEntity }) instead of Vtiger\'s answer',
	),
];

export const getAllModulesOperation: VtigerOperation = { option: getAllModulesOption, properties: getAllModulesProperties };
