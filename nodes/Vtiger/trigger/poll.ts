import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IN8nHttpFullResponse,
	INodeExecutionData,
	IPollFunctions,
} from 'n8n-workflow';

import { describeModule } from '../records/describe';
import { readVtigerResponse } from '../webservice/envelope';
import { failureFromThrown, failureOf, vtigerApiError } from '../webservice/errors';
import { readRecordOutput, shapeRecords } from '../records/output';
import { VTIGER_CREDENTIAL_TYPE } from '../webservice/session';
import { vtigerApiRequest } from '../webservice/transport';
import { webserviceUrl } from '../webservice/url';
import { computeChanges } from './changes';
import type { Change, FetchedWindow, TriggerEvent } from './changes';
import { initialState, readState, writeState } from './state';
import { fetchSyncWindow, parseSyncPage } from './syncPoller';
import { fetchVtqlWindow } from './vtqlPoller';
import { toEpochSeconds } from '../records/time';

const EVENTS: readonly TriggerEvent[] = ['created', 'updated', 'deleted'];
/**
 * A record is emitted once its modifiedtime is this many seconds behind Vtiger's clock (serverTime
 * of getchallenge) at the start of the read. Vtiger stamps modifiedtime when a save begins, commits the
 * record's tables and then goes on (after-save handlers, ModTracker, workflows, related tables): under a
 * burst of parallel saves a record can be read incomplete (fields null, filled a moment later) or become
 * readable after newer records of its second were read. On the lab the longest save under 4 parallel PHP
 * processes ended 2.2 s after its modifiedtime second began (trigger.burst.live.test.ts prints it).
 */
export const SETTLE_SECONDS = 3;
const MODULE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Polls of one trigger that overlap (a slow poll still running) would emit the same changes twice. */
const running = new WeakSet<IDataObject>();

function readModule(ctx: IPollFunctions): string {
	const module = String(ctx.getNodeParameter('module', '')).trim();
	if (!MODULE_NAME.test(module)) {
		throw new NodeOperationError(ctx.getNode(), `"${module}" is not a Vtiger module name`, {
			description: 'Choose the module to watch from the list.',
		});
	}
	return module;
}

function readEvents(ctx: IPollFunctions): TriggerEvent[] {
	const raw = ctx.getNodeParameter('events', []) as unknown;
	const events = (Array.isArray(raw) ? raw : []).filter((event): event is TriggerEvent =>
		EVENTS.includes(event as TriggerEvent),
	);
	if (events.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'Choose at least one event to watch');
	}
	return events;
}

/**
 * Vtiger's clock, without a session: getchallenge answers `serverTime` (02_auth_session.jsonl).
 * sync's lastModifiedTime is no clock: it is the time of the last change returned, or the requested
 * time echoed back when nothing changed (06_sync_patched_8081.jsonl, "modifiedTime in the future").
 */
export async function vtigerServerTime(ctx: IPollFunctions): Promise<number> {
	const credentials = (await ctx.getCredentials(VTIGER_CREDENTIAL_TYPE)) as ICredentialDataDecryptedObject;
	let outcome;
	try {
		const response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url: webserviceUrl(credentials.url),
			qs: { operation: 'getchallenge', username: String(credentials.username ?? '').trim() },
			headers: { Accept: 'application/json' },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			skipSslCertificateValidation: credentials.ignoreSslIssues === true,
		})) as IN8nHttpFullResponse;
		outcome = readVtigerResponse('getchallenge', response.statusCode, response.body);
	} catch (error) {
		throw vtigerApiError(ctx.getNode(), failureFromThrown('getchallenge', error), {
			secrets: [credentials.secretAccessKey, credentials.sessionName],
		});
	}
	if (!outcome.ok) {
		throw vtigerApiError(ctx.getNode(), outcome.failure, {
			secrets: [credentials.secretAccessKey, credentials.sessionName],
		});
	}
	const serverTime = Number((outcome.result as IDataObject | null)?.serverTime);
	if (!Number.isFinite(serverTime) || serverTime <= 0) {
		throw new NodeOperationError(ctx.getNode(), 'Vtiger "getchallenge" answered without a serverTime');
	}
	return Math.floor(serverTime);
}

function startFromOption(ctx: IPollFunctions): number | undefined {
	const value = ctx.getNodeParameter('options.startFrom', '') as unknown;
	if (value === '' || value === undefined || value === null) return undefined;
	// without an offset, the workflow's time zone (as every date-time the nodes read)
	const epoch = toEpochSeconds(value, ctx.getTimezone());
	if (epoch === undefined) {
		throw new NodeOperationError(ctx.getNode(), `"${String(value)}" is not a date`, {
			description: 'Start From needs a date and time.',
		});
	}
	return Math.max(1, epoch);
}

function isSyncCrash(error: unknown): boolean {
	const failure = failureOf(error);
	if (failure) return failure.kind === 'crash' || failure.httpCode === 500;
	return String((error as { httpCode?: unknown }).httpCode ?? '') === '500';
}

