// `npm run package`: builds the .vsix with vsce (its vscode:prepublish script makes the production bundles),
// then opens the archive and checks it: every file the manifest names is inside, and nothing else
// (no node_modules: esbuild bundled everything). Prints the archive's listing.
//   node scripts/package-vsix.mjs [--out FILE.vsix]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const outArg = process.argv.indexOf('--out');
const vsix = path.resolve(ROOT, outArg > 0 ? process.argv[outArg + 1] : `${manifest.name}-${manifest.version}.vsix`);

const vsce = path.join(path.dirname(createRequire(import.meta.url).resolve('@vscode/vsce/package.json')), 'vsce');
// --no-dependencies: nothing from node_modules is packaged. No public repository exists yet, so vsce cannot
// turn README's relative links into absolute ones: --allow-missing-repository, --no-rewrite-relative-links.
const flags = ['--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links'];
execFileSync(process.execPath, [vsce, 'package', ...flags, '--out', vsix], {
  cwd: ROOT,
  stdio: 'inherit',
});

/** Entry names and sizes from a zip's central directory. */
function listZip(file) {
  const zip = readFileSync(file);
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${file} is not a zip archive`);
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${i}`);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.push({ name: zip.toString('utf8', at + 46, at + 46 + nameLength), size });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

const strip = (p) => p.replace(/^\.\//, '');
const contributes = manifest.contributes ?? {};
const required = [
  'package.json',
  // vsce stores README.md, CHANGELOG.md and LICENSE under these names
  'readme.md',
  'changelog.md',
  'LICENSE.txt',
  strip(manifest.main),
  'dist/server.js',
  'docs/diagnostics.md', // the server links every diagnostic code to its section
  manifest.icon,
  ...(contributes.grammars ?? []).map((g) => strip(g.path)),
  ...(contributes.jsonValidation ?? []).map((j) => strip(j.url)),
];
const entries = listZip(vsix);
const files = entries.map((e) => e.name).filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
const problems = [
  ...required.filter((f) => !files.includes(f)).map((f) => `missing ${f}`),
  ...files.filter((f) => !required.includes(f)).map((f) => `not on the allow-list: ${f}`),
];
for (const e of entries) console.log(`${String(e.size).padStart(9)}  ${e.name}`);
if (problems.length) {
  console.error(`\n${path.basename(vsix)} is not right:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`\n${path.relative(process.cwd(), vsix)}: the ${required.length} files the manifest needs, nothing else.`);
