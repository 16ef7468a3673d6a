/** Small helpers the live topic files share (the contract itself is env.ts). */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { Harness, RunNodeResult } from '../support/harness';

export const rl = (value: string, mode = 'id') => ({ __rl: true, mode, value });

/** Runs the Vtiger node once with these parameters. */
export async function runVtiger(
	h: Harness,
	parameters: IDataObject,
	items?: IDataObject[],
	continueOnFail = false,
): Promise<RunNodeResult> {
	return await h.runNode({ type: 'vtiger', parameters: parameters as INodeParameters, items, continueOnFail });
}

/** `columns` of a field mapper filled "define below". */
export const mapped = (value: IDataObject) => ({ mappingMode: 'defineBelow', value, matchingColumns: [] });

/** The message a user sees for a failed run (the error's message and description). */
export const shown = (r: RunNodeResult): string =>
	[r.error?.message, (r.error as { description?: string } | undefined)?.description, ...r.errors].filter(Boolean).join(' | ');

/** How the node reports a record that is gone or out of reach (Vtiger answers ACCESS_DENIED for all of them). */
export const GONE = '(ACCESS_DENIED|RECORD_NOT_FOUND|does not exist|may not see)';
