import type { IDataObject } from 'n8n-workflow';

/**
 * Everything the next poll needs, kept in the node's static data (saved by n8n with each execution,
 * so it survives a restart). Bounded: `pendingCreated` and `deletedIds` hold only records of the last
 * few (unsettled) seconds, the legacy boundary only the records of one second.
 */
export interface TriggerState {
	/** The module the state belongs to: another module starts afresh. */
	module: string;
	/**
	 * Vtiger's clock (epoch seconds): every change modified before this second has been emitted; the
	 * next poll reads from this second on.
	 */
	cursor: number;
	/**
	 * Records created before `cursor` whose creation was not emitted yet: they were changed again in an
	 * unsettled second, so the next poll emits them as created.
	 */
	pendingCreated: string[];
	/**
	 * Deletions already emitted whose second may be `cursor` or later (sync says which page a deletion is
	 * on, not its time): a re-read skips them. Each is kept while its page's end (`deletedUntil`, same
	 * order) is not before the cursor.
	 */
	deletedIds: string[];
	deletedUntil: number[];
	/**
	 * State saved by versions before the settle delay: the records of second `boundaryTime` (= the
	 * cursor) they emitted, with the fingerprint of the version emitted ('' = any content). Empty once
	 * the cursor has moved past that second.
	 */
	boundaryTime: string;
	boundaryIds: string[];
	boundaryFingerprints: string[];
}

const STATE_KEY = 'vtigerTrigger';
/** Marks state whose cursor means "the first second not emitted" (older state: "the last second read"). */
const VERSION = 2;

function isStringArray(value: unknown): value is string[] {
	return Array.isArray(value) && value.every((entry) => typeof entry === 'string');
}

function isNumberArray(value: unknown): value is number[] {
	return Array.isArray(value) && value.every((entry) => typeof entry === 'number' && Number.isFinite(entry));
}

export function readState(staticData: IDataObject, module: string): TriggerState | undefined {
	const raw = staticData[STATE_KEY];
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
	const state = raw as IDataObject;
	if (
		state.module !== module ||
		typeof state.cursor !== 'number' ||
		!Number.isFinite(state.cursor) ||
		!isStringArray(state.deletedIds)
	) {
		return undefined;
	}
	const boundaryIds = isStringArray(state.boundaryIds) ? state.boundaryIds : [];
	const boundaryFingerprints =
		isStringArray(state.boundaryFingerprints) && state.boundaryFingerprints.length === boundaryIds.length
			? state.boundaryFingerprints
			: boundaryIds.map(() => '');
	const boundaryTime = typeof state.boundaryTime === 'string' ? state.boundaryTime : '';
	if (state.version === VERSION) {
		const deletedUntil =
			isNumberArray(state.deletedUntil) && state.deletedUntil.length === state.deletedIds.length
				? state.deletedUntil
				: state.deletedIds.map(() => state.cursor as number);
		return {
			module,
			cursor: state.cursor,
			pendingCreated: isStringArray(state.pendingCreated) ? [...state.pendingCreated] : [],
			deletedIds: [...state.deletedIds],
			deletedUntil: [...deletedUntil],
			boundaryTime,
			boundaryIds: [...boundaryIds],
			boundaryFingerprints: [...boundaryFingerprints],
		};
	}
	// Older state: its cursor is the last second read, whose records in boundaryIds were emitted; its
	// deletedIds are those of the page that ended at the cursor. Read again from that second on.
	return {
		module,
		cursor: state.cursor,
		pendingCreated: [],
		deletedIds: [...state.deletedIds],
		deletedUntil: state.deletedIds.map(() => state.cursor as number),
		boundaryTime,
		boundaryIds: [...boundaryIds],
		boundaryFingerprints: [...boundaryFingerprints],
	};
}

export function writeState(staticData: IDataObject, state: TriggerState): void {
	for (const key of Object.keys(staticData)) delete staticData[key];
	const saved: IDataObject = {
		version: VERSION,
		module: state.module,
		cursor: state.cursor,
		pendingCreated: [...state.pendingCreated],
		deletedIds: [...state.deletedIds],
		deletedUntil: [...state.deletedUntil],
	};
	if (state.boundaryIds.length > 0) {
		saved.boundaryTime = state.boundaryTime;
		saved.boundaryIds = [...state.boundaryIds];
		saved.boundaryFingerprints = [...state.boundaryFingerprints];
	}
	staticData[STATE_KEY] = saved;
}

export function initialState(module: string, cursor: number): TriggerState {
	return {
		module,
		cursor,
		pendingCreated: [],
		deletedIds: [],
		deletedUntil: [],
		boundaryTime: '',
		boundaryIds: [],
		boundaryFingerprints: [],
	};
}
