/**
 * The node descriptions as n8n loads them: the built package (dist/, rebuilt here when a source is newer), every
 * parameter at any depth (collections, fixed collections, resource locator modes). A dropdown with nothing to
 * pick is invisible to every other test: the engine runs whatever value a workflow carries.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { INodeProperties, INodePropertyCollection, INodePropertyOptions, INodeType } from 'n8n-workflow';

const root = path.resolve(__dirname, '../..');
const dist = path.join(root, 'dist');

function sourceFiles(dir: string): string[] {
	return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
		const relative = path.join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(relative);
		return /\.(ts|json|svg|png)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [relative] : [];
	});
}

/** dist/ is rebuilt (npm run build) when an output is missing or older than its source. */
function ensureBuilt(): void {
	const stale = ['nodes', 'credentials'].flatMap(sourceFiles).some((source) => {
		const output = path.join(dist, source.replace(/\.ts$/, '.js'));
		return !fs.existsSync(output) || fs.statSync(output).mtimeMs < fs.statSync(path.join(root, source)).mtimeMs;
	});
	if (stale) execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

interface BuiltNode {
	file: string;
	node: INodeType;
}

function builtNodes(): BuiltNode[] {
	const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } };
	return pkg.n8n.nodes.flatMap((file) => {
		const exported = require(path.join(root, file)) as Record<string, new () => INodeType>;
		return Object.values(exported).map((NodeClass) => ({ file, node: new NodeClass() }));
	});
}

type Visit = (property: INodeProperties, where: string) => void;

function walk(properties: INodeProperties[], where: string, visit: Visit): void {
	for (const property of properties) {
		const here = `${where} › ${property.displayName}`;
		visit(property, here);
		if (property.type === 'collection') walk((property.options ?? []) as INodeProperties[], here, visit);
		if (property.type === 'fixedCollection') {
			for (const group of (property.options ?? []) as INodePropertyCollection[]) {
				walk(group.values, `${here} › ${group.displayName}`, visit);
			}
		}
	}
}

/** What n8n's editor would leave empty or cannot load, per parameter: nothing when the parameter is fine. */
function problemsOf(node: INodeType, property: INodeProperties): string[] {
	const methods = node.methods ?? {};
	const problems: string[] = [];
	const typeOptions = property.typeOptions ?? {};
	if (property.type === 'options' || property.type === 'multiOptions') {
		const method = typeOptions.loadOptionsMethod;
		const hasStatic = Array.isArray(property.options) && property.options.length > 0;
		if (method !== undefined) {
			if (!methods.loadOptions?.[method]) problems.push(`loadOptionsMethod "${method}" is not among the node's methods`);
		} else if (!hasStatic && !typeOptions.loadOptions) {
			problems.push('a dropdown with no options and no loader (loadOptionsMethod or loadOptions)');
		}
	}
	if (property.type === 'resourceLocator') {
		const modes = property.modes ?? [];
		if (modes.length === 0) problems.push('a resource locator without modes');
		for (const mode of modes) {
			if (mode.type !== 'list') continue;
			const method = mode.typeOptions?.searchListMethod;
			if (!method) problems.push(`its "${mode.displayName}" mode has no searchListMethod`);
			else if (!methods.listSearch?.[method]) problems.push(`searchListMethod "${method}" is not among the node's methods`);
		}
	}
	if (property.type === 'resourceMapper') {
		const method = typeOptions.resourceMapper?.resourceMapperMethod;
		if (!method || !methods.resourceMapping?.[method]) problems.push(`resourceMapperMethod "${method}" is not among the node's methods`);
	}
	return problems;
}

/**
 * Each level of parameters (the node's, a collection's, a fixed collection group's) with the displayOptions keys
 * that n8n 1.x cannot resolve at that level: not a parameter beside them, not '@version'/'@tool', not a '/root' path.
 * n8n 1.x (n8n-workflow 1.120) then fails every activation and manual run of the node with "Could not resolve
 * parameter dependencies. Max iterations reached!" (the e2e suite on n8n 1.123.81 showed it); n8n 2.x skips them.
 */
