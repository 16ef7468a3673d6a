/**
 * The live suite's target: a real Vtiger named by the environment (never guessed from a port).
 *   VTIGER_URL, VTIGER_USERNAME, VTIGER_ACCESS_KEY        required; without them every live test is skipped
 *   VTIGER_USERNAME2, VTIGER_ACCESS_KEY2                    optional second, non-admin user
 *   VTIGER_SESSION_DIR                                       optional: the server's PHP session folder
 *                                                            (sess_<sessionName> files) for expiry tests
 * The suite touches only records it creates: every one carries `liveTag()` in a text field and is deleted
 * by `cleanup()` (records left by a crashed run are found by the tag prefix and deleted too).
 */
import type { INodeType } from 'n8n-workflow';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';

import { createHarness, type Harness, type HarnessOptions } from '../harness';

export interface LiveTarget {
	url: string;
	username: string;
	accessKey: string;
	user2?: { username: string; accessKey: string };
	sessionDir?: string;
}

export function liveTarget(): LiveTarget | undefined {
	const { VTIGER_URL, VTIGER_USERNAME, VTIGER_ACCESS_KEY } = process.env;
	if (!VTIGER_URL || !VTIGER_USERNAME || !VTIGER_ACCESS_KEY) return undefined;
	const { VTIGER_USERNAME2, VTIGER_ACCESS_KEY2, VTIGER_SESSION_DIR } = process.env;
	return {
		url: VTIGER_URL,
		username: VTIGER_USERNAME,
		accessKey: VTIGER_ACCESS_KEY,
		user2:
			VTIGER_USERNAME2 && VTIGER_ACCESS_KEY2
				? { username: VTIGER_USERNAME2, accessKey: VTIGER_ACCESS_KEY2 }
				: undefined,
		sessionDir: VTIGER_SESSION_DIR || undefined,
	};
}

const target = liveTarget();

/** `describe` that runs only when a live target is configured (and says so when it is not). */
export const describeLive: jest.Describe = target
	? describe
	: (((name: string, fn: () => void) =>
			describe.skip(`${String(name)} (skipped: VTIGER_URL, VTIGER_USERNAME, VTIGER_ACCESS_KEY not set)`, fn)) as unknown as jest.Describe);

/** The tag every record of this run carries; `LIVE_TAG_PREFIX` finds leftovers of earlier runs. */
export const LIVE_TAG_PREFIX = 'n8nlive';
const runTag = `${LIVE_TAG_PREFIX}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
export function liveTag(suffix = ''): string {
	return suffix ? `${runTag}-${suffix}` : runTag;
}

const DIST = resolve(__dirname, '../../dist/nodes/Vtiger');

/** The built nodes (dist/), as n8n loads them from the installed package. `npm run test:live` builds first. */
export function builtNodeTypes(): Record<string, INodeType> {
	if (!existsSync(`${DIST}/Vtiger.node.js`)) {
		throw new Error(`dist/ is missing: run "npm run build" (npm run test:live does it)`);
	}
	const { Vtiger } = require(`${DIST}/Vtiger.node.js`) as { Vtiger: new () => INodeType };
	const { VtigerTrigger } = require(`${DIST}/VtigerTrigger.node.js`) as { VtigerTrigger: new () => INodeType };
	return { vtiger: new Vtiger(), vtigerTrigger: new VtigerTrigger() };
}

/** A harness on the live target with the built nodes and the built credential. */
export function liveHarness(user: 'admin' | 'user2' = 'admin', extra: Partial<HarnessOptions> = {}): Harness {
	if (!target) throw new Error('no live target configured');
	const who = user === 'user2' ? target.user2 : { username: target.username, accessKey: target.accessKey };
	if (!who) throw new Error('VTIGER_USERNAME2 / VTIGER_ACCESS_KEY2 not set');
	const { VtigerApi } = require(resolve(__dirname, '../../dist/credentials/VtigerApi.credentials.js')) as {
		VtigerApi: new () => HarnessOptions['credentialType'];
	};
	return createHarness({
		baseUrl: target.url,
		username: who.username,
		accessKey: who.accessKey,
		nodeTypes: builtNodeTypes(),
		credentialType: new VtigerApi(),
		...extra,
	});
}
