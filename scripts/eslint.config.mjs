// The tests' lint config (see test/eslint.config.mjs); this file makes ESLint's per-directory lookup find it.
export { default } from '../test/eslint.config.mjs';
