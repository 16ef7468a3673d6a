/**
 * `npm run demo [-- --serve]`: the package inside a real n8n (2.41.1; N8N_VERSION picks another), the way n8n loads a community package
 * (the packed tarball in the user folder's nodes/node_modules), against the seeded Vtiger simulator, or
 * against a real CRM when VTIGER_URL, VTIGER_USERNAME and VTIGER_ACCESS_KEY are set.
 *
 * It imports a "Vtiger account" credential and the example workflows of examples/ (only the credential id
 * is rewritten), starts n8n and activates the trigger workflows, runs the other examples with
 * `n8n execute --id`, prints what each node did, waits for the trigger's executions that pick up those
 * changes and prints them, then stops everything. With --serve, n8n and the simulator keep running for
 * clicking through (Ctrl+C stops them).
 *
 * Against a real CRM the examples only read, and change only the records they create themselves.
 * Ports: --serve uses 5678 (n8n) and 8099 (simulator), otherwise free ones; DEMO_N8N_PORT and
 * DEMO_SIMULATOR_PORT override (0 = a free one). Workflows run in GENERIC_TIMEZONE, else the machine's zone,
 * and the demo says which. Stopping (the end of the run, or Ctrl+C with --serve) removes n8n's folder.
 */
import * as fs from 'node:fs';

import globalSetup from '../test/e2e/globalSetup';
import { exampleFiles, isTriggerWorkflow, loadExample } from '../test/e2e/helpers/examples';
import { N8n, OWNER, type ExecutionResult, type WorkflowJson } from '../test/e2e/helpers/n8n';
import { n8nVersion } from '../test/e2e/helpers/paths';
import { startSimulatorCli } from '../test/e2e/helpers/simulator';
import { vtigerCredential } from '../test/e2e/helpers/workflow';

type Json = Record<string, unknown>;

const serve = process.argv.includes('--serve');
const started = Date.now();
const say = (line = ''): boolean => process.stdout.write(`${line}\n`);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
/** The zone n8n runs workflows in (its own default would be America/New_York). */
const timezone = process.env.GENERIC_TIMEZONE || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Runs a step, saying every 15 s that it is still running, so a slow step is never silent. */
async function ticking<T>(what: string, step: () => Promise<T>): Promise<T> {
	const t0 = Date.now();
	const timer = setInterval(() => say(`  … ${what}: ${seconds(Date.now() - t0)}`), 15000);
	try {
		return await step();
	} finally {
		clearInterval(timer);
	}
}

function port(variable: string, servePort: number): number | undefined {
	const value = process.env[variable];
	const chosen = value !== undefined && value !== '' ? Number(value) : serve ? servePort : 0;
	return chosen > 0 ? chosen : undefined;
}

/** A record's name as Vtiger shows it in lists. */
function label(record: Json): string {
	const name = [record.firstname, record.lastname].filter((part) => typeof part === 'string' && part).join(' ');
	const text = name || record.accountname || record.potentialname || record.subject || record.ticket_title || record.user_name;
	return text ? `"${String(text)}"` : '';
}

function mapperValues(parameters: Json, name = 'columns'): Json {
	const mapper = parameters[name] as { value?: Json } | undefined;
	return mapper?.value ?? {};
}

/** One line saying what a Vtiger node did, from its parameters and the items it output. */
function describeNode(node: Json, items: Json[]): string {
	const parameters = (node.parameters ?? {}) as Json;
	const module = String(parameters.module ?? '');
	const first = items[0] ?? {};
	switch (`${String(parameters.resource)}.${String(parameters.operation)}`) {
		case 'user.getCurrent':
			return `signed in as ${String(first.user_name)} (user ${String(first.id)})`;
		case 'record.create':
			return `created ${module} ${String(first.id)} ${label(first)}${first.company ? ` (${String(first.company)})` : ''}`;
		case 'record.getAll':
		case 'record.query':
			return `found ${items.length} ${module} record(s): ${items.map((item) => `${String(item.id)} ${label(item)}`).join(', ')}`;
		case 'record.update':
		case 'record.replace': {
			const fields = Object.keys(mapperValues(parameters)).map((field) => `${field} = "${String(first[field])}"`);
			return `updated ${String(first.id)} ${label(first)}: ${fields.join(', ')}`;
		}
		case 'record.upsert':
			return items.map((item) => `${String(item._operation)} ${String(item.id)} ${label(item)}`).join(', ');
		case 'record.convertLead': {
			const made = [
				['organization', first.organizationId],
				['contact', first.contactId],
				['opportunity', first.opportunityId],
			].filter(([, id]) => id);
			return `converted lead ${String(first.leadId)} into ${made.map(([what, id]) => `${what} ${String(id)}`).join(', ')}`;
		}
		default:
			return `${items.length} item(s)`;
	}
}

