// Lint for the published package: nodes, credentials and package.json.
// n8n's community-node rule set (recommended config) plus the rule sets of eslint-plugin-n8n-nodes-base for
// nodes, credentials and a community package.json, with the same few overrides n8n's own community-package
// scanner (@n8n/scan-community-package) applies to those rule sets (marked "scanner override" below).
// Zero errors and zero warnings (`--max-warnings 0`); inline `eslint-disable` comments are refused.
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

const baseRules = (name) => n8nNodesBase.configs[name].rules;

/** Refuses any eslint-disable / eslint-enable / eslint rule comment, so no rule can be switched off in place. */
const noInlineDirectives = {
	meta: { name: 'vtiger-local' },
	rules: {
		'no-eslint-directives': {
			meta: {
				type: 'problem',
				schema: [],
				messages: { found: 'ESLint directive comments are not allowed: fix the code instead.' },
			},
			create(context) {
				return {
					Program() {
						for (const comment of context.sourceCode.getAllComments()) {
							if (/^\s*eslint(-disable|-enable|\s|$)/.test(comment.value)) {
								context.report({ loc: comment.loc, messageId: 'found' });
							}
						}
					},
				};
			},
		},
	},
};

export default [
	{
		ignores: [
			'dist/**',
			'node_modules/**',
			'test/**',
			'bench/**',
			'scripts/**',
			'coverage/**',
			'.e2e/**',
			'gulpfile.js',
			'jest.config.js',
			'test/e2e/jest.config.js',
			'eslint.config.mjs',
		],
	},
	{
		linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'error' },
	},
	{
		files: ['**/*.ts'],
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { ecmaVersion: 'latest', sourceType: 'module' },
		},
		plugins: { '@typescript-eslint': tseslint.plugin, 'vtiger-local': noInlineDirectives },
		rules: {
			'vtiger-local/no-eslint-directives': 'error',
			'no-console': 'error',
			'@typescript-eslint/no-explicit-any': 'error',
		},
	},
	{
		files: ['package.json'],
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
	},
	n8nCommunityNodesPlugin.configs.recommended,
	{
		files: ['package.json'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: baseRules('community'),
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...baseRules('credentials'),
			// scanner override: wants a docs.n8n.io slug, only valid inside n8n's own repository
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// scanner override: @n8n/community-nodes/credential-password-field checks the same, more accurately
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...baseRules('nodes'),
			// scanner override: inputs/outputs may use NodeConnectionTypes instead of the string 'main'
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			// scanner override: a maxValue is right where the API has a maximum
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
];
