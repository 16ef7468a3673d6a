/**
 * `npm run demo`: the package inside real n8n, against the Vtiger simulator, ready to click through.
 * Builds and packs the package, installs n8n once into ~/.cache/n8n-nodes-vtigercrm, starts the simulator
 * (seeded) and n8n on 127.0.0.1, imports a "Vtiger (simulator)" credential and the demo workflows,
 * then waits until Ctrl+C.
 */
import globalSetup from '../test/e2e/globalSetup';
import { demoWorkflows } from '../test/e2e/helpers/demoWorkflows';
import { N8n, OWNER } from '../test/e2e/helpers/n8n';
import { startSimulatorCli } from '../test/e2e/helpers/simulator';
import { vtigerCredential } from '../test/e2e/helpers/workflow';

async function main(): Promise<void> {
	const n8nPort = Number(process.env.DEMO_N8N_PORT ?? 5678);
	const simPort = Number(process.env.DEMO_SIMULATOR_PORT ?? 8099);
	globalSetup();
	const sim = await startSimulatorCli(['--seed'], simPort);
	const n8n = await N8n.create('demo', { port: n8nPort });
	const credential = vtigerCredential('Vtiger (simulator)', {
		url: sim.url.replace(/\/webservice\.php$/, ''),
		username: sim.username,
		accessKey: sim.accessKey,
	});
	await n8n.importCredentials([credential]);
	await n8n.importWorkflows(demoWorkflows(credential));
	await n8n.start();
	const stop = async (): Promise<void> => {
		await n8n.stop();
		await sim.stop();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());
	process.stdout.write(
		[
			'',
			`Vtiger simulator: ${sim.url} (user ${sim.username}, access key ${sim.accessKey})`,
			`n8n 2.41.1:       ${n8n.baseUrl}  (sign in as ${OWNER.email} / ${OWNER.password})`,
			`user folder:      ${n8n.userFolder}`,
			'The credential "Vtiger (simulator)" and the demo workflows are imported. Ctrl+C stops both.',
			'',
		].join('\n'),
	);
}

main().catch((error: unknown) => {
	process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
	process.exit(1);
});
