import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { explainingRequest } from '../../shared/explain';
import type { ExplainFailure } from '../../shared/explain';
import { inputError } from '../../shared/input';
import { isKnownStockCrash, isRegisteredOperation } from '../../shared/operations';
import { pairWithInput } from '../../shared/output';
import { operationPicker, showFor } from '../../shared/properties';
import type { VtigerResource } from '../../shared/properties';
import { routedOperation } from '../../shared/routing';

const CUSTOM = 'customOperation';
const RESERVED_OPERATIONS = ['login', 'getchallenge'];
const RESERVED_PARAMETERS = ['operation', 'sessionname', 'format'];

function parameterValue(ctx: IExecuteSingleFunctions, name: string, row: IDataObject): unknown {
	const value = row.value;
	if (row.json !== true || typeof value !== 'string') return value;
	try {
		return JSON.parse(value) as unknown;
	} catch {
		throw inputError(ctx, `Parameters › ${name}`, `"${value.length > 60 ? `${value.slice(0, 60)}…` : value}" is not valid JSON`);
	}
}

async function sendCustom(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const operation = String(this.getNodeParameter('operationName', '') ?? '').trim();
	if (!/^[A-Za-z0-9_.]+$/.test(operation)) {
		throw inputError(this, 'Operation Name', operation ? `"${operation}" is not an operation name` : 'enter the operation, e.g. gettranslation');
	}
	if (RESERVED_OPERATIONS.includes(operation.toLowerCase())) {
		throw inputError(this, 'Operation Name', `"${operation}" is done by the credential; n8n logs in by itself`);
	}
	const rows = ((this.getNodeParameter('parameters', {}) as IDataObject).parameter ?? []) as IDataObject[];
	const params: IDataObject = {};
	for (const row of rows) {
		const name = String(row.name ?? '').trim();
		if (!name) throw inputError(this, 'Parameters › Name', 'every parameter needs a name');
		if (RESERVED_PARAMETERS.includes(name.toLowerCase())) {
			throw inputError(this, `Parameters › ${name}`, `"${name}" is set by the node`);
		}
		const value = parameterValue(this, name, row);
		params[name] = (typeof value === 'object' && value !== null ? JSON.stringify(value) : value) as IDataObject[string];
	}
	const method = this.getNodeParameter('httpMethod', 'POST') === 'GET' ? 'GET' : 'POST';
	// routedRequest places the parameters where the operation's method reads them
	requestOptions.method = method;
	requestOptions.qs = { ...params, operation };
	requestOptions.body = {};
	return requestOptions;
}

/** An operation the CRM does not know ends in a PHP fatal error: HTTP 500 with an empty body (02_auth_session.jsonl). */
const explainCustomFailure: ExplainFailure = (failure, requestData) => {
	const operation = routedOperation(requestData);
	if (failure.kind !== 'crash' || isKnownStockCrash(operation)) return undefined;
	return isRegisteredOperation(operation)
		? `Vtiger hit an unhandled PHP error running "${operation}": a parameter is missing or has a value the operation cannot handle. The CRM's PHP error log has the details.`
		: `"${operation}" is not one of stock Vtiger's operations: Vtiger answers HTTP 500 with an empty body when an operation is not registered in vtiger_ws_operation (check its name and that the extension registering it is installed), or when it fails on the parameters given.`;
};

const callOption: INodePropertyOptions = {
	name: 'Call',
	value: 'call',
	action: 'Call a webservice operation',
	description: 'Call any operation, including those an extension registers (e.g. gettranslation)',
	routing: {
		request: { method: 'POST', body: {} },
		send: { paginate: true, preSend: [sendCustom] },
		output: { postReceive: [pairWithInput] },
		operations: { pagination: explainingRequest(explainCustomFailure) },
	},
};

const properties: INodeProperties[] = [
	operationPicker(CUSTOM, [callOption], 'call'),
	{
		displayName: 'Operation Name',
		name: 'operationName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. gettranslation',
		description: 'The name the operation is registered under in vtiger_ws_operation',
		displayOptions: showFor(CUSTOM, ['call']),
	},
	{
		displayName: 'HTTP Method',
		name: 'httpMethod',
		type: 'options',
		options: [
			{ name: 'GET', value: 'GET' },
			{ name: 'POST', value: 'POST' },
		],
		default: 'POST',
		description:
			'The type the operation is registered with: Vtiger reads its parameters only from the query string (GET) or only from the form body (POST). Stock operations always use their registered type.',
		displayOptions: showFor(CUSTOM, ['call']),
	},
	{
		displayName: 'Parameters',
		name: 'parameters',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Parameter',
		default: {},
		displayOptions: showFor(CUSTOM, ['call']),
		options: [
			{
				displayName: 'Parameter',
				name: 'parameter',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
					{
						displayName: 'Send as JSON',
						name: 'json',
						type: 'boolean',
						default: false,
						description:
							'Whether the value is JSON (an "encoded" parameter such as ["SINGLE_Contacts", "Contacts"]): it is checked and sent as JSON text',
					},
				],
			},
		],
	},
];

export const customOperationResource: VtigerResource = {
	option: { name: 'Custom Operation', value: CUSTOM, description: 'Any webservice operation by name' },
	properties,
};
