// PHP 7.4 and 8.0 without installing PHP: WordPress Playground's PHP compiled to WebAssembly, from the npm packages
// @php-wasm/node-7-4 and @php-wasm/node-8-0 (dev dependencies; Debian 12 has no PHP 7.4 package). It runs PHP's own
// CLI, so `php -l` and the unit checks behave as under a native PHP of that version.
//   node scripts/php-wasm.mjs 7.4 [PHP ARGUMENTS...]   like `php ARGUMENTS`; only the current folder is visible to PHP
//   node scripts/php-wasm.mjs 7.4 --lint FILE...       `php -l` of each file (a fresh PHP each, as separate `php -l`
//                                                      runs; the compiled WebAssembly is reused, about 0.1 s a file)
// Exits with PHP's exit code (with --lint: 255 when any file failed), 2 when this PHP version cannot be loaded.
import { readFileSync } from 'node:fs';

const [version, ...args] = process.argv.slice(2);
const fail = (message) => {
	console.error(`php-wasm: ${message}`);
	process.exit(2);
};
if (!/^\d\.\d$/.test(version ?? '')) fail('usage: node scripts/php-wasm.mjs 7.4|8.0 [--lint FILE...|PHP ARGUMENTS...]');
const pkg = `@php-wasm/node-${version.replace('.', '-')}`;
let build;
let universal;
try {
	build = await import(pkg);
	universal = await import('@php-wasm/universal');
} catch (error) {
	fail(`PHP ${version} is not installed (${pkg}: ${error.message.split('\n')[0]}); npm ci installs the dev dependencies`);
}
const { loadPHPRuntime, PHP, __private__dont__use: runtimeOf } = universal;
const loader = await build.getPHPLoaderModule();
// compiled once: each PHP below only instantiates it
const compiled = await WebAssembly.compile(readFileSync(loader.dependencyFilename));
const cwd = process.cwd();

async function text(stream) {
	const parts = [];
	for await (const chunk of stream) parts.push(Buffer.from(chunk));
	return Buffer.concat(parts).toString('utf8');
}

/** One run of PHP's CLI with `argv`, in a new PHP that sees the current folder; resolves to its exit code. */
async function cli(argv) {
	const id = await loadPHPRuntime(loader, {
		// Emscripten's default ends the whole process when PHP exits
		quit(_code, error) {
			throw error;
		},
		instantiateWasm(imports, done) {
			WebAssembly.instantiate(compiled, imports).then((instance) => done(instance, compiled));
			return {};
		},
	});
	const php = new PHP(id);
	const { FS } = php[runtimeOf];
	FS.mkdirTree(cwd);
	FS.mount(FS.filesystems.NODEFS, { root: cwd }, cwd);
	php.chdir(cwd);
	const response = await php.cli(['php', ...argv]);
	const [stdout, stderr, code] = await Promise.all([text(response.stdout), text(response.stderr), response.exitCode]);
	process.stdout.write(stdout);
	process.stderr.write(stderr);
	return code & 255;
}

if (args[0] === '--lint') {
	let status = 0;
	for (const file of args.slice(1)) {
		if ((await cli(['-l', file])) !== 0) status = 255;
	}
	process.exitCode = status;
} else {
	process.exitCode = await cli(args);
}
