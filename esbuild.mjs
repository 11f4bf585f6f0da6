// One build script (habit of vscode-extension-samples/esbuild-sample): several bundles, one config.
// `node esbuild.mjs` builds; `--production` minifies; `--watch` rebuilds on change. Type-checking is `npm run check-types`.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // jsonc-parser's "main" is a UMD build whose require('./impl/…') calls a bundler cannot follow; its ES
  // module build bundles cleanly (the tsc-compiled tests and CLI under out/ use the UMD build through Node)
  alias: { 'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js' },
};

const entries = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  { entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js' },
];

const contexts = [];
for (const entry of entries) {
  contexts.push(await esbuild.context({ ...common, ...entry }));
}
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
