import { getConvertContactFields, getConvertOpportunityFields, getConvertOrganizationFields } from './convertLead';
import { getDocumentFolders } from './documents';
import * as baseListSearch from './listSearch';
import * as baseLoadOptions from './loadOptions';
import { getCurrencies, searchProductsAndServices } from './products';
import { getRelations, searchDocuments, searchLeads, searchRelatedRecords } from './relations';
import * as baseResourceMapping from './resourceMapping';
import { getOwners, searchUsers } from './users';

export const loadOptions = { ...baseLoadOptions, getRelations, getCurrencies, getDocumentFolders, getOwners };
export const listSearch = { ...baseListSearch, searchRelatedRecords, searchDocuments, searchLeads, searchUsers, searchProductsAndServices };
export const resourceMapping = {
	...baseResourceMapping,
	getConvertOrganizationFields,
	getConvertContactFields,
	getConvertOpportunityFields,
};
