// Builds the Vtiger extension module (vtiger-extension/) into dist/vtiger-extension/N8nConnector-<version>.zip,
// the package an administrator imports in Settings > Module Management > Import Module (manifest.xml at the
// zip root). Uses only Node's own zlib: deflated entries with a fixed date, so the same sources give the same zip.
// The version in manifest.xml and in N8nConnector::VERSION must equal package.json's.
import { readFileSync, readdirSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { deflateRawSync, crc32 } from 'node:zlib';

const root = join(import.meta.dirname, '..');
const source = join(root, 'vtiger-extension');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const fail = (message) => {
	console.error(`build-extension: ${message}`);
	process.exit(1);
};

const manifest = readFileSync(join(source, 'manifest.xml'), 'utf8');
const manifestVersion = /<version>([^<]*)<\/version>/.exec(manifest)?.[1];
if (manifestVersion !== version) fail(`manifest.xml says version ${manifestVersion}, package.json ${version}`);
const classVersion = /const VERSION = '([^']*)'/.exec(
	readFileSync(join(source, 'modules/N8nConnector/N8nConnector.php'), 'utf8'),
)?.[1];
if (classVersion !== version) fail(`N8nConnector::VERSION is ${classVersion}, package.json ${version}`);

// what Vtiger's importer extracts (vtlib/Vtiger/PackageImport.php initImport): the manifest, modules/, settings/
// (into modules/Settings/<name>/), languages/, layouts/; nothing else is shipped
const shipped = ['manifest.xml', 'modules', 'settings', 'languages', 'layouts'];
const files = [];
const walk = (path) => {
	if (statSync(path).isDirectory()) {
		for (const name of readdirSync(path).sort()) walk(join(path, name));
	} else {
		files.push(relative(source, path).split(sep).join('/'));
	}
};
for (const top of shipped) {
	try {
		statSync(join(source, top));
	} catch {
		continue;
	}
	walk(join(source, top));
}

// 1980-01-01 00:00 in MS-DOS time: a fixed date keeps the zip reproducible
const dosTime = 0;
const dosDate = (0 << 9) | (1 << 5) | 1;
const locals = [];
const centrals = [];
let offset = 0;
for (const name of files) {
	const data = readFileSync(join(source, name));
	const packed = deflateRawSync(data, { level: 9 });
	const nameBytes = Buffer.from(name, 'utf8');
	const crc = crc32(data);
	const local = Buffer.alloc(30);
	local.writeUInt32LE(0x04034b50, 0);
	local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
	local.writeUInt16LE(0x0800, 6); // UTF-8 names
	local.writeUInt16LE(8, 8); // deflate
	local.writeUInt16LE(dosTime, 10);
	local.writeUInt16LE(dosDate, 12);
	local.writeUInt32LE(crc, 14);
	local.writeUInt32LE(packed.length, 18);
	local.writeUInt32LE(data.length, 22);
	local.writeUInt16LE(nameBytes.length, 26);
	local.writeUInt16LE(0, 28);
	const central = Buffer.alloc(46);
	central.writeUInt32LE(0x02014b50, 0);
	central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
	central.writeUInt16LE(20, 6);
	central.writeUInt16LE(0x0800, 8);
	central.writeUInt16LE(8, 10);
	central.writeUInt16LE(dosTime, 12);
	central.writeUInt16LE(dosDate, 14);
	central.writeUInt32LE(crc, 16);
	central.writeUInt32LE(packed.length, 20);
	central.writeUInt32LE(data.length, 24);
	central.writeUInt16LE(nameBytes.length, 28);
	central.writeUInt32LE(((0o100644 << 16) >>> 0), 38); // -rw-r--r--
	central.writeUInt32LE(offset, 42);
	locals.push(local, nameBytes, packed);
	centrals.push(central, nameBytes);
	offset += local.length + nameBytes.length + packed.length;
}
const centralSize = centrals.reduce((sum, b) => sum + b.length, 0);
const end = Buffer.alloc(22);
end.writeUInt32LE(0x06054b50, 0);
end.writeUInt16LE(files.length, 8);
end.writeUInt16LE(files.length, 10);
end.writeUInt32LE(centralSize, 12);
end.writeUInt32LE(offset, 16);

const outDir = join(root, 'dist', 'vtiger-extension');
mkdirSync(outDir, { recursive: true });
const out = join(outDir, `N8nConnector-${version}.zip`);
writeFileSync(out, Buffer.concat([...locals, ...centrals, end]));
console.log(`build-extension: ${relative(root, out)} (${files.length} files)`);
