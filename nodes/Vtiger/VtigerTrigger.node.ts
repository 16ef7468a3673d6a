import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IPollFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	NodeConnectionType,
} from 'n8n-workflow';

import { triggerProperties } from './trigger/description';
import { getTriggerModules } from './trigger/modules';
import { pollVtiger } from './trigger/poll';

const MAIN_OUTPUT: NodeConnectionType[] = [NodeConnectionTypes.Main];

export class VtigerTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Vtiger Trigger',
		name: 'vtigerTrigger',
		icon: { light: 'file:vtiger.svg', dark: 'file:vtiger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["module"] + ": " + ($parameter["events"] || []).join(", ") }}',
		description: 'Starts the workflow when Vtiger CRM records are created, updated or deleted',
		// the editor's Docs link: this package's README (the codex URL gets tracking parameters appended)
		documentationUrl: 'https://github.com/n8n-nodes-vtigercrm/n8n-nodes-vtigercrm#vtiger-trigger',
		defaults: { name: 'Vtiger Trigger' },
		polling: true,
		inputs: [],
		outputs: MAIN_OUTPUT,
		credentials: [{ name: 'vtigerApi', required: true }],
		properties: triggerProperties,
	};

	methods = {
		loadOptions: { getTriggerModules },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollVtiger.call(this);
	}
}
