/**
 * End-to-end suite (npm run test:e2e): the packed package inside real n8n 2.41.1 (N8N_VERSION picks
 * another, e.g. 1.123.81), against the simulator.
 * globalSetup builds and packs the package and installs n8n into the cache; files run one at a time
 * (each starts n8n processes; the machine has 2 cores).
 */
module.exports = {
	rootDir: '../..',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.ts'],
	globalSetup: '<rootDir>/test/e2e/globalSetup.ts',
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
	testTimeout: 240000,
	maxWorkers: 1,
	verbose: true,
};