/** Prints each node's line of a CLI run; returns the run's items per node. */
function report(workflow: WorkflowJson, result: ExecutionResult | undefined): Record<string, Json[]> {
	const outputs: Record<string, Json[]> = {};
	const runData = result?.data.resultData.runData ?? {};
	for (const node of workflow.nodes) {
		const name = String(node.name);
		const run = runData[name]?.[0];
		if (!run || !String(node.type).startsWith('n8n-nodes-vtigercrm.')) continue;
		if (run.error) {
			say(`  ✗ ${name}: ${run.error.message ?? 'failed'}${run.error.description ? ` (${run.error.description})` : ''}`);
			continue;
		}
		const items = (run.data?.main?.[0] ?? []).map((item) => item.json);
		outputs[name] = items;
		say(`  ✓ ${name}: ${describeNode(node, items)}`);
	}
	const error = result?.data.resultData.error;
	if (error && !Object.values(runData).some((runs) => runs[0]?.error)) say(`  ✗ ${error.message ?? 'the run failed'}`);
	return outputs;
}

interface MadeRecord {
	module: string;
	id: string;
	/** how the example made it, for the trigger's lines */
	how: string;
}

/** The records a node of an example made, with their module (convertLead's three ids name theirs). */
function madeRecords(name: string, parameters: Json, items: Json[]): MadeRecord[] {
	const module = String(parameters.module ?? '');
	switch (parameters.operation) {
		case 'create':
			return items.map((item) => ({ module, id: String(item.id), how: `made by "${name}"` }));
		case 'upsert':
			return items.map((item) => ({ module, id: String(item.id), how: `${String(item._operation ?? 'written')} by "${name}"` }));
		case 'convertLead':
			return items.flatMap((item) =>
				(
					[
						['Accounts', item.organizationId, 'organization'],
						['Contacts', item.contactId, 'contact'],
						['Potentials', item.opportunityId, 'opportunity'],
					] as const
				)
					.filter(([, id]) => id)
					.map(([made, id, what]) => ({ module: made, id: String(id), how: `the ${what} "${name}" made from lead ${String(item.leadId)}` })),
			);
		default:
			return [];
	}
}

