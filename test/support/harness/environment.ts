/**
 * Jest environment of the engine tests: node's, plus n8n's log lines (kept by the harness in
 * globalThis.__vtigerLogLines) printed with a test's failure only, so a passing run is not buried under the
 * errors n8n logs for the failures the tests provoke on purpose. VTIGER_TEST_LOGS=1 prints every line.
 */
import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';

type Logged = { __vtigerLogLines?: string[] };

export default class HarnessEnvironment extends TestEnvironment {
	private firstLine = 0;

	handleTestEvent(event: Circus.Event): void {
		const lines = (this.global as Logged).__vtigerLogLines ?? [];
		if (event.name === 'test_start') this.firstLine = lines.length;
		if (event.name !== 'test_done' || event.test.errors.length === 0 || process.env.VTIGER_TEST_LOGS === '1') return;
		const own = lines.slice(this.firstLine);
		if (own.length === 0) return;
		this.global.console.log(`n8n's log while "${event.test.name}" failed (${own.length} lines):\n${own.join('\n')}`);
	}
}
