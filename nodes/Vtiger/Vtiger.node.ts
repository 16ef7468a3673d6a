import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeProperties, INodeType, INodeTypeDescription, NodeConnectionType } from 'n8n-workflow';

import { listSearch, loadOptions, resourceMapping } from './methods';
import { customOperationResource } from './resources/customOperation';
import { moduleResource } from './resources/module';
import { recordResource } from './resources/record';
import { sessionResource } from './resources/session';
import { userResource } from './resources/user';
import type { VtigerResource } from './records/properties';
import { legacyMaxConcurrency, withRequestOptions } from './webservice/requestOptions';
import { routedRequest } from './webservice/routing';
import { VTIGER_BASE_URL_EXPRESSION } from './webservice/url';

const MAIN: NodeConnectionType[] = [NodeConnectionTypes.Main];

/** A resource is added with one import and one entry here; the editor lists them alphabetically, as n8n asks. */
const resources: VtigerResource[] = [recordResource, moduleResource, userResource, sessionResource, customOperationResource];

const resourcePicker: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: resources
		.map((resource) => resource.option)
		.sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' })),
	default: 'record',
};

export class Vtiger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Vtiger CRM',
		name: 'vtiger',
		icon: { light: 'file:vtiger.svg', dark: 'file:vtiger.dark.svg' },
		group: ['transform'],
		// 2: record operations simplify their output by default (version 1 keeps Vtiger's raw answer)
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{ $parameter["operation"] + ": " + ($parameter["module"] || $parameter["resource"]) }}',
		description: 'Create, read, update, delete and query records in Vtiger CRM',
		// the editor's Docs link: this package's README (the codex URL gets tracking parameters appended)
		documentationUrl: 'https://github.com/n8n-nodes-vtigercrm/n8n-nodes-vtigercrm#readme',
		defaults: { name: 'Vtiger CRM' },
		usableAsTool: true,
		inputs: MAIN,
		outputs: MAIN,
		credentials: [{ name: 'vtigerApi', required: true }],
		requestDefaults: {
			baseURL: VTIGER_BASE_URL_EXPRESSION,
			url: '/webservice.php',
		},
		requestOperations: { pagination: routedRequest },
		properties: [resourcePicker, ...resources.flatMap(withRequestOptions), legacyMaxConcurrency],
	};

	methods = { loadOptions, listSearch, resourceMapping };
}
