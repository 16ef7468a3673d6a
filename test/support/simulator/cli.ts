/**
 * npm run simulator -- --port 8099 [--profile stock-8.3-php8] [--seed] [--idle 1440] [--extensions]
 * --extensions also installs the n8n Connector extension (connector.ts: n8n_subscribe … and signed webhook
 * deliveries after every write, to 127.0.0.1/localhost URLs, which the administrator's allow-list admits).
 * --extensions registers the seed article's extension operation `gettranslation` (totranslate, a JSON list of
 * labels; language, e.g. ru_ru; module), for trying the Custom Operation: as GET, like the lab registers it
 * (operation 39, ../shared/lab README), so its parameters are read from the query string only.
 */
import { Profile, startSimulator } from './index';

const TRANSLATIONS: Record<string, Record<string, string>> = {
	ru_ru: { SINGLE_Contacts: 'Контакт', Contacts: 'Контакты', SINGLE_Leads: 'Обращение', Leads: 'Обращения' },
	de_de: { SINGLE_Contacts: 'Person', Contacts: 'Personen', SINGLE_Leads: 'Lead', Leads: 'Leads' },
};

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
	if (process.argv.includes('--extensions')) {
		sim.installConnector();
		sim.registerOperation('gettranslation', 'GET', (params) => {
			// the lab's GetTranslation.php: no (or undecodable) totranslate is an empty list, a scalar a list of one
			let list: unknown = null;
			try {
				list = JSON.parse(params.totranslate ?? '');
			} catch {
				list = null;
			}
			if (list === null || list === '') list = [];
			if (!Array.isArray(list)) list = typeof list === 'object' ? Object.values(list as object) : [list];
			const table = TRANSLATIONS[params.language ?? ''] ?? {};
			const keys = (list as unknown[]).map(String);
			// PHP's empty array is JSON []
			if (!keys.length) return [];
			return Object.fromEntries(keys.map((key) => [key, table[key] ?? key]));
		});
	}
	process.stdout.write(
		JSON.stringify({
			url: sim.url,
			username: sim.admin.username,
			accessKey: sim.admin.accessKey,
			username2: sim.user.username,
			accessKey2: sim.user.accessKey,
		}) + '\n',
	);
	const stop = () => void sim.stop().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((e: Error) => {
	process.stderr.write(`${e.message}\n`);
	process.exit(1);
});
