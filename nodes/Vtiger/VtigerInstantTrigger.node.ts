import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
	NodeConnectionType,
} from 'n8n-workflow';

import { instantTriggerProperties } from './instant/description';
import { receiveDelivery } from './instant/receive';
import { subscribe, subscriptionExists, unsubscribe } from './instant/subscription';
import { getTriggerModules } from './trigger/modules';

const MAIN_OUTPUT: NodeConnectionType[] = [NodeConnectionTypes.Main];

export class VtigerInstantTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Vtiger Instant Trigger',
		name: 'vtigerInstantTrigger',
		icon: { light: 'file:vtiger.svg', dark: 'file:vtiger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["module"] + ": " + ($parameter["events"] || []).join(", ") }}',
		description:
			'Starts the workflow seconds after Vtiger CRM records are created, updated, deleted or restored (webhooks from the n8n Connector extension)',
		documentationUrl: 'https://github.com/n8n-nodes-vtigercrm/n8n-nodes-vtigercrm#vtiger-instant-trigger',
		defaults: { name: 'Vtiger Instant Trigger' },
		inputs: [],
		outputs: MAIN_OUTPUT,
		credentials: [{ name: 'vtigerApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'webhook',
			},
		],
		properties: instantTriggerProperties,
	};

	methods = {
		loadOptions: { getTriggerModules },
	};

	webhookMethods = {
		default: {
			checkExists: async function (this: IHookFunctions): Promise<boolean> {
				return await subscriptionExists.call(this);
			},
			create: async function (this: IHookFunctions): Promise<boolean> {
				return await subscribe.call(this);
			},
			delete: async function (this: IHookFunctions): Promise<boolean> {
				return await unsubscribe.call(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveDelivery.call(this);
	}
}
