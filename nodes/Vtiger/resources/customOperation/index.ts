import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { resultToJsonItems } from '../../webservice/envelope';
import type { VtigerFailure } from '../../webservice/envelope';
import { failureOf } from '../../webservice/errors';
import { inputError } from '../../records/input';
import { getOperationMethod, isKnownStockCrash, isRegisteredOperation } from '../../webservice/operations';
import { showFor, vtigerResource } from '../../records/properties';
import type { VtigerResource } from '../../records/properties';
import { vtigerApiRequest } from '../../webservice/transport';
import { vtigerRouting } from '../../webservice/routing';

const CUSTOM = 'customOperation';
const RESERVED_OPERATIONS = ['login', 'getchallenge'];
const RESERVED_PARAMETERS = ['operation', 'sessionname', 'format'];

type Placement = 'auto' | 'GET' | 'POST';

function parameterValue(ctx: IExecuteSingleFunctions, name: string, row: IDataObject): unknown {
	const value = row.value;
	if (row.json !== true || typeof value !== 'string') return value;
	try {
		return JSON.parse(value) as unknown;
	} catch {
		throw inputError(ctx, `Parameters › ${name}`, `"${value.length > 60 ? `${value.slice(0, 60)}…` : value}" is not valid JSON`);
	}
}

function readCall(ctx: IExecuteSingleFunctions): { operation: string; params: IDataObject; placement: Placement } {
	const operation = String(ctx.getNodeParameter('operationName', '') ?? '').trim();
	if (!/^[A-Za-z0-9_.]+$/.test(operation)) {
		throw inputError(ctx, 'Operation Name', operation ? `"${operation}" is not an operation name` : 'enter the operation, e.g. gettranslation');
	}
	if (RESERVED_OPERATIONS.includes(operation.toLowerCase())) {
		throw inputError(ctx, 'Operation Name', `"${operation}" is done by the credential; n8n logs in by itself`);
	}
	const rows = ((ctx.getNodeParameter('parameters', {}) as IDataObject).parameter ?? []) as IDataObject[];
	const params: IDataObject = {};
	for (const row of rows) {
		const name = String(row.name ?? '').trim();
		if (!name) throw inputError(ctx, 'Parameters › Name', 'every parameter needs a name');
		if (RESERVED_PARAMETERS.includes(name.toLowerCase())) {
			throw inputError(ctx, `Parameters › ${name}`, `"${name}" is set by the node`);
		}
		const value = parameterValue(ctx, name, row);
		params[name] = (typeof value === 'object' && value !== null ? JSON.stringify(value) : value) as IDataObject[string];
	}
	const chosen = String(ctx.getNodeParameter('httpMethod', 'auto'));
	const placement: Placement = chosen === 'GET' || chosen === 'POST' ? chosen : 'auto';
	return { operation, params, placement };
}

/** An operation the CRM does not know ends in a PHP fatal error: HTTP 500 with an empty body (02_auth_session.jsonl). */
function explainCustomFailure(failure: VtigerFailure, operation: string): string | undefined {
	if (failure.kind !== 'crash' || isKnownStockCrash(operation)) return undefined;
	return isRegisteredOperation(operation)
		? `Vtiger hit an unhandled PHP error running "${operation}": a parameter is missing or has a value the operation cannot handle. The CRM's PHP error log has the details.`
		: `"${operation}" is not one of stock Vtiger's operations: Vtiger answers HTTP 500 with an empty body when an operation is not registered in vtiger_ws_operation (check its name and that the extension registering it is installed), or when it fails on the parameters given.`;
}

function isEmptyAnswer(result: unknown): boolean {
	if (result === null || result === undefined || result === '') return true;
	if (Array.isArray(result)) return result.length === 0;
	return typeof result === 'object' && Object.keys(result).length === 0;
}

/**
 * An empty answer is one item that says so: a workflow must not stop without output. Vtiger hands an
 * operation only the parameters it registered (vtiger_ws_operation_parameters), from $_GET for a GET operation
 * and $_POST for a POST one: a GET-registered gettranslation called with a POST body answers [] (test/live/defects-custom-operation.live.test.ts, "POST only").
 */
function emptyAnswerNotice(operation: string, params: IDataObject, placement: Placement): string {
	const names = Object.keys(params);
	const sent = names.length ? `the parameters ${names.map((name) => `"${name}"`).join(', ')}` : 'no parameters';
	if (placement === 'auto' || names.length === 0) {
		return `Vtiger answered "${operation}" with an empty result for ${sent}. Vtiger passes an operation only the parameters registered for it in vtiger_ws_operation_parameters and silently drops the others: check their names.`;
	}
	const other = placement === 'GET' ? 'POST' : 'GET';
	return `Vtiger answered "${operation}" with an empty result for ${sent}, sent only in the ${placement === 'GET' ? 'query string' : 'form body'}. If the operation is registered as ${other}, Vtiger ignored them: set Send Parameters to Auto.`;
}

async function callCustom(this: IExecutePaginationFunctions): Promise<INodeExecutionData[]> {
	const { operation, params, placement } = readCall(this);
	const itemIndex = this.getItemIndex();
	// a stock operation keeps its registered type; any other gets its parameters where Vtiger reads either type's
	const registered = isRegisteredOperation(operation);
	const method = registered ? getOperationMethod(operation) : placement === 'auto' ? 'POST' : placement;
	let result: unknown;
	try {
		result = await vtigerApiRequest.call(this, operation, params, {
			method,
			itemIndex,
			bothPlaces: !registered && placement === 'auto',
		});
	} catch (error) {
		if (!(error instanceof NodeApiError)) throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
		const apiError: NodeApiError = error;
		const failure = failureOf(apiError);
		const cause = failure ? explainCustomFailure(failure, operation) : undefined;
		if (cause) apiError.description = cause;
		throw apiError;
	}
	const records = isEmptyAnswer(result)
		? [{ result: result as IDataObject[string], notice: emptyAnswerNotice(operation, params, placement) }]
		: resultToJsonItems(result);
	return records.map((json) => ({ json, pairedItem: { item: itemIndex } }));
}

const callOption: INodePropertyOptions = {
	name: 'Call',
	value: 'call',
	action: 'Call a webservice operation',
	description: 'Call any operation, including those an extension registers (e.g. gettranslation)',
	routing: vtigerRouting({ send: callCustom }),
};

const properties: INodeProperties[] = [
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
		displayName: 'Send Parameters',
		name: 'httpMethod',
		type: 'options',
		options: [
			{
				name: 'Auto (Query String and Body)',
				value: 'auto',
				description: 'Works whatever type the operation is registered with',
			},
			{ name: 'GET (Query String)', value: 'GET', description: 'For an operation registered as GET' },
			{ name: 'POST (Form Body)', value: 'POST', description: 'For an operation registered as POST' },
		],
		default: 'auto',
		description:
			'Vtiger reads a GET-registered operation\'s parameters only from the query string and a POST-registered one\'s only from the form body. Auto sends a POST with them in both, so the call works without knowing the type. Stock operations always use their registered type.',
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

export const customOperationResource: VtigerResource = vtigerResource(
	{ name: 'Custom Operation', value: CUSTOM, description: 'Any webservice operation by name' },
	[{ option: callOption, properties }],
	'call',
);
