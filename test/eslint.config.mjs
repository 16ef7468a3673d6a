// Lint for the tests, the simulator and the harness (bench/ and scripts/ use it too). The product code
// (nodes/, credentials/, package.json) is linted by n8n's default config, eslint.config.mjs at the root, which
// `n8n-node lint` requires unchanged; this directory gets its own config because ESLint runs with
// ESLINT_FLAGS=unstable_config_lookup_from_file (scripts/lint.sh): each file uses the nearest eslint.config.mjs.
// n8n's community-node rules do not fit here: tests start servers, read files and use process on purpose.
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'error' } },
	{
		files: ['**/*.ts'],
		extends: [tseslint.configs.recommended],
		rules: {
			// the harness and several tests load the built package (dist/) and n8n's internals at run time
			'@typescript-eslint/no-require-imports': 'off',
			// the project's "no any" rule is for node code; tests read Vtiger's raw JSON
			'@typescript-eslint/no-explicit-any': 'off',
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
			],
		},
	},
);
