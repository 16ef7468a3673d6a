import type { CredentialJson, WorkflowJson } from './n8n';
import { byId, chainWorkflow, mapperValue } from './workflow';

/** Create → Get → Update → Get Many (filter) → Query → Delete of one contact, chained by expressions. */
export function contactLifecycleWorkflow(credential: CredentialJson, lastname: string): WorkflowJson {
	return chainWorkflow('Contact lifecycle', credential, [
		{
			name: 'Create Contact',
			parameters: {
				resource: 'record',
				operation: 'create',
				module: 'Contacts',
				columns: mapperValue({ firstname: 'Ada', lastname, email: 'ada@example.com', assigned_user_id: '19x1' }),
			},
		},
		{
			name: 'Get Contact',
			parameters: { resource: 'record', operation: 'get', module: 'Contacts', recordId: byId('={{ $json.id }}') },
		},
		{
			name: 'Update Contact',
			parameters: {
				resource: 'record',
				operation: 'update',
				module: 'Contacts',
				recordId: byId('={{ $json.id }}'),
				columns: mapperValue({ title: 'Countess' }),
			},
		},
		{
			name: 'Find Contacts',
			parameters: {
				resource: 'record',
				operation: 'getAll',
				module: 'Contacts',
				returnAll: true,
				filters: { conditions: [{ field: 'lastname', operator: 'equal', value: lastname }] },
				combine: 'AND',
				options: {},
			},
		},
		{
			name: 'Query',
			parameters: {
				resource: 'record',
				operation: 'query',
				query: `SELECT firstname, lastname, title FROM Contacts WHERE lastname = '${lastname}';`,
				returnAll: true,
			},
		},
		{
			name: 'Delete Contact',
			parameters: {
				resource: 'record',
				operation: 'delete',
				module: 'Contacts',
				recordId: byId("={{ $('Create Contact').item.json.id }}"),
			},
		},
	]);
}

export function modulesWorkflow(credential: CredentialJson): WorkflowJson {
	return chainWorkflow('Modules and fields', credential, [
		{ name: 'List Modules', parameters: { resource: 'module', operation: 'getAll', returnAll: true } },
		{
			name: 'Describe Contacts',
			executeOnce: true,
			parameters: { resource: 'module', operation: 'describe', module: 'Contacts' },
		},
	]);
}

/** One Vtiger node creating a contact, its Fields not filled in yet: what the editor screenshots show. */
export function createContactWorkflow(credential: CredentialJson): WorkflowJson {
	return chainWorkflow('Create a contact', credential, [
		{
			name: 'Vtiger CRM',
			parameters: {
				resource: 'record',
				operation: 'create',
				module: 'Contacts',
				columns: { mappingMode: 'defineBelow', value: null },
			},
		},
	]);
}
