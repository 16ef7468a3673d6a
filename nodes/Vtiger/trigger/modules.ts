import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { getModules } from '../methods/loadOptions';

/** `sync` ignores Users (06_sync_patched_8081.jsonl: always empty), so it is not offered. */
const NOT_WATCHABLE = ['Users'];

/** The Vtiger node's entity-module list, without the modules a trigger cannot watch. */
export async function getTriggerModules(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return (await getModules.call(this)).filter((option) => !NOT_WATCHABLE.includes(String(option.value)));
}
