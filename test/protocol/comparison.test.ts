import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DocumentLink, DocumentSymbol, FileChangeType, FoldingRange } from 'vscode-languageserver-protocol';
import { ComparisonViewResult, comparisonViewUri, viewUriForSource } from '../../server/src/shared/lspExtensions';
import { TEST_NOW } from '../helpers/fixtures';
import { fileUri, LspTestClient } from './lspTestClient';
import { TestWorkspace } from './testWorkspace';

describe('protocol: trust-list comparison documents (itlLens/comparisonView)', function () {
  let ws: TestWorkspace;
  let client: LspTestClient;
  const uri = (rel: string) => fileUri(ws.path(rel));
  const git = (...args: string[]) => execFileSync('git', ['-C', ws.path('repo'), '-c', 'user.name=ITL Lens tests', '-c', 'user.email=tests@example.invalid', '-c', 'commit.gpgsign=false', ...args], { stdio: 'pipe' });

  before(async () => {
    ws = new TestWorkspace([
      ['trust/held-no-tvs/ITLFile.tlv', 'deployed/ITLFile.tlv'],
      'trust/next/other-cluster/ITLFile.tlv',
      'trust/next/capf-regenerated/ITLFile.tlv',
      'cluster/CAPF.pem',
      ['trust/next/recovery-signed/ITLFile.tlv', 'repo/ITLFile.tlv'],
      ['trust/held/CTLFile.tlv', 'repo/CTLFile.tlv'],
    ]);
    fs.mkdirSync(ws.path('plain'));
    ws.copy('trust/held/ITLFile.tlv', 'plain/ITLFile.tlv');
    git('init', '-q');
    git('add', 'ITLFile.tlv');
    git('commit', '-q', '-m', 'what phones hold');
    ws.copy('trust/next/capf-regenerated/ITLFile.tlv', 'repo/ITLFile.tlv'); // the working copy: the CAPF regenerated
    client = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString(), workspaceTrusted: true } });
    await client.indexed();
  });
  after(async () => {
    await client?.stop();
    ws?.dispose();
  });

  const compare = (heldRel: string, newRel: string) => comparisonViewUri({ heldUri: uri(heldRel), newUri: uri(newRel) });

  it('renders the verdict and the changes of two workspace files', async () => {
    const viewUri = compare('deployed/ITLFile.tlv', 'trust/next/other-cluster/ITLFile.tlv');
    const r = await client.request<ComparisonViewResult>('itlLens/comparisonView', { viewUri });
    assert.equal(r.verdict, 'rejected');
    assert.equal(r.viewUri, viewUri);
    assert.match(r.text, /^ITL Lens trust-list comparison: rejected/);
    assert.match(r.text, /Phones hold: {5}deployed\/ITLFile\.tlv/);
    assert.match(r.text, /What to do:/);
    const ok = await client.request<ComparisonViewResult>('itlLens/comparisonView', { viewUri: compare('deployed/ITLFile.tlv', 'trust/next/capf-regenerated/ITLFile.tlv') });
    assert.equal(ok.verdict, 'accepted');
    assert.match(ok.text, /^ {2}regenerated {2}ITL record #\d+ \(CAPF .* -> record #\d+ \(CAPF /m);
  });

  it('gives the comparison an outline and links into both files\' decoded views', async () => {
    const viewUri = compare('deployed/ITLFile.tlv', 'trust/next/capf-regenerated/ITLFile.tlv');
    await client.notify('textDocument/didOpen', { textDocument: { uri: viewUri, languageId: 'itl-compare', version: 1, text: '' } });
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: viewUri } });
    assert.equal(symbols[0].name, 'Verdict: accepted');
    assert.match(symbols[1].name, /^Changes \(\d+\)$/);
    assert.equal(symbols[1].children!.length, Number(/\d+/.exec(symbols[1].name)![0]));
    assert.ok(symbols[1].children!.some((c) => /^regenerated record #\d+ \(CAPF/.test(c.name)), JSON.stringify(symbols[1].children!.map((c) => c.name)));
    const folds = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri: viewUri } });
    assert.ok(folds.some((f) => f.startLine === symbols[1].range.start.line && f.endLine === symbols[1].range.end.line), JSON.stringify(folds));
    const links = await client.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: viewUri } });
    const heldView = viewUriForSource(uri('deployed/ITLFile.tlv'), 'trust-list');
    const newView = viewUriForSource(uri('trust/next/capf-regenerated/ITLFile.tlv'), 'trust-list');
    const targets = links.map((l) => l.target!);
    assert.ok(targets.includes(heldView) && targets.includes(newView), JSON.stringify(targets));
    const text = (await client.request<ComparisonViewResult>('itlLens/comparisonView', { viewUri })).text.split('\n');
    const regenerated = text.findIndex((l) => l.startsWith('  regenerated'));
    const onLine = links.filter((l) => l.range.start.line === regenerated).map((l) => l.target!);
    const heldRecord = onLine.find((t) => t.startsWith(`${heldView}#L`));
    const newRecord = onLine.find((t) => t.startsWith(`${newView}#L`));
    assert.ok(heldRecord && newRecord, JSON.stringify(onLine));
    // the link's line is the record's title line in that view
    const view = await client.request<{ text: string }>('itlLens/decodedView', { sourceUri: uri('deployed/ITLFile.tlv') });
    const line = Number(/#L(\d+)$/.exec(heldRecord)![1]) - 1;
    assert.match(view.text.split("\n")[line], /CAPF/, `line ${line}: ${view.text.split("\n").slice(line - 2, line + 3).join(" / ")}`);
  });

  it('renders again once a compared file changes on disk', async () => {
    const viewUri = compare('deployed/ITLFile.tlv', 'trust/next/capf-regenerated/ITLFile.tlv');
    ws.copy('trust/held-no-tvs/ITLFile.tlv', 'trust/next/capf-regenerated/ITLFile.tlv');
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('trust/next/capf-regenerated/ITLFile.tlv'), type: FileChangeType.Changed }] });
    await client.waitFor<{ sourceUri: string }>('itlLens/viewChanged', (p) => p.sourceUri === uri('trust/next/capf-regenerated/ITLFile.tlv'));
    const r = await client.request<ComparisonViewResult>('itlLens/comparisonView', { viewUri });
    assert.match(r.text, /Changes: none/);
  });

  it('compares a git-tracked trust list with its committed version', async () => {
    const viewUri = comparisonViewUri({ heldUri: uri('repo/ITLFile.tlv'), newUri: uri('repo/ITLFile.tlv'), heldRevision: 'HEAD' });
    const r = await client.request<ComparisonViewResult>('itlLens/comparisonView', { viewUri });
    assert.match(r.text, /Phones hold: {5}repo\/ITLFile\.tlv at HEAD/);
    assert.match(r.text, /regenerated/);
    const links = await client.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: viewUri } });
    assert.ok(links.length > 0 && links.every((l) => l.target!.startsWith(viewUriForSource(uri('repo/ITLFile.tlv'), 'trust-list'))), 'only the working copy has a view');
  });

  it('runs git for the committed version only in a trusted workspace; two workspace files compare anyway', async () => {
    const untrusted = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString() } });
    try {
      const committed = comparisonViewUri({ heldUri: uri('repo/ITLFile.tlv'), newUri: uri('repo/ITLFile.tlv'), heldRevision: 'HEAD' });
      await assert.rejects(untrusted.request('itlLens/comparisonView', { viewUri: committed }), /runs git.*Manage Workspace Trust/);
      const r = await untrusted.request<ComparisonViewResult>('itlLens/comparisonView', { viewUri: compare('deployed/ITLFile.tlv', 'repo/ITLFile.tlv') });
      assert.match(r.text, /Verdict/);
    } finally {
      await untrusted.stop();
    }
  });

  it('says plainly when there is nothing to compare with, or a side is no trust list', async () => {
    const failure = (viewUri: string) => client.request('itlLens/comparisonView', { viewUri }).then(() => assert.fail('expected an error'), (e: Error) => e.message);
    assert.match(await failure(comparisonViewUri({ heldUri: uri('repo/CTLFile.tlv'), newUri: uri('repo/CTLFile.tlv'), heldRevision: 'HEAD' })), /CTLFile\.tlv is not committed/);
    assert.match(await failure(comparisonViewUri({ heldUri: uri('plain/ITLFile.tlv'), newUri: uri('plain/ITLFile.tlv'), heldRevision: 'HEAD' })), /is not in a git repository/);
    assert.match(await failure(compare('cluster/CAPF.pem', 'deployed/ITLFile.tlv')), /is not a trust list/);
    assert.match(await failure('itl-lens-view:/x.itlcompare?%7B%22held%22%3A%22%22%7D'), /names no two trust lists/);
    assert.ok(client.alive);
  });
});

describe('protocol: the committed version outside any repository', () => {
  it('is not looked for above the temporary folder', () => {
    // the test above relies on plain/ not being inside a git repository
    const r = fs.mkdtempSync(path.join(os.tmpdir(), 'itl-lens-nogit-'));
    try {
      assert.throws(() => execFileSync('git', ['-C', r, 'rev-parse', '--show-toplevel'], { stdio: 'pipe' }));
    } finally {
      fs.rmSync(r, { recursive: true, force: true });
    }
  });
});
