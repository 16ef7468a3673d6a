import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';

import { loginToVtiger } from '../nodes/Vtiger/webservice/session';
import { VTIGER_BASE_URL_EXPRESSION } from '../nodes/Vtiger/webservice/url';

export class VtigerApi implements ICredentialType {
	name = 'vtigerApi';

	displayName = 'Vtiger API';

	documentationUrl = 'https://github.com/n8n-nodes-vtigercrm/n8n-nodes-vtigercrm#credentials';

	icon = { light: 'file:vtiger.svg', dark: 'file:vtiger.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'CRM URL',
			name: 'url',
			type: 'string',
			default: '',
			placeholder: 'https://crm.example.com',
			required: true,
			description:
				'Address of your Vtiger CRM, with or without a trailing "/" or "/webservice.php"',
		},
		{
			displayName: 'User Name',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			description: 'The Vtiger user n8n acts as; it sees only what this user may see',
		},
		{
			displayName: 'Access Key',
			name: 'secretAccessKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				"The user's webservice access key (not the password). Vtiger shows it under My Preferences → Access Key.",
		},
		{
			displayName: 'Ignore SSL Issues (Insecure)',
			name: 'ignoreSslIssues',
			type: 'boolean',
			default: false,
			description:
				'Whether to connect even if the CRM\'s TLS certificate cannot be validated (self-signed certificates of self-hosted CRMs)',
		},
		{
			displayName: 'Session Name',
			name: 'sessionName',
			type: 'hidden',
			typeOptions: { expirable: true },
			default: '',
		},
		{
			displayName: 'User ID',
			name: 'userId',
			type: 'hidden',
			default: '',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const { sessionName, userId } = await loginToVtiger(
			async (options) => await this.helpers.httpRequest(options),
			credentials,
		);
		return { sessionName, userId };
	}

	// webservice.php reads sessionName from $_REQUEST, so the query string serves POST requests too
	// (08_transport_params.jsonl).
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			qs: { sessionName: '={{$credentials.sessionName}}' },
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: VTIGER_BASE_URL_EXPRESSION,
			url: '/webservice.php',
			method: 'GET',
			qs: { operation: 'listtypes' },
			skipSslCertificateValidation: '={{$credentials.ignoreSslIssues}}',
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'success',
					value: false,
					message: 'Vtiger accepted the login but refused to list the modules for this user',
				},
			},
		],
	};
}
