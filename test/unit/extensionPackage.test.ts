/**
 * The Vtiger extension (vtiger-extension/) as a package: the zip `npm run build` makes is what Vtiger's
 * Module Management imports (manifest.xml at its root, the module's files beside it, the version of
 * package.json), and its PHP passes `php -l` and the unit checks of test/php (skipped, saying so, where php-cli is
 * missing; CI installs it). The live test (test/live/extension.live.test.ts) installs the zip into a real Vtiger.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const ROOT = resolve(__dirname, '../..');
const SOURCE = join(ROOT, 'vtiger-extension');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The entries of a zip, read from its central directory (an independent reader: not the build's writer). */
function readZip(zip: Buffer): Map<string, Buffer> {
	const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
	expect(end).toBeGreaterThan(0);
	const count = zip.readUInt16LE(end + 10);
	let at = zip.readUInt32LE(end + 16);
	const entries = new Map<string, Buffer>();
	for (let i = 0; i < count; i++) {
		expect(zip.readUInt32LE(at)).toBe(0x02014b50);
		const method = zip.readUInt16LE(at + 10);
		const packedSize = zip.readUInt32LE(at + 20);
		const nameLength = zip.readUInt16LE(at + 28);
		const extraLength = zip.readUInt16LE(at + 30);
		const commentLength = zip.readUInt16LE(at + 32);
		const local = zip.readUInt32LE(at + 42);
		const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
		const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
		const packed = zip.subarray(dataAt, dataAt + packedSize);
		entries.set(name, method === 8 ? inflateRawSync(packed) : Buffer.from(packed));
		at += 46 + nameLength + extraLength + commentLength;
	}
	return entries;
}

function sourceFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory() ? sourceFiles(path) : [relative(SOURCE, path).split('\\').join('/')];
	});
}

describe('Vtiger extension package', () => {
	test('the build makes an importable zip: manifest.xml at the root, the version of package.json, every module file', () => {
		const out = execFileSync(process.execPath, [join(ROOT, 'scripts/build-extension.mjs')], { encoding: 'utf8' });
		expect(out).toContain(`dist/vtiger-extension/N8nConnector-${VERSION}.zip`);
		const zip = readFileSync(join(ROOT, 'dist/vtiger-extension', `N8nConnector-${VERSION}.zip`));
		const entries = readZip(zip);
		const manifest = entries.get('manifest.xml')?.toString('utf8') ?? '';
		expect(manifest).toContain('<name>N8nConnector</name>');
		expect(manifest).toContain('<type>extension</type>');
		expect(manifest).toContain(`<version>${VERSION}</version>`);
		// Vtiger's importer accepts an extension with a vtiger_version dependency of at least 6.0.0rc
		expect(/<vtiger_version>([^<]+)<\/vtiger_version>/.exec(manifest)?.[1]).toMatch(/^[6-9]\./);
		const shipped = sourceFiles(SOURCE).filter((f) => /^(manifest\.xml|modules\/|settings\/|languages\/|layouts\/)/.test(f));
		expect([...entries.keys()].sort()).toEqual(shipped.sort());
		for (const name of shipped) expect(entries.get(name)?.equals(readFileSync(join(SOURCE, name)))).toBe(true);
		expect(entries.has('modules/N8nConnector/N8nConnector.php')).toBe(true);
		expect(entries.has('languages/en_us/N8nConnector.php')).toBe(true);
		// the same sources give the same bytes
		execFileSync(process.execPath, [join(ROOT, 'scripts/build-extension.mjs')]);
		expect(readFileSync(join(ROOT, 'dist/vtiger-extension', `N8nConnector-${VERSION}.zip`)).equals(zip)).toBe(true);
	});

	const php = spawnSync('php', ['-v'], { encoding: 'utf8' });
	const phpTest = php.status === 0 ? test : test.skip;
	phpTest(`PHP: php -l of every file and the unit checks of test/php${php.status === 0 ? '' : ' (skipped: php-cli not installed)'}`, () => {
		const run = spawnSync('bash', [join(ROOT, 'scripts/php-check.sh')], { encoding: 'utf8' });
		const output = `${run.stdout}${run.stderr}`;
		if (run.status !== 0) throw new Error(output);
		expect(output).toMatch(/php -l of \d+ files with [\d.]+: clean/);
		expect(output).toMatch(/php units: \d+ passed, 0 failed/);
	});
});
