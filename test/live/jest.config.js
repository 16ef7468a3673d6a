/**
 * Live suite (npm run test:live): the built nodes through the engine harness against the real Vtiger named by
 * VTIGER_URL / VTIGER_USERNAME / VTIGER_ACCESS_KEY (see test/live/env.ts). One file at a time: Vtiger serialises
 * requests per PHP session, and the suites must not expire each other's sessions.
 */
module.exports = {
	rootDir: '../..',
	testEnvironment: '<rootDir>/test/support/harness/environment.ts',
	roots: ['<rootDir>/test/live'],
	testMatch: ['**/*.live.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
	testTimeout: 120000,
	maxWorkers: 1,
	verbose: true,
};
