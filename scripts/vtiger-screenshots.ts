/**
 * The README's screenshots of the Vtiger side of the n8n Connector extension, taken from a real Vtiger with the
 * extension installed (the lab: bash scripts/live.sh extension), signed in as an administrator through the web UI:
 *   docs/screenshots/vtiger-module-management.png   Settings › Module Management, the extension listed
 *   docs/screenshots/vtiger-n8n-connector.png       Settings › Integration › n8n Connector
 * Usage: VTIGER_URL=http://127.0.0.1:8080 VTIGER_USERNAME=admin VTIGER_PASSWORD=… \
 *   bash scripts/node24.sh node node_modules/tsx/dist/cli.mjs scripts/vtiger-screenshots.ts
 * Needs Debian's chromium (scripts/chromium.sh).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { openBrowser } from '../test/e2e/helpers/browser';

const base = (process.env.VTIGER_URL ?? '').replace(/\/webservice\.php$/, '').replace(/\/+$/, '');
const username = process.env.VTIGER_USERNAME ?? '';
const password = process.env.VTIGER_PASSWORD ?? '';
const out = path.resolve(__dirname, '../docs/screenshots');

async function main(): Promise<void> {
	if (!base || !username || !password) throw new Error('set VTIGER_URL, VTIGER_USERNAME and VTIGER_PASSWORD');
	fs.mkdirSync(out, { recursive: true });
	const browser = await openBrowser();
	try {
		const page = await browser.context.newPage();
		await page.goto(`${base}/index.php`);
		await page.fill('input[name="username"]', username);
		await page.fill('input[name="password"]', password);
		await Promise.all([page.waitForLoadState('networkidle'), page.press('input[name="password"]', 'Enter')]);

		await page.goto(`${base}/index.php?module=ModuleManager&parent=Settings&view=List`);
		const listed = page.getByText('n8n Connector').first();
		await listed.waitFor({ timeout: 30000 });
		await listed.scrollIntoViewIfNeeded();
		await page.waitForTimeout(500);
		await page.screenshot({ path: path.join(out, 'vtiger-module-management.png') });

		await page.goto(`${base}/index.php?module=N8nConnector&parent=Settings&view=Index`);
		await page.getByText('n8n Connector').first().waitFor({ timeout: 30000 });
		await page.waitForLoadState('networkidle');
		await page.screenshot({ path: path.join(out, 'vtiger-n8n-connector.png') });
		process.stdout.write(`screenshots in ${out}\n`);
	} finally {
		await browser.close();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
	process.exit(1);
});
