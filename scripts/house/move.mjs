#!/usr/bin/env node
/**
 * The house move (issue 20), mechanical part: every `git mv` of the ground floor into its two rooms, of the
 * helpers that are not resources, of the tests into their levels and of the support code apart, then every
 * import path, `__dirname` path and repository path in code, scripts, configs and documents rewritten.
 *
 *   node scripts/house/move.mjs [--dry-run]
 *
 * Re-runnable on a newer main: it reads the tree as it is, moves what the tables below name, and stops before
 * touching anything when a file it does not know sits where it sorts files (a new file in nodes/Vtiger/shared/ or
 * a new test/*.test.ts): add it to a table and run it again. Idempotent: a second run finds nothing to move.
 * After merging a branch that still uses the old places, run it again (`--dirty-ok` inside a merge): it moves what
 * landed at an old place and rewrites imports and paths that name places the tables moved.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const DRY = process.argv.includes('--dry-run');
const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });

// ---------------------------------------------------------------------------------------------------------------
// The tables
// ---------------------------------------------------------------------------------------------------------------

/** How a request reaches Vtiger: knows operations, sessions and envelopes, nothing about records. */
const WEBSERVICE = 'nodes/Vtiger/webservice';
/** What a record is: describe, fields, ids, time, VTQL, input and output of records; builds on the webservice. */
const RECORDS = 'nodes/Vtiger/records';

const ROOM_OF_SHARED = {
	// the webservice room
	url: WEBSERVICE,
	operations: WEBSERVICE,
	envelope: WEBSERVICE,
	errors: WEBSERVICE,
	explain: WEBSERVICE,
	session: WEBSERVICE,
	sessionPool: WEBSERVICE,
	lanes: WEBSERVICE,
	concurrency: WEBSERVICE,
	keyedLock: WEBSERVICE,
	transport: WEBSERVICE,
	routing: WEBSERVICE,
	requestOptions: WEBSERVICE,
	multipart: WEBSERVICE,
	extension: WEBSERVICE,
	// the records room
	describe: RECORDS,
	fields: RECORDS,
	time: RECORDS,
	ids: RECORDS,
	vtql: RECORDS,
	references: RECORDS,
	output: RECORDS,
	input: RECORDS,
	paging: RECORDS,
	properties: RECORDS,
};

/** Single files (and folders) that move; a source that is gone is reported, not an error (a re-run). */
const FILE_MOVES = [
	// not resources: what methods/ also needs goes to the records room, the record resource's helpers beside it
	['nodes/Vtiger/resources/lineItems/inventory.ts', `${RECORDS}/inventory.ts`],
	['nodes/Vtiger/resources/related/relation.ts', `${RECORDS}/relation.ts`],
	['nodes/Vtiger/resources/lineItems/lineItems.ts', 'nodes/Vtiger/resources/record/lineItems.ts'],
	['nodes/Vtiger/resources/related/query.ts', 'nodes/Vtiger/resources/record/relatedQuery.ts'],
	['nodes/Vtiger/resources/related/pager.ts', 'nodes/Vtiger/resources/record/relatedPager.ts'],
	['nodes/Vtiger/resources/related/getRelatedModules.ts', 'nodes/Vtiger/resources/module/getRelatedModules.ts'],
	// what two resources share lives on the ground floor (record's Convert Lead picks a user; user's operations
	// and Custom Operation explain the same missing handler files)
	['nodes/Vtiger/resources/user/common.ts', `${RECORDS}/users.ts`],
	['nodes/Vtiger/resources/customOperation/explain.ts', `${WEBSERVICE}/missingHandler.ts`],
	// support code apart from the tests
	['test/harness', 'test/support/harness'],
	['test/simulator', 'test/support/simulator'],
	['test/fixtures', 'test/support/fixtures'],
	['test/images.ts', 'test/support/images.ts'],
	// the suites with their own configuration keep it beside them
	['jest.live.config.js', 'test/live/jest.config.js'],
	['jest.e2e.config.js', 'test/e2e/jest.config.js'],
];

