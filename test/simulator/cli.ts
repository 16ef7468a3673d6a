/** npm run simulator -- --port 8099 [--profile stock-8.3-php8] [--seed] [--idle 1440] */
import { Profile, startSimulator } from './index';

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	return i !== -1 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
	const profile = (arg('profile') ?? 'positional') as Profile;
	if (!['positional', 'stock-8.3-php8', 'salesplatform'].includes(profile)) throw new Error(`unknown profile ${profile}`);
	const sim = await startSimulator({
		port: Number(arg('port') ?? 0),
		profile,
		seed: process.argv.includes('--seed'),
		sessionIdleSeconds: arg('idle') ? Number(arg('idle')) : undefined,
	});
	process.stdout.write(JSON.stringify({ url: sim.url, username: sim.admin.username, accessKey: sim.admin.accessKey }) + '\n');
	const stop = () => void sim.stop().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((e: Error) => {
	process.stderr.write(`${e.message}\n`);
	process.exit(1);
});
