import type { INodeProperties } from 'n8n-workflow';

import { recordOutputOptions } from '../records/output';
import { watchedModuleProperty } from './modules';

export const triggerProperties: INodeProperties[] = [
	{
		displayName:
			'This trigger polls Vtiger on a schedule. With the n8n Connector extension installed in Vtiger, the "Vtiger Instant Trigger" node starts the workflow seconds after each change instead (see the README).',
		name: 'instantNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName:
			'Vtiger\'s "sync" only reports records owned by the credential\'s user: records assigned to a group are not seen (choose "Query" under Detect Changes With to see them). On stock Vtiger 8.3.0 with PHP 8, "sync" crashes (HTTP 500) and the trigger falls back to queries on the modification time: created and updated records are still caught, but deletions cannot be seen that way.',
		name: 'notice',
		type: 'notice',
		default: '',
		// only "sync" has these limits: with Detect Changes With = Query the notice below applies. A path into the
		// Options collection starts at the root ('/'): n8n 1.x cannot activate a node whose displayOptions name
		// anything else that is not a parameter of the same level (test/unit/descriptions.test.ts)
		displayOptions: { hide: { '/options.source': ['query'] } },
	},
	{
		displayName:
			'Detecting changes with queries sees records of every owner, groups included, but never deletions.',
		name: 'queryNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { '/options.source': ['query'], events: ['deleted'] } },
	},
	watchedModuleProperty,
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		required: true,
		options: [
			{ name: 'Created', value: 'created', description: 'A record was created' },
			{ name: 'Updated', value: 'updated', description: 'An existing record was changed' },
			{
				name: 'Deleted',
				value: 'deleted',
				description: 'A record was deleted (only visible through "sync")',
			},
		],
		default: ['created', 'updated'],
		description:
			'Which changes start the workflow. A record created and changed again before the next poll counts once, as created.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Detect Changes With',
				name: 'source',
				type: 'options',
				options: [
					{
						name: 'Query',
						value: 'query',
						description:
							'Page VTQL on the modification time: sees group-owned records too, never deletions',
					},
					{
						name: 'Sync, Falling Back to Query',
						value: 'auto',
						description:
							'Use "sync" (sees deletions, only records the user owns); where it crashes, query the modification time',
					},
				],
				default: 'auto',
			},
			{
				displayName: 'Start From',
				name: 'startFrom',
				type: 'dateTime',
				default: '',
				description:
					'On the first activation, report changes made after this moment instead of only changes from now on',
			},
			...recordOutputOptions,
		],
	},
];
