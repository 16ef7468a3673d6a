import type { IDataObject } from 'n8n-workflow';

import { failureOf } from './errors';
import { credentialKey, VTIGER_CREDENTIAL_TYPE } from './session';
import type { VtigerContext } from './transport';
import { vtigerApiRequest } from './transport';

/** What the n8n Connector extension (Vtiger module N8nConnector) offers on one CRM to one user (`n8n_info`). */
export interface VtigerExtension {
	installed: boolean;
	version?: string;
	operations: string[];
}

/** Where a user finds the extension and how it is installed (error descriptions name it as the remedy). */
export const EXTENSION_REMEDY =
	'Install the n8n Connector extension in this Vtiger: the package ships it as dist/vtiger-extension/N8nConnector-<version>.zip (in n8n\'s folder: node_modules/n8n-nodes-vtigercrm/dist/vtiger-extension/); an administrator imports it under Settings › Module Management › Import Module (or updates the installed one there). The node finds it by itself within ten minutes, or at once after n8n restarts.';

const NOT_INSTALLED: VtigerExtension = { installed: false, operations: [] };

/** An answer "not installed" is asked again after this long, so an extension installed later is found without a restart. */
const ABSENT_LIFETIME_MS = 600_000;

const known = new Map<string, { at: number; extension: Promise<VtigerExtension> }>();

/** Forget what the CRMs offered (tests: one simulator plays several Vtigers). */
export function forgetVtigerExtensions(): void {
	known.clear();
}

/**
 * The extension of this credential's CRM and user, asked once (`n8n_info`) and kept in this process. Vtiger
 * answers an operation it does not know with HTTP 500 and an empty body (test/engine/record/lineItemsExtension.test.ts,
 * "the extension removed after n8n found it"; older releases with UNKNOWN_OPERATION): either means not installed. Any other failure (network, login) is not remembered.
 */
export async function vtigerExtension(ctx: VtigerContext, itemIndex?: number): Promise<VtigerExtension> {
	const credentials = await ctx.getCredentials(VTIGER_CREDENTIAL_TYPE, itemIndex);
	const key = credentialKey(credentials);
	const now = Date.now();
	const cached = known.get(key);
	if (cached) {
		const extension = await cached.extension;
		if (extension.installed || now - cached.at < ABSENT_LIFETIME_MS) return extension;
	}
	const extension = vtigerApiRequest
		.call(ctx, 'n8n_info', {}, { itemIndex })
		.then((result): VtigerExtension => {
			const info = (result ?? {}) as IDataObject;
			if (info.module !== 'N8nConnector') return NOT_INSTALLED;
			return {
				installed: true,
				version: String(info.version ?? ''),
				operations: Array.isArray(info.operations) ? info.operations.map(String) : [],
			};
		})
		.catch((error: unknown): VtigerExtension => {
			const failure = failureOf(error);
			if (failure?.kind === 'crash' || failure?.code === 'UNKNOWN_OPERATION') return NOT_INSTALLED;
			throw error;
		});
	known.set(key, { at: now, extension });
	extension.catch(() => {
		if (known.get(key)?.extension === extension) known.delete(key);
	});
	return await extension;
}

/** Whether this CRM's extension offers the operation to this user. */
export async function extensionOffers(ctx: VtigerContext, operation: string, itemIndex?: number): Promise<boolean> {
	return (await vtigerExtension(ctx, itemIndex)).operations.includes(operation);
}
