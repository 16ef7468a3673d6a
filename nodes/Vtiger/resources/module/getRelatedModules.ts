import type {
	IDataObject,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { inputError, moduleParameter } from '../../records/input';
import { jsonItems, simplifyParameter } from '../../records/output';
import { modulePicker, simplifyToggle } from '../../records/properties';
import { vtigerRouting } from '../../webservice/routing';
import type { VtigerOperation } from '../../records/properties';

const MODULE = 'module';

async function relatedTypesParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const module = moduleParameter(this);
	if (!module) throw inputError(this, 'Module', 'choose a module');
	return { elementType: module };
}

/**
 * `relatedtypes` answers `{types: [module…], information: {<label>: {name, label, isEntity}}}`; `types`
 * repeats a module related under several labels (Calendar, 07_other_ops_patched_8081.jsonl).
 */
async function oneItemPerRelation(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const answer = (items[0]?.json ?? {}) as IDataObject;
	if (!simplifyParameter(this)) return jsonItems(this, [answer]);
	const information = (answer.information ?? {}) as Record<string, IDataObject>;
	return jsonItems(
		this,
		Object.entries(information).map(([label, info]) => ({
			module: String(info.name ?? label),
			label: String(info.label ?? label),
			relation: `${String(info.name ?? label)}:${String(info.label ?? label)}`,
			isEntity: info.isEntity === true || info.isEntity === '1' || info.isEntity === 1,
		})),
	);
}

const getRelatedModulesOption: INodePropertyOptions = {
	name: 'Get Related Modules',
	value: 'getRelatedModules',
	action: 'Get related modules',
	description: 'The related lists of a module: which modules relate to it, under which labels (relatedtypes)',
	routing: vtigerRouting({
		operation: 'relatedtypes',
		params: relatedTypesParams,
		postReceive: [oneItemPerRelation],
	}),
};

const getRelatedModulesProperties: INodeProperties[] = [
	modulePicker(MODULE, ['getRelatedModules']),
	simplifyToggle(
		MODULE,
		['getRelatedModules'],
		'Whether to return one item per related list ({ module, label, relation, isEntity }) instead of Vtiger\'s answer',
	),
];

export const getRelatedModulesOperation: VtigerOperation = { option: getRelatedModulesOption, properties: getRelatedModulesProperties };
