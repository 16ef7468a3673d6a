import type { IDataObject } from 'n8n-workflow';

/**
 * Everything the next poll needs, kept in the node's static data (saved by n8n with each execution,
 * so it survives a restart). Bounded: `boundaryIds` (and their fingerprints) hold only the records last
 * modified in the cursor's second, `deletedIds` only the deletions of the last `sync` page.
 */
export interface TriggerState {
	/** The module the state belongs to: another module starts afresh. */
	module: string;
	/** Vtiger's own clock (epoch seconds): every change up to this second has been seen. */
	cursor: number;
	/** The latest `modifiedtime` already emitted (Vtiger's text) and the records carrying it. */
	boundaryTime: string;
	boundaryIds: string[];
	/**
	 * The fingerprint of each boundary record as emitted (same order as `boundaryIds`): a record saved
	 * again in that same second keeps its modifiedtime, only its content differs. '' (state saved before
	 * fingerprints existed) matches any content: such a record is not emitted again, as before.
	 */
	boundaryFingerprints: string[];
	/** Deleted ids from the last `sync` page: the overlap may return them once more. */
	deletedIds: string[];
}

const STATE_KEY = 'vtigerTrigger';

function isStringArray(value: unknown): value is string[] {
	return Array.isArray(value) && value.every((entry) => typeof entry === 'string');
}

export function readState(staticData: IDataObject, module: string): TriggerState | undefined {
	const raw = staticData[STATE_KEY];
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
	const state = raw as IDataObject;
	if (
		state.module !== module ||
		typeof state.cursor !== 'number' ||
		!Number.isFinite(state.cursor) ||
		typeof state.boundaryTime !== 'string' ||
		!isStringArray(state.boundaryIds) ||
		!isStringArray(state.deletedIds)
	) {
		return undefined;
	}
	const fingerprints =
		isStringArray(state.boundaryFingerprints) && state.boundaryFingerprints.length === state.boundaryIds.length
			? state.boundaryFingerprints
			: state.boundaryIds.map(() => '');
	return {
		module,
		cursor: state.cursor,
		boundaryTime: state.boundaryTime,
		boundaryIds: [...state.boundaryIds],
		boundaryFingerprints: [...fingerprints],
		deletedIds: [...state.deletedIds],
	};
}

export function writeState(staticData: IDataObject, state: TriggerState): void {
	for (const key of Object.keys(staticData)) delete staticData[key];
	staticData[STATE_KEY] = {
		module: state.module,
		cursor: state.cursor,
		boundaryTime: state.boundaryTime,
		boundaryIds: [...state.boundaryIds],
		boundaryFingerprints: [...state.boundaryFingerprints],
		deletedIds: [...state.deletedIds],
	};
}

export function initialState(module: string, cursor: number): TriggerState {
	return { module, cursor, boundaryTime: '', boundaryIds: [], boundaryFingerprints: [], deletedIds: [] };
}

export function sameState(a: TriggerState, b: TriggerState): boolean {
	return (
		a.module === b.module &&
		a.cursor === b.cursor &&
		a.boundaryTime === b.boundaryTime &&
		a.boundaryIds.join(',') === b.boundaryIds.join(',') &&
		a.boundaryFingerprints.join(',') === b.boundaryFingerprints.join(',') &&
		a.deletedIds.join(',') === b.deletedIds.join(',')
	);
}