/** test/*.test.ts by level. unit: no engine, no server; engine: the nodes through the n8n engine against the
 * simulator; conformance: the simulator and the recordings against what the real Vtiger answered. */
const TEST_MOVES = {
	'trigger.logic': 'unit/trigger/changes',
	'aiTool': 'engine/node/aiTool',
	'methods': 'engine/node/methods',
	'customOperation': 'engine/node/customOperation',
	'module': 'engine/node/module',
	'output': 'engine/node/output',
	'calendar': 'engine/record/calendar',
	'file': 'engine/record/downloadFile',
	'uploadFile': 'engine/record/uploadFile',
	'lead': 'engine/record/convertLead',
	'lineItems': 'engine/record/lineItems',
	'record.changes': 'engine/record/getChanges',
	'record.crud': 'engine/record/crud',
	'record.polish': 'engine/record/moduleKinds',
	'record.query': 'engine/record/query',
	'related': 'engine/record/related',
	'upsert': 'engine/record/upsert',
	'credential': 'engine/webservice/credential',
	'session': 'engine/webservice/session',
	'sessionPool': 'engine/webservice/sessionPool',
	'transport': 'engine/webservice/transport',
	'transport.kill': 'engine/webservice/killedSessions',
	'trigger.engine': 'engine/trigger/poll',
	'trigger.modes': 'engine/trigger/modes',
	'trigger.sameSecond': 'engine/trigger/sameSecond',
	'conformance': 'conformance/recordings',
	'simulator': 'conformance/simulator',
	'vtql-engine': 'conformance/vtql',
	'fixtures': 'conformance/fixtures',
	// files other branches add
	'instantTrigger': 'engine/trigger/instant',
	'lineItems.extension': 'engine/record/lineItemsExtension',
	'descriptions': 'unit/descriptions',
	'extension.package': 'unit/extensionPackage',
	'time.property': 'engine/record/timeProperty',
	'time.roundTrip': 'engine/record/timeRoundTrip',
	'trigger.burst': 'engine/trigger/burst',
	'trigger.settle': 'engine/trigger/settle',
};

/** A moved jest config: where its <rootDir> must point (the repository). */
const JEST_CONFIG_ROOTDIR = { 'test/live/jest.config.js': '../..', 'test/e2e/jest.config.js': '../..' };

// ---------------------------------------------------------------------------------------------------------------

function fail(message) {
	console.error(`move: ${message}`);
	process.exit(1);
}

const status = git('status', '--porcelain');
if (status.trim() !== '' && !process.argv.includes('--dirty-ok')) fail(`the tree is not clean:\n${status}`);

/** Every file git knows or would know (tracked + untracked, not ignored). */
function listFiles() {
	return git('ls-files', '-co', '--exclude-standard', '-z').split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f)));
}

