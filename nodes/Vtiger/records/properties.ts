import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/** One resource of the node: its entry in the Resource picker and its parameters (operation picker first). */
export interface VtigerResource {
	option: INodePropertyOptions;
	properties: INodeProperties[];
}

export function showFor(resource: string, operations?: string[]): INodeProperties['displayOptions'] {
	return { show: operations ? { resource: [resource], operation: operations } : { resource: [resource] } };
}

/** The operation picker of a resource from its operations' options, sorted as n8n lists them. */
export function operationPicker(
	resource: string,
	options: INodePropertyOptions[],
	defaultOperation: string,
): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: showFor(resource),
		options: [...options].sort((a, b) => a.name.localeCompare(b.name)),
		default: defaultOperation,
	};
}

export function modulePicker(
	resource: string,
	operations: string[],
	loadOptionsMethod = 'getModules',
): INodeProperties {
	return {
		displayName: 'Module Name or ID',
		name: 'module',
		type: 'options',
		typeOptions: { loadOptionsMethod },
		required: true,
		default: '',
		displayOptions: showFor(resource, operations),
		description:
			'The Vtiger module (Contacts, Organizations, custom modules …). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	};
}

export function returnAllAndLimit(resource: string, operations: string[]): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			displayOptions: showFor(resource, operations),
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			displayOptions: { show: { resource: [resource], operation: operations, returnAll: [false] } },
			description: 'Max number of results to return',
		},
	];
}

export function simplifyToggle(resource: string, operations: string[], description: string): INodeProperties {
	return {
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		displayOptions: showFor(resource, operations),
		description,
	};
}
