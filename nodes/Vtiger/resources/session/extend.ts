import type { IDataObject, IExecuteSingleFunctions, INodeExecutionData, INodePropertyOptions } from 'n8n-workflow';

import { jsonItems } from '../../records/output';
import { vtigerRouting } from '../../webservice/routing';
import type { VtigerOperation } from '../../records/properties';

/** extendsession answers the session itself (`sessionName`, `userId` …): the session id stays out of the output. */
async function extended(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return jsonItems(
		this,
		items.map((item) => {
			const rest: IDataObject = { ...item.json };
			delete rest.sessionName;
			delete rest.sessionId;
			return { extended: true, ...rest };
		}),
	);
}

const extendSessionOption: INodePropertyOptions = {
	name: 'Extend',
	value: 'extend',
	action: 'Extend the session',
	description: 'Keep the CRM session alive (extendsession)',
	routing: vtigerRouting({ operation: 'extendsession', postReceive: [extended] }),
};

export const extendSessionOperation: VtigerOperation = { option: extendSessionOption };