// 1. the moves, from the tables and the tree as it is
const moves = [];
const unknown = [];
const files = listFiles();
for (const file of files) {
	let m = /^nodes\/Vtiger\/shared\/([^/]+)\.ts$/.exec(file);
	if (m) {
		const room = ROOM_OF_SHARED[m[1]];
		if (!room) unknown.push(`${file}: which room? add it to ROOM_OF_SHARED`);
		else moves.push([file, `${room}/${m[1]}.ts`]);
		continue;
	}
	m = /^test\/([^/]+)\.test\.ts$/.exec(file);
	if (m) {
		const to = TEST_MOVES[m[1]];
		if (!to) unknown.push(`${file}: which level? add it to TEST_MOVES`);
		else moves.push([file, `test/${to}.test.ts`]);
	}
}
for (const name of files.filter((f) => f.startsWith('nodes/Vtiger/shared/') && !f.endsWith('.ts'))) {
	unknown.push(`${name}: not TypeScript in nodes/Vtiger/shared/`);
}
for (const [from, to] of FILE_MOVES) {
	if (existsSync(join(ROOT, from))) moves.push([from, to]);
	else if (!existsSync(join(ROOT, to))) unknown.push(`${from}: gone, and ${to} does not exist either`);
}
for (const file of files.filter((f) => /^nodes\/Vtiger\/resources\/(lineItems|related)\//.test(f))) {
	if (!moves.some(([from]) => from === file)) unknown.push(`${file}: a new helper of lineItems/related: add it to FILE_MOVES`);
}
if (unknown.length > 0) fail(`files the tables do not place (nothing was changed):\n  ${unknown.join('\n  ')}`);
if (moves.length === 0) console.log('move: nothing to move; rewriting paths that still name the old places');

/** Where a repository path goes: the longest move whose source is it or a folder above it. */
function mapPath(repoPath) {
	let best;
	for (const [from, to] of moves) {
		if ((repoPath === from || repoPath.startsWith(`${from}/`)) && (!best || from.length > best[0].length)) best = [from, to];
	}
	return best ? best[1] + repoPath.slice(best[0].length) : repoPath;
}
const abs = (p) => join(ROOT, p);
const rel = (p) => relative(ROOT, p).split('\\').join('/');

// 2. read every code file and resolve its relative specifiers and __dirname paths against the old tree
const CODE = /\.(ts|js|mjs|cjs)$/;
const TEXT = /(\.(ts|js|mjs|cjs|json|md|sh|py|yml|yaml|txt)|^\.ci\/run|^\.gitignore|^\.npmrc)$/;
const SKIP = /^(test\/fixtures\/vtiger-8\.3\/transcripts\/|test\/support\/fixtures\/vtiger-8\.3\/transcripts\/|package-lock\.json$|bench\/lab\/)/;

/** Every move the tables name, done or not: a file merged in later still imports the old places. */
const TABLE_MOVES = [
	...Object.entries(ROOM_OF_SHARED).map(([name, room]) => [`nodes/Vtiger/shared/${name}.ts`, `${room}/${name}.ts`]),
	...Object.entries(TEST_MOVES).map(([name, to]) => [`test/${name}.test.ts`, `test/${to}.test.ts`]),
	...FILE_MOVES,
];

function resolveSpecifier(fromFile, spec) {
	const base = resolve(dirname(abs(fromFile)), spec);
	for (const suffix of ['', '.ts', '.js', '.json', '/index.ts', '/index.js']) {
		const candidate = base + suffix;
		if (existsSync(candidate) && statSync(candidate).isFile()) return { target: rel(candidate), suffix };
	}
	// an old place that is gone: where the tables moved it
	for (const suffix of ['', '.ts', '.js', '.json', '/index.ts', '/index.js']) {
		const old = rel(base + suffix);
		for (const [from, to] of TABLE_MOVES) {
			if (old !== from && !old.startsWith(`${from}/`)) continue;
			const moved = to + old.slice(from.length);
			if (existsSync(abs(moved)) && statSync(abs(moved)).isFile()) return { target: moved, suffix };
		}
	}
	return undefined;
}

function relativeSpecifier(fromFile, targetFile, suffix) {
	let target = targetFile;
	if (suffix && target.endsWith(suffix)) target = target.slice(0, -suffix.length);
	let spec = posix.relative(posix.dirname(fromFile), target);
	if (!spec.startsWith('.')) spec = `./${spec}`;
	return spec;
}

const SPECIFIER = /(\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|\bjest\.(?:mock|requireActual|doMock|unmock)\s*\(\s*|^import\s+)(['"])(\.{1,2}\/[^'"]*|\.{1,2})\2/gm;
const DIRNAME_PATH = /\b(resolve|join)\(\s*__dirname\s*((?:,\s*'[^']*'\s*)+)\)/g;

const rewritten = new Map(); // new path -> content
for (const file of files) {
	if (!CODE.test(file) || SKIP.test(file) || file.startsWith('node_modules/') || file.startsWith('dist/')) continue;
	const source = readFileSync(abs(file), 'utf8');
	const newFile = mapPath(file);
	let out = source.replace(SPECIFIER, (whole, lead, quote, spec) => {
		const found = resolveSpecifier(file, spec);
		if (!found) return whole;
		const next = relativeSpecifier(newFile, mapPath(found.target), found.suffix);
		return next === spec ? whole : `${lead}${quote}${next}${quote}`;
	});
	out = out.replace(DIRNAME_PATH, (whole, fn, args) => {
		const parts = [...args.matchAll(/'([^']*)'/g)].map((a) => a[1]);
		const target = resolve(dirname(abs(file)), ...parts);
		const inside = !relative(ROOT, target).startsWith('..');
		const newTarget = inside ? abs(mapPath(rel(target))) : target;
		const next = posix.relative(dirname(abs(newFile)), newTarget) || '.';
		const old = posix.relative(dirname(abs(file)), target) || '.';
		return next === old ? whole : `${fn}(__dirname, '${next}')`;
	});
	if (out !== source) rewritten.set(newFile, out);
}

// 3. repository paths in text: every moved path, longest first, where it stands as a path of its own
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// the tables' moves too: prose merged in later still names the old places
const textMoves = [...moves, ...TABLE_MOVES.filter(([from]) => !moves.some(([done]) => done === from))].sort(
	(a, b) => b[0].length - a[0].length,
);
const mapText = (from) => mapPath(from) !== from ? mapPath(from) : textMoves.find(([old]) => old === from)[1];
const REPO_PATH = new RegExp(
	`(?<![\\w.\\-])(?<![\\w.]/)(${textMoves.map(([from]) => escape(from)).join('|')})(?![\\w\\-])`,
	'g',
);
const sharedNames = Object.keys(ROOM_OF_SHARED);
const SHORT_SHARED = sharedNames.length
	? new RegExp(`(?<![\\w.\\-/])shared/(${sharedNames.map(escape).join('|')})(\\.ts)?(?![\\w\\-])`, 'g')
	: undefined;
const leftovers = [];
for (const file of files) {
	if (!TEXT.test(file) || SKIP.test(file) || file.startsWith('scripts/house/')) continue;
	const newFile = mapPath(file);
	const source = rewritten.get(newFile) ?? readFileSync(abs(file), 'utf8');
	let out = source.replace(REPO_PATH, (_, from) => mapText(from));
	if (SHORT_SHARED) {
		out = out.replace(SHORT_SHARED, (_, name, ext) => `${ROOM_OF_SHARED[name].replace('nodes/Vtiger/', '')}/${name}${ext ?? ''}`);
	}
	if (JEST_CONFIG_ROOTDIR[newFile] && !/\brootDir:/.test(out)) {
		out = out.replace(/module\.exports = \{\n/, `module.exports = {\n\trootDir: '${JEST_CONFIG_ROOTDIR[newFile]}',\n`);
	}
	for (const [n, line] of out.split('\n').entries()) {
		if (/nodes\/Vtiger\/shared\b|resources\/(lineItems|related)\b/.test(line)) leftovers.push(`${newFile}:${n + 1}: ${line.trim()}`);
	}
	if (out !== source) rewritten.set(newFile, out);
}

// 4. move, then write
for (const [from, to] of moves) console.log(`git mv ${from} ${to}`);
if (DRY) {
	console.log(`\n${rewritten.size} files would be rewritten`);
	process.exit(0);
}
for (const [from, to] of moves) {
	mkdirSync(dirname(abs(to)), { recursive: true });
	git('mv', from, to);
}
for (const [file, content] of rewritten) writeFileSync(abs(file), content);
console.log(`\n${moves.length} moves, ${rewritten.size} files rewritten`);
if (leftovers.length) {
	console.log(`\nmentions of the old folders left for a person (prose that names the whole old folder):`);
	for (const line of leftovers) console.log(`  ${line}`);
}
