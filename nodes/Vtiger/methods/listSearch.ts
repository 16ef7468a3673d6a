import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { chosenModule } from './context';
import { searchModuleRecords } from './recordSearch';

/** Records of the chosen module by their label fields (describe → labelFields), 100 a page. */
export async function searchRecords(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const module = chosenModule(this);
	if (!module) return { results: [] };
	return await searchModuleRecords(this, module, filter, paginationToken);
}
