import * as fs from 'node:fs';
import * as path from 'node:path';

import type { CredentialJson, WorkflowJson } from './n8n';
import { CREDENTIAL_TYPE, PACKAGE } from './workflow';
import { repoRoot } from './paths';

export const examplesDir = path.join(repoRoot, 'examples');

/** The example workflows' file names (examples/*.json), in a stable order. */
export function exampleFiles(): string[] {
	return fs
		.readdirSync(examplesDir)
		.filter((name) => name.endsWith('.json'))
		.sort();
}

/**
 * An example workflow exactly as a user imports it from examples/, with only the id of the "Vtiger account"
 * credential replaced by the given credential's (the files cannot know the id n8n gives it).
 */
export function loadExample(file: string, credential: CredentialJson): WorkflowJson {
	const workflow = JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8')) as WorkflowJson;
	for (const node of workflow.nodes) {
		const credentials = node.credentials as Record<string, { id: string; name: string }> | undefined;
		if (!String(node.type).startsWith(`${PACKAGE}.`)) continue;
		const reference = credentials?.[CREDENTIAL_TYPE];
		if (!reference || reference.name !== 'Vtiger account') {
			throw new Error(`${file}: node "${String(node.name)}" must use the credential "Vtiger account"`);
		}
		reference.id = credential.id;
	}
	return workflow;
}

/** True for a workflow started by the Vtiger Trigger (activated in a started n8n instead of run by the CLI). */
export function isTriggerWorkflow(workflow: WorkflowJson): boolean {
	return workflow.nodes.some((node) => node.type === `${PACKAGE}.vtigerTrigger`);
}
