import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { DEFAULT_MAX_CONCURRENCY, REQUEST_OPTIONS_PARAMETER } from './concurrency';

/** Settings of how the node talks to the CRM, offered in every operation's Options. */
export const requestOptionFields: INodeProperties[] = [
	{
		displayName: 'Max Concurrent Requests',
		name: 'maxConcurrency',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 50 },
		default: DEFAULT_MAX_CONCURRENCY,
		description:
			'How many requests this node sends to the CRM at the same time. n8n runs all items at once; this keeps a small PHP server from being flooded.',
	},
	{
		displayName: 'Session Pool',
		name: 'sessionPool',
		type: 'boolean',
		default: true,
		description:
			'Whether requests sent at the same time use sessions of their own (up to Max Concurrent Requests, one login each, kept for later runs). PHP serves one request per session at a time, so parallel requests on one session wait for each other. A request running alone always uses the stored session.',
	},
];

/**
 * Workflows saved before Max Concurrent Requests moved into the Options kept it at the top level;
 * the hidden parameter keeps such a value (the Options' value wins when both are set).
 */
export const legacyMaxConcurrency: INodeProperties = {
	displayName: 'Max Concurrent Requests',
	name: 'maxConcurrency',
	type: 'hidden',
	default: DEFAULT_MAX_CONCURRENCY,
};

function isOptionsCollectionFor(property: INodeProperties, resource: string, operation: string): boolean {
	const show = property.displayOptions?.show;
	if (property.name !== REQUEST_OPTIONS_PARAMETER || property.type !== 'collection' || !show) return false;
	if (property.displayOptions?.hide) return false;
	if (Object.keys(show).some((key) => key !== 'resource' && key !== 'operation')) return false;
	return (
		(show.resource ?? []).includes(resource) && (show.operation ?? []).includes(operation)
	);
}

/** What the request settings need of a resource (the whole of VtigerResource): nothing here imports what a record is. */
interface ResourceProperties {
	option: INodePropertyOptions;
	properties: INodeProperties[];
}

function operationsOf(resource: ResourceProperties): string[] {
	const picker = resource.properties.find((property) => property.name === 'operation');
	return (picker?.options ?? []).map((option) => String((option as { value?: unknown }).value));
}

/**
 * The resource's properties with the request settings in every operation's Options: added to an
 * operation's own Options collection where it has one, in a new one per resource for the others.
 */
export function withRequestOptions(resource: ResourceProperties): INodeProperties[] {
	const resourceName = String(resource.option.value);
	const operations = operationsOf(resource);
	const covered = new Set<string>();
	const properties = resource.properties.map((property) => {
		const own = operations.filter((operation) => isOptionsCollectionFor(property, resourceName, operation));
		if (own.length === 0) return property;
		own.forEach((operation) => covered.add(operation));
		return { ...property, options: [...(property.options ?? []), ...requestOptionFields] } as INodeProperties;
	});
	const rest = operations.filter((operation) => !covered.has(operation));
	if (rest.length === 0) return properties;
	return [
		...properties,
		{
			displayName: 'Options',
			name: REQUEST_OPTIONS_PARAMETER,
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			displayOptions: { show: { resource: [resourceName], operation: rest } },
			options: requestOptionFields,
		},
	];
}
