import type {
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodePropertyOptions,
} from 'n8n-workflow';

import { failureOf } from '../../webservice/errors';
import { jsonItems, pairWithInput } from '../../records/output';
import { sendRoutedRequest, vtigerRouting } from '../../webservice/routing';
import { VTIGER_CREDENTIAL_TYPE } from '../../webservice/session';
import { vtigerApiRequest } from '../../webservice/transport';
import type { VtigerOperation } from '../../records/properties';
import type { VtigerRequestData } from '../../webservice/routing';

/**
 * The login answer's userId, which the credential keeps; before the first login there is none,
 * and extendsession (which needs no parameters) both logs in and names the user.
 */
async function retrieveCurrentUserParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const credentials = await this.getCredentials(VTIGER_CREDENTIAL_TYPE, this.getItemIndex());
	let id = String(credentials.userId ?? '');
	if (!id) {
		const session = ((await vtigerApiRequest.call(this, 'extendsession', {}, { itemIndex: this.getItemIndex() })) ?? {}) as {
			userId?: string;
		};
		id = String(session.userId ?? '');
	}
	return { id };
}

/**
 * Vtiger 8.3.0 lets no non-admin retrieve a user record, their own included (ACCESS_DENIED:
 * test/live/user.live.test.ts, "User > Get Current as a non-admin"): then the id and user name the login gives are all there is, and the item says so.
 */
async function currentUser(
	this: IExecutePaginationFunctions,
	requestData: VtigerRequestData,
): Promise<INodeExecutionData[]> {
	const answer = await sendRoutedRequest(this, requestData).then(
		(items) => ({ items }),
		async (error: unknown) => (failureOf(error)?.code === 'ACCESS_DENIED' ? { items: undefined } : await Promise.reject(error)),
	);
	if (answer.items) return answer.items;
	const credentials = await this.getCredentials(VTIGER_CREDENTIAL_TYPE, this.getItemIndex());
	return jsonItems(this, [
		{
			id: String(credentials.userId ?? ''),
			user_name: String(credentials.username ?? ''),
			notice: 'Vtiger shows user records to administrators only: the id and user name are those of the login',
		},
	]);
}

const getCurrentUserOption: INodePropertyOptions = {
	name: 'Get Current',
	value: 'getCurrent',
	action: 'Get the current user',
	description: 'Retrieve the user the credential logs in as',
	routing: vtigerRouting({
		operation: 'retrieve',
		params: retrieveCurrentUserParams,
		postReceive: [pairWithInput],
		send: currentUser,
	}),
};

export const getCurrentUserOperation: VtigerOperation = { option: getCurrentUserOption };