async function main(): Promise<void> {
	const real = ['VTIGER_URL', 'VTIGER_USERNAME', 'VTIGER_ACCESS_KEY'].filter((name) => process.env[name]);
	if (real.length > 0 && real.length < 3) throw new Error('set all of VTIGER_URL, VTIGER_USERNAME and VTIGER_ACCESS_KEY, or none');

	// the e2e suite's globalSetup has built and packed already when it runs the demo (DEMO_SKIP_SETUP=1)
	if (process.env.DEMO_SKIP_SETUP !== '1') {
		say(`Building and packing the package, checking the n8n ${process.env.N8N_VERSION ?? '2.41.1'} install …`);
		globalSetup();
	}
	const crm =
		real.length === 3
			? {
					url: String(process.env.VTIGER_URL),
					username: String(process.env.VTIGER_USERNAME),
					accessKey: String(process.env.VTIGER_ACCESS_KEY),
					stop: async () => undefined,
				}
			: await startSimulatorCli(['--seed', '--extensions'], port('DEMO_SIMULATOR_PORT', 8099) ?? 0);
	const n8n = await N8n.create('demo', { port: port('DEMO_N8N_PORT', 5678), env: { GENERIC_TIMEZONE: timezone } });
	let stopping: Promise<void> | undefined;
	const stopAll = async (keepFolder = false): Promise<void> => {
		stopping ??= (async () => {
			await n8n.stop();
			await crm.stop();
			if (!keepFolder) fs.rmSync(n8n.userFolder, { recursive: true, force: true });
		})();
		await stopping;
	};
	// Ctrl+C at any point stops n8n (its own process group) and removes its folder
	let failed = false;
	const onSignal = (): void => {
		say();
		say('Stopping n8n and the simulator …');
		void stopAll().then(() => process.exit(failed ? 1 : 0));
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	try {
		const credential = vtigerCredential('Vtiger account', {
			url: crm.url.replace(/\/webservice\.php$/, ''),
			username: crm.username,
			accessKey: crm.accessKey,
		});
		const workflows = exampleFiles().map((file) => ({ file, workflow: loadExample(file, credential) }));
		say();
		say(`Vtiger:  ${real.length === 3 ? `${crm.url} (your CRM, user ${crm.username})` : `simulator ${crm.url} (seeded)`}`);
		const importing = Date.now();
		await ticking('importing into n8n', async () => {
			await n8n.importCredentials([credential]);
			await n8n.importWorkflows(workflows.map(({ workflow }) => workflow));
		});
		say(`Imported the credential "Vtiger account" and ${workflows.length} workflows from examples/ (${seconds(Date.now() - importing)})`);
		const starting = Date.now();
		await ticking('starting n8n', async () => await n8n.start());
		say(`n8n:     ${n8n.baseUrl} (${n8nVersion(n8n.state)}, package from ${n8n.userFolder}/.n8n/nodes; started in ${seconds(Date.now() - starting)})`);
		say(`Time zone of the workflows: ${timezone} (${process.env.GENERIC_TIMEZONE ? 'GENERIC_TIMEZONE' : "this machine's; set GENERIC_TIMEZONE for another"}); Vtiger's own times are UTC`);

		const triggers = workflows.filter(({ workflow }) => isTriggerWorkflow(workflow));
		for (const { file, workflow } of triggers) {
			await n8n.activateWorkflow(workflow.id);
			say(`Activated "${workflow.name}" (${file}): it polls Vtiger every minute from now on`);
		}

		// the records the examples made, by module: what the trigger of that module should pick up
		const made: MadeRecord[] = [];
		for (const { file, workflow } of workflows.filter((entry) => !isTriggerWorkflow(entry.workflow))) {
			say();
			say(`▶ n8n execute --id=${workflow.id}   "${workflow.name}" (${file})`);
			const t0 = Date.now();
			const run = await ticking('n8n execute', async () => await n8n.execute(workflow.id));
			const outputs = report(workflow, run.result);
			say(`  ${run.code === 0 ? 'finished' : 'FAILED'} in ${seconds(Date.now() - t0)}`);
			if (run.code !== 0) failed = true;
			for (const [name, items] of Object.entries(outputs)) {
				const node = workflow.nodes.find((n) => n.name === name);
				made.push(...madeRecords(name, (node?.parameters ?? {}) as Json, items));
			}
		}

		for (const { workflow } of triggers) {
			say();
			const module = String((workflow.nodes[0].parameters as Json).module);
			const expected = new Map<string, string>();
			for (const record of made.filter((entry) => entry.module === module)) {
				if (!expected.has(record.id)) expected.set(record.id, record.how);
			}
			if (expected.size === 0) {
				say(`Trigger "${workflow.name}": the examples made no ${module} record, nothing to wait for`);
				continue;
			}
			say(`⏳ Waiting for "${workflow.name}" to poll (every minute) and pick up ${module} ${[...expected.keys()].join(', ')} …`);
			const t0 = Date.now();
			const shown = new Set<string>();
			const pickedUp = new Set<string>();
			let told = t0;
			while (pickedUp.size < expected.size && Date.now() - t0 < 100000) {
				if (Date.now() - told >= 15000) {
					told = Date.now();
					say(`  … waiting for the next poll: ${seconds(told - t0)}`);
				}
				const list = await n8n.waitForExecutions(workflow.id, () => true, 10000);
				const finished = list.filter((e) => !shown.has(e.id) && e.status !== 'running' && e.status !== 'new').reverse();
				for (const summary of finished) {
					shown.add(summary.id);
					const execution = await n8n.getExecution(summary.id);
					const items = (execution.data.resultData.runData['Vtiger Trigger']?.[0]?.data?.main?.[0] ?? []).map((item) => item.json);
					const error = execution.data.resultData.error?.message;
					say(`  execution ${summary.id} (${execution.mode}, ${execution.status}) ${seconds(Date.now() - t0)} later, ${error ?? `${items.length} item(s)`}:`);
					// on a shared CRM others' changes arrive too: name the demo's, count the rest
					const others = items.filter((item) => !expected.has(String(item.id)));
					for (const item of items.filter((entry) => expected.has(String(entry.id)))) {
						pickedUp.add(String(item.id));
						say(`    ${String(item.event)} ${module} ${String(item.id)} ${label(item)}  ← ${String(expected.get(String(item.id)))}`);
					}
					if (others.length > 0) say(`    and ${others.length} other change(s) in the CRM: ${others.slice(0, 3).map((item) => `${String(item.event)} ${String(item.id)} ${label(item)}`).join(', ')}${others.length > 3 ? ', …' : ''}`);
				}
				if (pickedUp.size < expected.size) await new Promise((resolve) => setTimeout(resolve, 2000));
			}
			const missed = [...expected.keys()].filter((id) => !pickedUp.has(id));
			if (missed.length > 0) {
				say(`  ✗ the trigger did not pick up ${missed.join(', ')} within ${seconds(Date.now() - t0)}`);
				failed = true;
			}
		}

		say();
		if (serve) {
			say(`n8n keeps running: open ${n8n.baseUrl} and sign in as ${OWNER.email} / ${OWNER.password}`);
			if (real.length < 3) {
				say(`Simulator: ${crm.url} (user ${crm.username}, access key ${crm.accessKey}); it also answers the`);
				say('extension operation "gettranslation" for trying Custom Operation › Call.');
			}
			say(`Ctrl+C stops n8n and the simulator and removes n8n's folder (${n8n.userFolder}) with what you did in it.`);
			return;
		}
		await stopAll(failed);
		say(
			failed
				? `Demo finished with errors (marked ✗ above) in ${seconds(Date.now() - started)}; n8n's folder is kept: ${n8n.userFolder}`
				: `Demo finished in ${seconds(Date.now() - started)}: n8n${real.length === 3 ? ' is' : ' and the simulator are'} stopped.`,
		);
		say('Import the workflows of examples/ into your own n8n: see examples/README.md. `npm run demo -- --serve` keeps n8n running.');
		process.exit(failed ? 1 : 0);
	} catch (error) {
		await stopAll(true);
		throw error;
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
	process.exit(1);
});
