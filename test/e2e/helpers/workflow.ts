import * as crypto from 'node:crypto';

import type { CredentialJson, WorkflowJson } from './n8n';

export const PACKAGE = 'n8n-nodes-vtigercrm';
export const VTIGER_NODE = `${PACKAGE}.vtiger`;
export const VTIGER_TRIGGER = `${PACKAGE}.vtigerTrigger`;
export const CREDENTIAL_TYPE = 'vtigerApi';
export const MANUAL_TRIGGER = 'When clicking ‘Execute workflow’';

/** n8n's ids for workflows and credentials: 16 alphanumerics. */
export function n8nId(): string {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	return Array.from(crypto.randomBytes(16), (b) => alphabet[b % alphabet.length]).join('');
}

export interface VtigerLogin {
	url: string;
	username: string;
	accessKey: string;
}

/** The credential's fields as the "Vtiger API" form stores them. */
export function credentialData(login: VtigerLogin): Record<string, unknown> {
	return { url: login.url, username: login.username, secretAccessKey: login.accessKey, ignoreSslIssues: false };
}

export function vtigerCredential(name: string, login: VtigerLogin, id = n8nId()): CredentialJson {
	return { id, name, type: CREDENTIAL_TYPE, data: credentialData(login) };
}

export interface StepNode {
	name: string;
	parameters: Record<string, unknown>;
	type?: string;
	typeVersion?: number;
	/** Continue On Fail as the editor saves it. */
	onError?: 'continueRegularOutput' | 'continueErrorOutput' | 'stopWorkflow';
	/** Settings › Execute Once. */
	executeOnce?: boolean;
}

/**
 * A workflow as the editor saves it: a manual trigger followed by the given nodes in a chain, each with
 * the Vtiger credential selected. Expressions in parameters (`={{ … }}`) let later steps use earlier results.
 */
export function chainWorkflow(name: string, credential: CredentialJson, steps: StepNode[], id = n8nId()): WorkflowJson {
	const nodes: Array<Record<string, unknown>> = [
		{
			id: crypto.randomUUID(),
			name: MANUAL_TRIGGER,
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
	];
	const connections: Record<string, unknown> = {};
	let previous = MANUAL_TRIGGER;
	steps.forEach((step, index) => {
		const type = step.type ?? VTIGER_NODE;
		nodes.push({
			id: crypto.randomUUID(),
			name: step.name,
			type,
			typeVersion: step.typeVersion ?? 1,
			position: [220 * (index + 1), 0],
			parameters: step.parameters,
			...(type.startsWith(PACKAGE) ? { credentials: { [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } } } : {}),
			...(step.onError ? { onError: step.onError } : {}),
			...(step.executeOnce ? { executeOnce: true } : {}),
		});
		connections[previous] = { main: [[{ node: step.name, type: 'main', index: 0 }]] };
		previous = step.name;
	});
	return { id, name, active: false, nodes, connections, settings: { executionOrder: 'v1' }, pinData: {} };
}

/** A workflow with the Vtiger Trigger as its start node, followed by nothing (its executions show what it emitted). */
export function triggerWorkflow(name: string, credential: CredentialJson, parameters: Record<string, unknown>, id = n8nId()): WorkflowJson {
	return {
		id,
		name,
		active: false,
		nodes: [
			{
				id: crypto.randomUUID(),
				name: 'Vtiger Trigger',
				type: VTIGER_TRIGGER,
				typeVersion: 1,
				position: [0, 0],
				parameters,
				credentials: { [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/**
 * A resource mapper value as the editor saves it after "Fields" was filled in (mode "Map Each Column
 * Manually"): the values plus the schema the editor loaded from the node's resourceMapping method.
 */
export function mapperValue(values: Record<string, string | number | boolean>): Record<string, unknown> {
	return {
		mappingMode: 'defineBelow',
		value: values,
		matchingColumns: [],
		schema: Object.keys(values).map((id) => ({
			id,
			displayName: id,
			required: false,
			defaultMatch: false,
			display: true,
			type: typeof values[id] === 'number' ? 'number' : typeof values[id] === 'boolean' ? 'boolean' : 'string',
			canBeUsedToMatch: false,
		})),
		attemptToConvertTypes: false,
		convertFieldsToString: false,
	};
}

export const byId = (value: string): Record<string, unknown> => ({ __rl: true, mode: 'id', value });
