import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecutePaginationFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodePropertyOptions,
} from 'n8n-workflow';

import { readMaxConcurrency, withCrmSlot } from '../../webservice/concurrency';
import { readVtigerResponse, resultToJsonItems } from '../../webservice/envelope';
import { failureFromThrown, isSessionFailure, vtigerApiError } from '../../webservice/errors';
import { VTIGER_CREDENTIAL_TYPE } from '../../webservice/session';
import { secretsOf } from '../../webservice/transport';
import { normalizeBaseUrl, webserviceUrl } from '../../webservice/url';
import { vtigerRouting } from '../../webservice/routing';
import type { VtigerOperation } from '../../records/properties';

/**
 * logout reads the session to end from `sessionName` in the POST body (07_other_ops_patched_8081.jsonl),
 * which the routed requests leave to the credential's query string; so it is sent here. It is not
 * renewed and retried: a session that is already gone is what logging out wants. n8n keeps the
 * ended session in the credential; the next request gets INVALID_SESSIONID and logs in once.
 */
async function logout(this: IExecutePaginationFunctions): Promise<INodeExecutionData[]> {
	const item = this.getItemIndex();
	const credentials = (await this.getCredentials(VTIGER_CREDENTIAL_TYPE, item)) as ICredentialDataDecryptedObject;
	const session = String(credentials.sessionName ?? '');
	const done = (json: IDataObject): INodeExecutionData[] => [{ json: { loggedOut: true, ...json }, pairedItem: { item } }];
	if (!session) return done({ message: 'There was no open session' });

	const request: IHttpRequestOptions = {
		url: webserviceUrl(credentials.url),
		method: 'POST',
		body: new URLSearchParams({ operation: 'logout', sessionName: session }).toString(),
		headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		skipSslCertificateValidation: credentials.ignoreSslIssues === true,
	};
	let outcome;
	try {
		const response = (await withCrmSlot(normalizeBaseUrl(credentials.url), readMaxConcurrency(this), async () =>
			await this.helpers.httpRequestWithAuthentication.call(this, VTIGER_CREDENTIAL_TYPE, request),
		)) as IN8nHttpFullResponse;
		outcome = readVtigerResponse('logout', response.statusCode, response.body);
	} catch (error) {
		outcome = { ok: false as const, failure: failureFromThrown('logout', error) };
	}
	if (outcome.ok) return done(resultToJsonItems(outcome.result)[0] ?? {});
	if (isSessionFailure(outcome.failure)) return done({ message: 'The session had already ended' });
	throw vtigerApiError(this.getNode(), outcome.failure, { itemIndex: item, secrets: secretsOf(credentials, session) });
}

const logoutOption: INodePropertyOptions = {
	name: 'Log Out',
	value: 'logout',
	action: 'Log out of the CRM',
	description: 'End the CRM session (logout); the next request logs in again',
	routing: vtigerRouting({ operation: 'logout', send: logout }),
};

export const logoutOperation: VtigerOperation = { option: logoutOption };
