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

/** Return All of operations that page; `hint` says what it does there. */
export function returnAllToggle(resource: string, operations: string[], hint?: string): INodeProperties {
	return {
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		displayOptions: showFor(resource, operations),
		description: 'Whether to return all results or only up to a given limit',
		...(hint ? { hint } : {}),
	};
}

export function returnAllAndLimit(resource: string, operations: string[]): INodeProperties[] {
	return [
		returnAllToggle(resource, operations),
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

/**
 * One operation of a resource, exported by its file: the resource's lists (the operation picker; for records the
 * Module picker, Simplify and the output Options) are derived from these, never kept by hand.
 */
export interface VtigerOperation {
	/** The picker entry, its routing made by vtigerRouting (webservice/routing.ts). */
	option: INodePropertyOptions;
	properties?: INodeProperties[];
	/** Record: shows the Module picker. */
	module?: boolean;
	/** Record: its records are shaped by the resource's Simplify (operations with their own leave it out). */
	simplify?: boolean;
	/** Record: shows the record output Options (reference labels, ISO date-times). */
	outputOptions?: boolean;
}

/** The values of the operations that have `flag`, in the order given. */
export function operationsWith(operations: VtigerOperation[], flag: 'module' | 'simplify' | 'outputOptions'): string[] {
	return operations.filter((operation) => operation[flag]).map((operation) => String(operation.option.value));
}

/** A resource of operations: the picker and the operations' parameters, in the order given. */
export function vtigerResource(option: INodePropertyOptions, operations: VtigerOperation[], defaultOperation: string): VtigerResource {
	return {
		option,
		properties: [
			operationPicker(String(option.value), operations.map((operation) => operation.option), defaultOperation),
			...operations.flatMap((operation) => operation.properties ?? []),
		],
	};
}
