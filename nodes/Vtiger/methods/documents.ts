import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { vtigerApiRequest } from '../webservice/transport';

/** Documents folders are records of the DocumentFolders module (ids 22x…; 22x1 is "Default"). */
export async function getDocumentFolders(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const rows = ((await vtigerApiRequest.call(this, 'query', { query: 'SELECT id, foldername FROM DocumentFolders LIMIT 0, 100;' })) ?? []) as IDataObject[];
	return rows
		.map((row) => ({ name: String(row.foldername ?? row.id), value: String(row.id) }))
		.sort((a, b) => a.name.localeCompare(b.name));
}
