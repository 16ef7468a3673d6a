/**
 * The Vtiger extension (vtiger-extension/) as a package: the zip `npm run build` makes is what Vtiger's
 * Module Management imports (manifest.xml at its root, the module's files beside it, the version of
 * package.json), and its PHP passes `php -l` and the unit checks of test/php under PHP 7.4 and 8.0 (WebAssembly
 * builds from npm, scripts/php-wasm.mjs) and under the php on PATH (skipped, saying so, where php-cli is missing;
 * CI installs it). The live test (test/live/extension.live.test.ts) installs the zip into a real Vtiger.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

	/** scripts/php-check.sh with one PHP: its output, and the test fails with that output when it fails. */
	function phpCheck(target: string): string {
		const run = spawnSync('bash', [join(ROOT, 'scripts/php-check.sh'), target], { encoding: 'utf8' });
		const output = `${run.stdout}${run.stderr}`;
		if (run.status !== 0) throw new Error(output);
		return output;
	}

	// PHP 7.4 and 8.0 from npm (@php-wasm/node-7-4, -8-0: PHP compiled to WebAssembly), the oldest PHP the extension supports
	test('PHP 7.4 (WebAssembly): php -l of every file, the unit checks of test/php, and every function, class and type the extension names exists in PHP 7.4 or is Vtiger\'s', () => {
		const output = phpCheck('7.4');
		expect(output).toMatch(/php -l of \d+ files with 7\.4\.\d+: clean/);
		expect(output).toMatch(/php units: [1-9]\d* passed, 0 failed(, \d+ skipped)? \(PHP 7\.4\.\d+\)/);
		expect(output).toMatch(/php-compat: [1-9]\d* names used in [1-9]\d* files with PHP 7\.4\.\d+: all known/);
	}, 180000);

	test('PHP 8.0 (WebAssembly): php -l of every file and the unit checks of test/php', () => {
		const output = phpCheck('8.0');
		expect(output).toMatch(/php -l of \d+ files with 8\.0\.\d+: clean/);
		expect(output).toMatch(/php units: [1-9]\d* passed, 0 failed(, \d+ skipped)? \(PHP 8\.0\.\d+\)/);
	}, 180000);

	test('php -l of PHP 7.4 rejects the syntax PHP 8.0 added, which php -l of PHP 8.0 accepts', () => {
		const snippets: Record<string, string> = {
			'match.php': 'echo match (1) { 1 => "a", default => "b" };',
			'nullsafe.php': '$a = null; echo $a?->b;',
			'named-arguments.php': 'echo str_pad(string: "a", length: 3);',
			'union-type.php': 'function f(int|string $a) { return $a; }',
			'static-return-type.php': 'class A { public function f(): static { return $this; } }',
			'trailing-comma-in-parameters.php': 'function f($a, $b,) { return $a; }',
			'throw-expression.php': '$a = $b ?? throw new Exception("x");',
			'catch-without-variable.php': 'try { f(); } catch (Exception) { }',
			'constructor-promotion.php': 'class P { public function __construct(private int $x) {} }',
		};
		const dir = mkdtempSync(join(tmpdir(), 'php-syntax-'));
		try {
			for (const [name, code] of Object.entries(snippets)) writeFileSync(join(dir, name), `<?php\n${code}\n`);
			const lint = (version: string) =>
				spawnSync(process.execPath, [join(ROOT, 'scripts/php-wasm.mjs'), version, '--lint', ...Object.keys(snippets)], {
					cwd: dir,
					encoding: 'utf8',
				});
			const php74 = lint('7.4');
			expect(php74.status).toBe(255);
			const php80 = lint('8.0');
			expect(php80.status).toBe(0);
			for (const name of Object.keys(snippets)) {
				expect(php74.stdout).toMatch(new RegExp(`Parse error: syntax error, .* in ${name.replace('.', '\\.')} on line 2`));
				expect(php80.stdout).toContain(`No syntax errors detected in ${name}`);
			}
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}, 120000);

	test('the PHP 7.4 check reports each PHP 8 function, class and type written in PHP 7.4 syntax, and nothing PHP 7.4 or Vtiger has', () => {
		const run = spawnSync(
			process.execPath,
			[join(ROOT, 'scripts/php-wasm.mjs'), '7.4', 'scripts/php-compat.php', 'test/php/fixtures/php8-names.php'],
			{ cwd: ROOT, encoding: 'utf8' },
		);
		expect(run.stderr).toBe('');
		expect(run.status).toBe(1);
		const reported = run.stdout
			.split('\n')
			.map((line) => /^test\/php\/fixtures\/php8-names\.php:(\d+): (.+?): not in PHP 7\.4\.\d+,/.exec(line))
			.filter((match) => match !== null)
			.map((match) => `${match[1]} ${match[2]}`);
		expect(reported).toEqual([
			'5 class Stringable',
			'7 type mixed',
			'16 type mixed',
			'16 type never',
			'29 function str_contains()',
			'30 function str_starts_with()',
			'30 function str_ends_with()',
			'31 function get_debug_type()',
			'32 function array_is_list()',
			'33 function fdiv()',
			'34 function preg_last_error_msg()',
			'35 function json_validate()',
			'36 class WeakMap',
			'37 class Attribute',
			'40 class ValueError',
		]);
		expect(run.stdout).toMatch(/php-compat: \d+ names used in 1 files with PHP 7\.4\.\d+: 15 unknown/);
	}, 120000);

	const php = spawnSync(process.env.PHP ?? 'php', ['-v'], { encoding: 'utf8' });
	const phpTest = php.status === 0 ? test : test.skip;
	phpTest(`PHP on PATH (php-cli, 8.2 on Debian 12): php -l of every file and the unit checks of test/php${php.status === 0 ? '' : ' (skipped: php-cli not installed)'}`, () => {
		const output = phpCheck('native');
		expect(output).toMatch(/php -l of \d+ files with [\d.]+: clean/);
		expect(output).toMatch(/php units: [1-9]\d* passed, 0 failed/);
	});
});
