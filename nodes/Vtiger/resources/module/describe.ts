import type {
	IDataObject,
	IExecuteSingleFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { labelFieldsOf, readDescription } from '../../records/describe';
import type { VtigerField } from '../../records/describe';
import { inputError, moduleParameter } from '../../records/input';
import { jsonItems, simplifyParameter } from '../../records/output';
import { modulePicker, simplifyToggle } from '../../records/properties';
import { MODULE } from './getAll';
import { vtigerRouting } from '../../webservice/routing';
import type { VtigerOperation } from '../../records/properties';

async function describeParams(this: IExecuteSingleFunctions): Promise<IDataObject> {
	const module = moduleParameter(this);
	if (!module) throw inputError(this, 'Module', 'choose a module');
	return { elementType: module };
}

function simpleField(field: VtigerField): IDataObject {
	const simple: IDataObject = {
		name: field.name,
		label: field.label,
		type: field.type?.name,
		mandatory: field.mandatory,
		editable: field.editable,
	};
	if (field.type?.refersTo) simple.refersTo = field.type.refersTo;
	if (field.type?.picklistValues) simple.values = field.type.picklistValues.map((entry) => entry.value);
	return simple;
}

async function describedModule(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const answer = (items[0]?.json ?? {}) as IDataObject;
	if (!simplifyParameter(this)) return jsonItems(this, [answer]);
	const description = readDescription(answer, String(answer.name ?? ''));
	return jsonItems(this, [
		{
			...answer,
			// the fields, where Vtiger names columns (Documents: `title` for notes_title)
			labelFields: labelFieldsOf(description),
			fields: description.fields.map(simpleField),
		},
	]);
}

const describeOption: INodePropertyOptions = {
	name: 'Describe',
	value: 'describe',
	action: 'Describe a module',
	description: 'Get a module\'s fields, their types and what the user may do with it',
	routing: vtigerRouting({ operation: 'describe', params: describeParams, postReceive: [describedModule] }),
};

const describeProperties: INodeProperties[] = [
	modulePicker(MODULE, ['describe'], 'getAllModules'),
	simplifyToggle(
		MODULE,
		['describe'],
		'Whether to return each field as { name, label, type, mandatory, editable, refersTo, values } instead of Vtiger\'s full description',
	),
];

export const describeOperation: VtigerOperation = { option: describeOption, properties: describeProperties };
