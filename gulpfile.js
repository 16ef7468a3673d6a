/** `gulp build:icons` (run by `npm run build` after tsc): copies icons and codex files next to the compiled nodes. */
const path = require('node:path');
const { task, src, dest } = require('gulp');

function copyAssets() {
	return src(
		[
			'nodes/**/*.{png,svg}',
			'nodes/**/*.node.json',
			'credentials/**/*.{png,svg}',
		],
		{ base: '.', encoding: false },
	).pipe(dest(path.resolve('dist')));
}

task('build:icons', copyAssets);
