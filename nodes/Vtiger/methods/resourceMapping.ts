import type { ILoadOptionsFunctions, INodePropertyOptions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import type { VtigerField, VtigerModuleDescription } from '../records/describe';
import { describeModule } from '../records/describe';
import { dateTimePairs, DURATION_FIELDS, n8nFieldType, writeLabel } from '../records/fields';
import { headerFields, isLineItemField } from '../records/inventory';
import { chosenModule } from './context';
import { ownerOptions } from './users';

/**
 * Fields a user commonly writes in the standard modules; the Create mapper pre-adds these and the
 * mandatory ones, the rest stay one click away ("Add field"). Custom fields (cf_…) are pre-added too:
 * someone made them to be filled.
 */
const COMMON_FIELDS = new Set([
	// people and organizations
	'firstname', 'lastname', 'email', 'phone', 'mobile', 'title', 'account_id', 'contact_id', 'leadsource',
	'company', 'leadstatus', 'industry', 'website', 'accountname', 'email1', 'birthday', 'description',
	'mailingstreet', 'mailingcity', 'mailingstate', 'mailingzip', 'mailingcountry',
	'bill_street', 'bill_city', 'bill_state', 'bill_code', 'bill_country',
	'lane', 'city', 'state', 'code', 'country',
	// sales and support
	'potentialname', 'related_to', 'amount', 'closingdate', 'sales_stage', 'probability', 'opportunity_type',
	'ticket_title', 'ticketstatus', 'ticketpriorities', 'ticketseverities', 'ticketcategories', 'parent_id', 'product_id',
	'quotestage', 'invoicestatus', 'sostatus', 'postatus', 'invoicedate', 'duedate', 'validtill', 'vendor_id',
	// activities
	'subject', 'date_start', 'due_date', 'eventstatus', 'taskstatus', 'activitytype', 'taskpriority', 'location',
	// catalogue, documents, campaigns, projects, comments
	'productname', 'productcode', 'unit_price', 'qtyinstock', 'servicename', 'notes_title', 'notecontent', 'folderid',
	'campaignname', 'campaignstatus', 'campaigntype', 'vendorname', 'commentcontent', 'projectname', 'projectstatus',
	'startdate', 'targetenddate', 'projecttaskname', 'projectid', 'projectmilestonename', 'projectmilestonedate',
	'question', 'faq_answer', 'faqstatus', 'assetname', 'serialnumber', 'bookname', 'pricebookname',
]);

/** Characters of a mapper label n8n 2.41's parameter panel shows before it cuts the label off. */
const VISIBLE_LABEL = 24;

/**
 * A reference's label with the module it points to, short enough to be read in full: "Organization
 * (Accounts ID)" is cut off, so the linked record's " Name" goes and then the " ID" if needed.
 */
function referenceLabel(label: string, modules: string[]): string {
	const base = label.replace(/ Name$/, '');
	const target = modules.length === 1 ? modules[0] : `${modules[0]} +${modules.length - 1}`;
	const long = `${base} (${target} ID)`;
	return long.length <= VISIBLE_LABEL ? long : `${base} (${target})`;
}

/**
 * The label a field has in the mapper, which shows no hint line: Start and End for an activity's date
 * and time, the module a reference points to, the choices of a multi-select.
 */
function mapperLabel(description: VtigerModuleDescription, field: VtigerField): string {
	const label = writeLabel(description, field);
	if (field.type.name === 'reference' && field.type.refersTo?.length) return referenceLabel(label, field.type.refersTo);
	if (field.type.name === 'multipicklist' && field.type.picklistValues?.length) {
		return `${label} (any of: ${field.type.picklistValues.map((entry) => entry.value).join(', ')})`;
	}
	return label;
}

/** Whether Create pre-adds the field: mandatory, commonly written, or a custom field. */
function preAdded(field: VtigerField): boolean {
	return field.mandatory || COMMON_FIELDS.has(field.name) || field.name.startsWith('cf_');
}

/**
 * The fields a write's mapper offers: the header fields, without those the node derives. An activity's
 * time fields are part of Start and End, its duration follows from them, and Calendar records are tasks
 * (their activity type is the node's to set: any other type makes an Event that Calendar cannot read back).
 */
function offeredFields(description: VtigerModuleDescription): VtigerField[] {
	const pairs = dateTimePairs(description);
	const derived = new Set(pairs.map((pair) => pair.time.name));
	if (pairs.length === 2) DURATION_FIELDS.forEach((name) => derived.add(name));
	if (description.name === 'Calendar') {
		derived.add('activitytype');
		// a task's status is taskstatus; eventstatus belongs to events
		derived.add('eventstatus');
	}
	return headerFields(description).filter((field) => !derived.has(field.name));
}

function toMapperField(
	description: VtigerModuleDescription,
	field: VtigerField,
	create: boolean,
	owners: INodePropertyOptions[],
): ResourceMapperField {
	const paired = dateTimePairs(description).some((pair) => pair.date.name === field.name);
	const type = paired ? 'dateTime' : field.type.name === 'owner' && owners.length ? 'options' : n8nFieldType(field);
	const mapped: ResourceMapperField = {
		id: field.name,
		displayName: mapperLabel(description, field),
		required: create && field.mandatory,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		type,
		removed: create ? !preAdded(field) : false,
	};
	if (field.type.name === 'owner' && owners.length) {
		mapped.options = owners;
		// the credential's own user, listed first
		if (create) mapped.defaultValue = String(owners[0].value);
	} else if (type === 'options') {
		mapped.options = (field.type.picklistValues ?? []).map((entry) => ({
			name: entry.label || entry.value,
			value: entry.value,
		}));
	}
	return mapped;
}

async function mapperFields(ctx: ILoadOptionsFunctions, create: boolean): Promise<ResourceMapperFields> {
	const module = chosenModule(ctx);
	if (!module) return { fields: [], emptyFieldsNotice: 'Choose a module first' };
	const description = await describeModule(ctx, module);
	const offered = offeredFields(description);
	const owners = offered.some((field) => field.type.name === 'owner') ? await ownerOptions(ctx) : [];
	const fields = offered.map((field) => toMapperField(description, field, create, owners));
	return fields.length ? { fields } : { fields, emptyFieldsNotice: `${description.label} has no fields you can write` };
}

/**
 * Create: the writable fields of the module, mandatory ones required; the mandatory and commonly
 * written ones pre-added. Read-only fields are left out, and so are the line-level fields and computed
 * totals of a module with line items (the Line Items parameters).
 */
export async function getCreateFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	return await mapperFields(this, true);
}

/** Update and Replace: the same fields, none required (unchanged ones keep their values). */
export async function getUpdateFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	return await mapperFields(this, false);
}

/**
 * Create or Update: the same fields, any of them (and the record ID) usable as a column to match on.
 * Read-only fields (numbers Vtiger gives, like Contact No) are offered for matching only.
 */
export async function getUpsertFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const mapped = await mapperFields(this, false);
	const module = chosenModule(this);
	if (!module || mapped.fields.length === 0) return mapped;
	const description = await describeModule(this, module);
	const writable = new Set(mapped.fields.map((field) => field.id));
	const readOnly = description.fields
		.filter((field) => !writable.has(field.name) && !field.editable && field.type.name !== 'autogenerated' && !isLineItemField(description, field.name))
		.map((field) => ({ ...toMapperField(description, field, false, []), removed: true }));
	const id: ResourceMapperField = {
		id: 'id',
		displayName: `ID (like ${description.idPrefix}x87)`,
		required: false,
		defaultMatch: false,
		display: true,
		type: 'string',
		removed: true,
	};
	return { fields: [id, ...mapped.fields, ...readOnly].map((field) => ({ ...field, canBeUsedToMatch: true })) };
}
