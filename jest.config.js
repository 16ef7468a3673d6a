/** Unit and engine tests (npm test). The end-to-end suite has its own config (test/e2e/jest.config.js). */
module.exports = {
	testEnvironment: '<rootDir>/test/support/harness/environment.ts',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/live/'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
	testTimeout: 60000,
	maxWorkers: 2,
};
