/**
 * The recordings the tests read live in the repository (test/support/fixtures/vtiger-8.3, a copy of ../shared/vtiger-8.3,
 * see test/support/fixtures/README.md): every transcript line is one JSON record, and where ../shared is beside the clone
 * the copy is identical to it.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { DEFAULT_TRANSCRIPTS } from './replay';

const FIXTURES = resolve(DEFAULT_TRANSCRIPTS, '..');
const SHARED = resolve(__dirname, '../../../shared/vtiger-8.3');
const files = (dir: string): string[] => [
	'README.md',
	'operations.txt',
	...readdirSync(join(dir, 'transcripts'))
		.filter((name) => name.endsWith('.jsonl'))
		.sort()
		.map((name) => `transcripts/${name}`),
];

describe('recordings in test/support/fixtures/vtiger-8.3', () => {
	it('holds every transcript as JSON lines with a request and a response', () => {
		const transcripts = files(FIXTURES).filter((name) => name.endsWith('.jsonl'));
		expect(transcripts).toContain('transcripts/10_describe_all.jsonl');
		for (const name of transcripts) {
			const lines = readFileSync(join(FIXTURES, name), 'utf8').split('\n').filter((line) => line.trim() !== '');
			expect(lines.length).toBeGreaterThan(0);
			for (const line of lines) {
				const record = JSON.parse(line) as Record<string, unknown>;
				expect(Object.keys(record)).toEqual(expect.arrayContaining(['method', 'request_params', 'http_status', 'response_body']));
			}
		}
	});

	// Only where the team's ../shared is beside the clone (a public clone has none).
	(existsSync(SHARED) ? it : it.skip)('is the same as ../shared/vtiger-8.3 (copy them again when it changes)', () => {
		expect(files(FIXTURES)).toEqual(files(SHARED));
		for (const name of files(SHARED)) {
			expect({ name, same: readFileSync(join(FIXTURES, name)).equals(readFileSync(join(SHARED, name))) }).toEqual({ name, same: true });
		}
	});
});