function unresolvableDependencies(properties: INodeProperties[], where: string): string[] {
	const names = new Set(properties.map((property) => property.name));
	const problems: string[] = [];
	for (const property of properties) {
		const here = `${where} › ${property.displayName}`;
		for (const rule of Object.values(property.displayOptions ?? {})) {
			for (const key of Object.keys((rule ?? {}) as object)) {
				if (!key.startsWith('@') && !key.startsWith('/') && !names.has(key)) problems.push(`${here}: "${key}"`);
			}
		}
		if (property.type === 'collection') problems.push(...unresolvableDependencies((property.options ?? []) as INodeProperties[], here));
		if (property.type === 'fixedCollection') {
			for (const group of (property.options ?? []) as INodePropertyCollection[]) {
				problems.push(...unresolvableDependencies(group.values, `${here} › ${group.displayName}`));
			}
		}
	}
	return problems;
}

/** n8n's community-node rule options-sorted-alphabetically: names compared case-insensitively, locale-aware. */
function unsortedOptions(property: INodeProperties): string | undefined {
	if (property.type !== 'options' || !Array.isArray(property.options) || property.options.length < 2) return undefined;
	const names = (property.options as INodePropertyOptions[]).map((option) => option.name);
	const sorted = [...names].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' }));
	return names.every((name, index) => name === sorted[index]) ? undefined : `expected ${sorted.join(', ')}`;
}

describe('Built node descriptions (dist/)', () => {
	let nodes: BuiltNode[] = [];

	beforeAll(() => {
		ensureBuilt();
		nodes = builtNodes();
	}, 240_000);

	test('every node package.json lists is built and loads', () => {
		expect(nodes.map(({ node }) => node.description.name).sort()).toEqual(['vtiger', 'vtigerInstantTrigger', 'vtigerTrigger']);
	});

	test('every dropdown at any depth has options to pick or a loader the node has', () => {
		const problems: string[] = [];
		let dropdowns = 0;
		for (const { node } of nodes) {
			walk(node.description.properties, node.description.displayName, (property, where) => {
				if (['options', 'multiOptions', 'resourceLocator'].includes(property.type)) dropdowns++;
				for (const problem of problemsOf(node, property)) problems.push(`${where}: ${problem}`);
			});
		}
		expect(dropdowns).toBeGreaterThan(20);
		expect(problems).toEqual([]);
	});

	test('every displayOptions dependency is a parameter of its own level or a root path (n8n 1.x activates the node)', () => {
		const problems = nodes.flatMap(({ node }) => unresolvableDependencies(node.description.properties, node.description.displayName));
		expect(problems).toEqual([]);
	});

	test('options lists are sorted alphabetically (n8n\'s options-sorted-alphabetically), defaults unchanged', () => {
		const unsorted: string[] = [];
		for (const { node } of nodes) {
			walk(node.description.properties, node.description.displayName, (property, where) => {
				const problem = unsortedOptions(property);
				if (problem) unsorted.push(`${where}: ${problem}`);
			});
		}
		expect(unsorted).toEqual([]);
		const vtiger = nodes.find(({ node }) => node.description.name === 'vtiger')?.node.description;
		expect(vtiger?.properties.find((property) => property.name === 'resource')?.default).toBe('record');
		const trigger = nodes.find(({ node }) => node.description.name === 'vtigerTrigger')?.node.description;
		const options = trigger?.properties.find((property) => property.name === 'options')?.options as INodeProperties[];
		expect(options.find((option) => option.name === 'source')?.default).toBe('auto');
	});

	test('the codex next to each built node has categories and no subcategories (n8n\'s no-codex-subcategories)', () => {
		for (const { file } of nodes) {
			const codex = JSON.parse(fs.readFileSync(path.join(root, file.replace(/\.js$/, '.json')), 'utf8')) as Record<string, unknown>;
			expect(codex.categories).toEqual(['Sales']);
			expect(codex).not.toHaveProperty('subcategories');
		}
	});
});
