import type { ILoadOptionsFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { getModules } from '../methods/loadOptions';

/** `sync` ignores Users (06_sync_patched_8081.jsonl: always empty), so it is not offered. */
const NOT_WATCHABLE = ['Users'];

/** The Vtiger node's entity-module list, without the modules a trigger cannot watch. */
export async function getTriggerModules(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return (await getModules.call(this)).filter((option) => !NOT_WATCHABLE.includes(String(option.value)));
}

/** The module a trigger watches (the polling and the instant trigger), listed by getTriggerModules. */
export const watchedModuleProperty: INodeProperties = {
	displayName: 'Module Name or ID',
	name: 'module',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getTriggerModules' },
	required: true,
	default: '',
	description:
		'The Vtiger module to watch. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};
