/**
 * The layers of the house, checked on the sources' import lines (DEVELOPERS.md): what may import what. The
 * client's own project (client/tsconfig.json) already refuses any server module outside server/src/shared/.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
const SERVER = path.join(ROOT, 'server/src');

interface Import {
  file: string;
  spec: string;
  /** the target relative to server/src, for relative specifiers */
  target?: string;
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(file: string): Import[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|(?:^|\n)\s*import\s+'([^']+)'|require\('([^']+)'\)/g)) {
    const spec = m[1] ?? m[2] ?? m[3];
    const rel = path.relative(SERVER, file);
    out.push({ file: rel, spec, target: spec.startsWith('.') ? path.relative(SERVER, path.resolve(path.dirname(file), spec)) : undefined });
  }
  return out;
}

const all = sources(SERVER).flatMap(importsOf);
const under = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);
const show = (xs: Import[]) => xs.map((i) => `${i.file} -> ${i.spec}`).join('\n');

describe('architecture: what may import what', () => {
  it('reads the imports of every server module', () => {
    assert.ok(all.length > 500, `only ${all.length} imports found: the scan is broken`);
  });

  it('nothing under server/src imports the VS Code API (the CLI and the tests share it)', () => {
    assert.equal(show(all.filter((i) => i.spec === 'vscode')), '');
  });

  it('core/ imports nothing of the product above it', () => {
    assert.equal(show(all.filter((i) => under(i.file, 'core') && i.target && !under(i.target, 'core'))), '');
  });

  it('shared/ (the client and server both import it) imports only itself', () => {
    assert.equal(show(all.filter((i) => under(i.file, 'shared') && i.target && !under(i.target, 'shared'))), '');
  });

  it('the phone, the rules, the trust model, the views and the workspace import nothing of the CAPF server', () => {
    const clients = ['lab/phone', 'rules', 'trust', 'views', 'workspace', 'lab/model'];
    assert.equal(show(all.filter((i) => clients.some((c) => under(i.file, c)) && i.target && under(i.target, 'lab/capf/service'))), '');
  });

  it('the language server reaches the CAPF server only through its lab runner (labController.ts)', () => {
    assert.equal(show(all.filter((i) => under(i.file, 'lsp') && i.file !== 'lsp/labController.ts' && i.target && under(i.target, 'lab/capf/service'))), '');
  });

  it('product code does not import the fixture writer (only the `fixtures` command does)', () => {
    assert.equal(show(all.filter((i) => !under(i.file, 'fixtures') && i.file !== 'cli/commands/fixtures.ts' && i.target && under(i.target, 'fixtures'))), '');
  });
});
