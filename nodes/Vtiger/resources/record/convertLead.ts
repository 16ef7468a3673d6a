import type {
	IDataObject,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { describeModule } from '../../records/describe';
import { FieldValueError, toVtigerElement } from '../../records/fields';
import { inputError, resolveRecordId } from '../../records/input';
import { jsonItems } from '../../records/output';
import { showFor } from '../../records/properties';
import { vtigerApiRequest } from '../../webservice/transport';
import { readUserId, userLocator } from '../../records/users';
import { RECORD } from './common';
import { vtigerRouting } from '../../webservice/routing';
import type { VtigerOperation } from '../../records/properties';

const TARGETS = [
	{ module: 'Accounts', toggle: 'createOrganization', fields: 'organizationFields', title: 'Organization', key: 'organizationId' },
	{ module: 'Contacts', toggle: 'createContact', fields: 'contactFields', title: 'Contact', key: 'contactId' },
	{ module: 'Potentials', toggle: 'createOpportunity', fields: 'opportunityFields', title: 'Opportunity', key: 'opportunityId' },
] as const;

async function entityValues(ctx: IExecuteSingleFunctions, module: string, parameter: string, title: string): Promise<IDataObject> {
	const description = await describeModule(ctx, module, ctx.getItemIndex());
	const values = (ctx.getNodeParameter(`${parameter}.value`, {}) ?? {}) as IDataObject;
	try {
		return toVtigerElement(description, values, ctx.getTimezone());
	} catch (error) {
		if (error instanceof FieldValueError) throw inputError(ctx, `${title} Fields › ${error.field}`, error.message);
		throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: ctx.getItemIndex() });
	}
}

async function leadId(ctx: IExecuteSingleFunctions): Promise<string> {
	const leads = await describeModule(ctx, 'Leads', ctx.getItemIndex());
	return resolveRecordId(ctx, leads, { parameter: 'leadId', label: 'Lead', noun: 'Lead' });
}

/**
 * convertlead's element (07_other_ops_patched_8081.jsonl): `{leadId, assignedTo, entities: {Accounts:
 * {create, name, …fields}, Contacts: {…}, Potentials: {…}}}`. Fields not given come from the lead
 * through the CRM's lead mapping.
 */
async function convertLeadParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const id = await leadId(this);
	const chosen = TARGETS.filter((target) => this.getNodeParameter(target.toggle, false) === true);
	if (chosen.length === 0) throw inputError(this, 'Create', 'choose at least one of organization, contact and opportunity');
	let assignedTo = readUserId(this, 'assignedTo', 'Assigned To', true);
	if (!assignedTo) {
		const lead = ((await vtigerApiRequest.call(this, 'retrieve', { id }, { itemIndex: this.getItemIndex() })) ?? {}) as IDataObject;
		assignedTo = String(lead.assigned_user_id ?? '');
	}
	const entities: IDataObject = {};
	for (const target of TARGETS) {
		const create = chosen.includes(target);
		entities[target.module] = {
			create,
			name: target.module,
			...(create ? await entityValues(this, target.module, target.fields, target.title) : {}),
		};
	}
	return {
		element: JSON.stringify({ leadId: id, assignedTo, entities }),
	};
}

/** `{Accounts: "11x163", Contacts: "12x164"}` with readable names and the lead. */
async function converted(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const id = await leadId(this);
	return jsonItems(
		this,
		items.map((item) => {
			const json: IDataObject = { leadId: id };
			for (const target of TARGETS) {
				if (item.json[target.module] !== undefined) json[target.key] = item.json[target.module];
			}
			return { ...json, ...item.json };
		}),
	);
}

const convertLeadOption: INodePropertyOptions = {
	name: 'Convert Lead',
	value: 'convertLead',
	action: 'Convert a lead',
	description: 'Turn a lead into an organization, a contact and/or an opportunity (convertlead)',
	routing: vtigerRouting({ operation: 'convertlead', params: convertLeadParams, postReceive: [converted] }),
};

function entityMapper(name: string, toggle: string, method: string, title: string): INodeProperties {
	return {
		displayName: `${title} Fields`,
		name,
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		displayOptions: { show: { resource: [RECORD], operation: ['convertLead'], [toggle]: [true] } },
		typeOptions: {
			resourceMapper: {
				resourceMapperMethod: method,
				mode: 'add',
				fieldWords: { singular: 'field', plural: 'fields' },
				addAllFields: false,
				multiKeyMatch: false,
				supportAutoMap: false,
			},
		},
	};
}

const convertLeadProperties: INodeProperties[] = [
	{
		displayName: 'Lead',
		name: 'leadId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		displayOptions: showFor(RECORD, ['convertLead']),
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a lead…',
				typeOptions: { searchListMethod: 'searchLeads', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 10x156 or 156',
				validation: [
					{ type: 'regex', properties: { regex: '^\\s*(\\d+x)?\\d+\\s*$', errorMessage: 'Not a Vtiger ID: use 10x156 or 156' } },
				],
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: 'https://crm.example.com/index.php?module=Leads&view=Detail&record=156',
				validation: [
					{ type: 'regex', properties: { regex: '.*[?&]record=\\d+.*', errorMessage: 'Not a link to a CRM record (it needs record=…)' } },
				],
			},
		],
	},
	{
		displayName: 'Create Organization',
		name: 'createOrganization',
		type: 'boolean',
		default: true,
		displayOptions: showFor(RECORD, ['convertLead']),
		description: 'Whether to create an organization from the lead (its name defaults to the lead\'s company)',
	},
	entityMapper('organizationFields', 'createOrganization', 'getConvertOrganizationFields', 'Organization'),
	{
		displayName: 'Create Contact',
		name: 'createContact',
		type: 'boolean',
		default: true,
		displayOptions: showFor(RECORD, ['convertLead']),
		description: 'Whether to create a contact from the lead',
	},
	entityMapper('contactFields', 'createContact', 'getConvertContactFields', 'Contact'),
	{
		displayName: 'Create Opportunity',
		name: 'createOpportunity',
		type: 'boolean',
		default: false,
		displayOptions: showFor(RECORD, ['convertLead']),
		description: 'Whether to create an opportunity from the lead (Vtiger needs its close date and sales stage)',
	},
	entityMapper('opportunityFields', 'createOpportunity', 'getConvertOpportunityFields', 'Opportunity'),
	userLocator(RECORD, ['convertLead'], 'assignedTo', 'Assigned To', 'Who the new records belong to. Empty: the lead\'s owner.', false),
];

export const convertLeadOperation: VtigerOperation = { option: convertLeadOption, properties: convertLeadProperties };
