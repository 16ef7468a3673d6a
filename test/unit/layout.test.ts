/**
 * The house (DEVELOPERS.md, "Architecture"): the ground floor has two rooms, webservice/ (how a request reaches
 * Vtiger) and records/ (what a record is, built on the webservice); resources/, methods/ and the trigger live above
 * them. An import against that order is a file in the wrong room.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { INodePropertyOptions } from 'n8n-workflow';
import { dirname, join, relative, resolve } from 'node:path';

const NODE = resolve(__dirname, '../../nodes/Vtiger');

function sources(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
	);
}

/** `records/fields.ts imports webservice/operations` for every relative import of the node's code. */
function imports(): Array<{ from: string; to: string }> {
	return sources(NODE).flatMap((file) =>
		[...readFileSync(file, 'utf8').matchAll(/\bfrom\s+'(\.[^']*)'/g)].map((match) => ({
			from: relative(NODE, file),
			to: relative(NODE, resolve(dirname(file), match[1])),
		})),
	);
}

const room = (path: string): string => path.split('/')[0];

describe('the house', () => {
	const all = imports();

	it('reads the imports of the node code', () => {
		expect(all.filter(({ from }) => room(from) === 'records').length).toBeGreaterThan(20);
	});

	it('webservice/ imports only from itself', () => {
		expect(all.filter(({ from, to }) => room(from) === 'webservice' && room(to) !== 'webservice')).toEqual([]);
	});

	it('records/ imports only from itself and webservice/', () => {
		expect(
			all.filter(({ from, to }) => room(from) === 'records' && !['records', 'webservice'].includes(room(to))),
		).toEqual([]);
	});

	it('methods/ and trigger/ import nothing from resources/', () => {
		expect(all.filter(({ from, to }) => ['methods', 'trigger'].includes(room(from)) && room(to) === 'resources')).toEqual([]);
	});

	it('a resource imports no other resource', () => {
		const resource = (path: string) => path.split('/').slice(0, 2).join('/');
		expect(
			all.filter(({ from, to }) => room(from) === 'resources' && room(to) === 'resources' && resource(from) !== resource(to)),
		).toEqual([]);
	});
});

describe('every operation of the Vtiger node', () => {
	const { Vtiger } = require('../../nodes/Vtiger/Vtiger.node') as typeof import('../../nodes/Vtiger/Vtiger.node');
	const pickers = new Vtiger().description.properties.filter((property) => property.name === 'operation');
	const operations = pickers.flatMap((picker) =>
		(picker.options ?? []).map((option) => ({ resource: picker.displayOptions?.show?.resource?.[0], option: option as INodePropertyOptions })),
	);

	it('is found', () => {
		expect(operations.length).toBeGreaterThanOrEqual(25);
	});

	it('goes through the pagination hook, where the envelope is handled (vtigerRouting)', () => {
		const missing = operations.filter(({ option }) => option.routing?.send?.paginate !== true || !option.routing?.operations?.pagination);
		expect(missing.map(({ resource, option }) => `${String(resource)} › ${option.value}`)).toEqual([]);
	});
});
