import type { IExecuteSingleFunctions, IHttpRequestOptions, INodePropertyOptions } from 'n8n-workflow';

import { setVtigerParams } from '../../shared/input';
import { pairWithInput } from '../../shared/output';
import { VTIGER_CREDENTIAL_TYPE } from '../../shared/session';
import { vtigerApiRequest } from '../../shared/transport';

/**
 * The login answer's userId, which the credential keeps; before the first login there is none,
 * and extendsession (which needs no parameters) both logs in and names the user.
 */
async function sendRetrieveCurrentUser(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const credentials = await this.getCredentials(VTIGER_CREDENTIAL_TYPE, this.getItemIndex());
	let id = String(credentials.userId ?? '');
	if (!id) {
		const session = ((await vtigerApiRequest.call(this, 'extendsession', {}, { itemIndex: this.getItemIndex() })) ?? {}) as {
			userId?: string;
		};
		id = String(session.userId ?? '');
	}
	return setVtigerParams(requestOptions, 'retrieve', { id });
}

export const getCurrentUserOption: INodePropertyOptions = {
	name: 'Get Current',
	value: 'getCurrent',
	action: 'Get the current user',
	description: 'Retrieve the user the credential logs in as',
	routing: {
		request: { method: 'GET', qs: { operation: 'retrieve' } },
		send: { paginate: true, preSend: [sendRetrieveCurrentUser] },
		output: { postReceive: [pairWithInput] },
	},
};
