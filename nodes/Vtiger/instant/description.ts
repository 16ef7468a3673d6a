import type { INodeProperties } from 'n8n-workflow';

import { recordOutputOptions } from '../records/output';
import { watchedModuleProperty } from '../trigger/modules';

export const instantTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'Needs the n8n Connector extension installed in Vtiger (see the README: an administrator imports its zip in Settings › Module Management), and a Vtiger that can reach this n8n\'s webhook URL. Without them, use the polling Vtiger Trigger.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	watchedModuleProperty,
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		required: true,
		options: [
			{ name: 'Created', value: 'created', description: 'A record was created' },
			{ name: 'Deleted', value: 'deleted', description: 'A record was moved to the recycle bin' },
			{ name: 'Restored', value: 'restored', description: 'A record came back from the recycle bin' },
			{ name: 'Updated', value: 'updated', description: 'An existing record was saved' },
		],
		default: ['created', 'updated'],
		description: 'Which changes start the workflow; each save is one execution, seconds after it',
	},
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: false,
		description:
			'Whether to return booleans as true/false, numbers as numbers and multi-select values as lists, leave out empty fields and add the record\'s label, instead of Vtiger\'s raw record (every value a string, as the polling Vtiger Trigger gives it)',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...recordOutputOptions],
	},
];