function asNodeError(ctx: IPollFunctions, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(ctx.getNode(), `Vtiger "sync" failed: ${message}`);
}

async function runVtql(ctx: IPollFunctions, vtql: string): Promise<IDataObject[]> {
	const result = await vtigerApiRequest.call(ctx, 'query', { query: vtql });
	if (!Array.isArray(result)) {
		throw new NodeOperationError(ctx.getNode(), 'Vtiger "query" answered without a list of records');
	}
	return result as IDataObject[];
}

async function readWindow(ctx: IPollFunctions, module: string, cursor: number): Promise<FetchedWindow> {
	const source = ctx.getNodeParameter('options.source', 'auto') as string;
	if (source !== 'query') {
		try {
			return await fetchSyncWindow(async (modifiedTime) => {
				const result = await vtigerApiRequest.call(ctx, 'sync', { modifiedTime, elementType: module });
				const page = parseSyncPage(result);
				if (!page) {
					throw new NodeOperationError(ctx.getNode(), 'Vtiger "sync" answered without "updated" and "lastModifiedTime"');
				}
				return page;
			}, cursor);
		} catch (error) {
			if (!isSyncCrash(error)) throw asNodeError(ctx, error);
			ctx.logger.debug(`Vtiger "sync" crashed for ${module}; reading changes with VTQL (deletions are not visible)`);
		}
	}
	return await fetchVtqlWindow(async (vtql) => await runVtql(ctx, vtql), module, cursor);
}

/** The changed records with the output Options applied (reference labels: one query per module and poll). */
async function shapeChanges(ctx: IPollFunctions, module: string, changes: Change[]): Promise<Change[]> {
	const output = readRecordOutput(ctx);
	const withRecords = changes.filter((change) => change.record);
	if ((!output.referenceLabels && !output.isoDateTimes) || withRecords.length === 0) return changes;
	const description = await describeModule(ctx, module);
	const shaped = await shapeRecords(ctx, description, withRecords.map((change) => change.record as IDataObject), output);
	const byChange = new Map(withRecords.map((change, index) => [change, shaped[index]]));
	return changes.map((change) => (byChange.has(change) ? { ...change, record: byChange.get(change) } : change));
}

function toItem(change: Change, module: string): INodeExecutionData {
	const json: IDataObject = { event: change.event, module };
	if (change.record) Object.assign(json, change.record);
	else json.id = change.id;
	json.event = change.event;
	json.module = module;
	return { json };
}

/** "Fetch Test Event": the module's most recently modified record; the cursor is not touched. */
async function latestRecord(ctx: IPollFunctions, module: string): Promise<INodeExecutionData[][]> {
	const rows = await runVtql(ctx, `SELECT * FROM ${module} ORDER BY modifiedtime DESC LIMIT 1;`);
	const record = rows[0];
	if (!record) {
		throw new NodeOperationError(ctx.getNode(), `No ${module} record found to use as a test event`, {
			description: `The ${module} module is empty (or holds nothing the credential's user may see). Create or change a record in Vtiger, then fetch again.`,
		});
	}
	const event: TriggerEvent = record.createdtime === record.modifiedtime ? 'created' : 'updated';
	const [change] = await shapeChanges(ctx, module, [{ event, id: String(record.id ?? ''), record }]);
	return [[toItem(change, module)]];
}

export async function pollVtiger(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const module = readModule(this);
	const events = readEvents(this);
	if (this.getMode() === 'manual') return await latestRecord(this, module);

	const staticData = this.getWorkflowStaticData('node');
	if (running.has(staticData)) return null;
	running.add(staticData);
	try {
		let state = readState(staticData, module);
		// Vtiger's clock before the read, when it is already known (first activation)
		let clockBeforeRead: number | undefined;
		if (!state) {
			const startFrom = startFromOption(this);
			if (startFrom === undefined) clockBeforeRead = await vtigerServerTime(this);
			state = initialState(module, startFrom ?? (clockBeforeRead as number));
			// Kept in memory; n8n saves static data only with an execution, so until the first change
			// is emitted a restart starts again from the server's "now".
			writeState(staticData, state);
		}
		const startedAt = Date.now();
		const window = await readWindow(this, module, state.cursor);
		// an idle poll costs one request: Vtiger's clock is asked only when there is something to settle
		if (window.records.length === 0 && window.deleted.length === 0) return null;
		let readStart = clockBeforeRead;
		if (readStart === undefined) {
			const serverTime = await vtigerServerTime(this);
			// the clock at the start of the read, at the latest (the read and this request took that long)
			readStart = serverTime - Math.ceil((Date.now() - startedAt) / 1000);
		}
		const { changes, next } = computeChanges(state, window, events, readStart - SETTLE_SECONDS);
		// shaped before the cursor moves: a failed label query must not lose the changes
		const shaped = await shapeChanges(this, module, changes);
		writeState(staticData, next);
		if (shaped.length === 0) return null;
		return [shaped.map((change) => toItem(change, module))];
	} finally {
		running.delete(staticData);
	}
}
