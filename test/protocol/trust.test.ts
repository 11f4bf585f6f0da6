import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Diagnostic, DiagnosticSeverity, FileChangeType } from 'vscode-languageserver-protocol';
import { SourceDiagnosticData } from '../../server/src/shared/lspExtensions';
import { decodeTrustList } from '../../server/src/core/tlv/decode';
import { HeaderTag } from '../../server/src/core/tlv/tags';
import { TEST_NOW } from '../helpers/fixtures';
import { fileUri, LspTestClient } from './lspTestClient';
import { TestWorkspace } from './testWorkspace';

const trustCodes = (d: Diagnostic[]) => d.map((x) => String(x.code)).filter((c) => c.startsWith('trust-update')).sort();
const codes = (d: Diagnostic[]) => d.map((x) => String(x.code)).sort();

describe('protocol: continuity against itlLens.trust.deployed, for files nobody opened', function () {
  let ws: TestWorkspace;
  let client: LspTestClient;
  const uri = (rel: string) => fileUri(ws.path(rel));

  before(async () => {
    ws = new TestWorkspace([
      ['trust/held-no-tvs/ITLFile.tlv', 'deployed/ITLFile.tlv'],
      'trust/next/other-cluster/ITLFile.tlv',
      'trust/next/recovery-signed/ITLFile.tlv',
      'trust/next/tampered/ITLFile.tlv',
    ]);
    client = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString() }, configuration: { trust: { deployed: 'deployed/**/*.tlv' } } });
  });
  after(async () => {
    await client?.stop();
    ws?.dispose();
  });

  it('trust-update-rejected on the header signer of a list the deployed phones refuse, related to the deployed file', async () => {
    await client.indexed();
    const other = await client.diagnostics(uri('trust/next/other-cluster/ITLFile.tlv'), (d) => trustCodes(d).length > 0);
    assert.deepEqual(trustCodes(other), ['trust-update-rejected']);
    const d = other.find((x) => x.code === 'trust-update-rejected')!;
    assert.equal(d.severity, DiagnosticSeverity.Error);
    assert.match(String(d.message), /Trust List update failed/);
    const signer = decodeTrustList(fs.readFileSync(ws.path('trust/next/other-cluster/ITLFile.tlv'))).header.elements.find((e) => e.tag === HeaderTag.SIGNER_INFO)!;
    assert.equal((d.data as SourceDiagnosticData).byteOffset, signer.range.start);
    assert.ok(d.relatedInformation?.length);
    assert.ok(d.relatedInformation!.every((r) => r.location.uri.includes('deployed/ITLFile.tlv')), JSON.stringify(d.relatedInformation));
    assert.deepEqual(trustCodes(await client.diagnostics(uri('trust/next/tampered/ITLFile.tlv'))), ['trust-update-rejected']);
    assert.deepEqual(trustCodes(client.publishedDiagnostics(uri('trust/next/recovery-signed/ITLFile.tlv'))), []);
    assert.deepEqual(trustCodes(client.publishedDiagnostics(uri('deployed/ITLFile.tlv'))), [], 'the deployed list is not judged against itself');
  });

  it('re-evaluates when the deployed file changes on disk: a deployed ITL with TVS records makes it a warning', async () => {
    const since = client.notifications.length;
    ws.copy('trust/held/ITLFile.tlv', 'deployed/ITLFile.tlv');
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('deployed/ITLFile.tlv'), type: FileChangeType.Changed }] });
    const other = await client.diagnostics(uri('trust/next/other-cluster/ITLFile.tlv'), (d) => trustCodes(d).includes('trust-update-needs-tvs'), since);
    assert.equal(other.find((x) => x.code === 'trust-update-needs-tvs')!.severity, DiagnosticSeverity.Warning);
  });

  it('re-evaluates when the setting changes: no deployed list, no continuity findings; severity overridable', async () => {
    let since = client.notifications.length;
    client.configuration = { trust: { deployed: [] } };
    await client.notify('workspace/didChangeConfiguration', { settings: null });
    await client.diagnostics(uri('trust/next/other-cluster/ITLFile.tlv'), (d) => trustCodes(d).length === 0, since);
    await client.diagnostics(uri('trust/next/tampered/ITLFile.tlv'), (d) => trustCodes(d).length === 0, since);
    since = client.notifications.length;
    client.configuration = { trust: { deployed: ['deployed/ITLFile.tlv'] }, diagnostics: { severity: { 'trust-update-rejected': 'hint' } } };
    await client.notify('workspace/didChangeConfiguration', { settings: null });
    const tampered = await client.diagnostics(uri('trust/next/tampered/ITLFile.tlv'), (d) => trustCodes(d).length > 0, since);
    assert.equal(tampered.find((x) => x.code === 'trust-update-rejected')!.severity, DiagnosticSeverity.Hint);
  });
});

describe('protocol: signed files (.sgn) checked against the workspace ITL, for files nobody opened', function () {
  let ws: TestWorkspace;
  let client: LspTestClient;
  const uri = (rel: string) => fileUri(ws.path(rel));
  const sgn = (dir: string) => `trust/config/${dir}/SEP001122334455.cnf.xml.sgn`;

  before(async () => {
    const dirs = ['good', 'foreign-signer', 'other-cluster', 'wrong-filename', 'no-trust-list'];
    ws = new TestWorkspace([
      ...dirs.flatMap((d) => [sgn(d), ...(d === 'no-trust-list' ? [] : [`trust/config/${d}/ITLFile.tlv`])]),
      ['cluster/CallManager.pem', 'trust/config/no-trust-list/CallManager.pem'], // the signer's certificate, no ITL
    ]);
    client = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString() } });
  });
  after(async () => {
    await client?.stop();
    ws?.dispose();
  });

  it('publishes what phones holding the ITL beside each file do with it', async () => {
    await client.indexed();
    const foreign = await client.diagnostics(uri(sgn('foreign-signer')), (d) => d.length > 0);
    assert.deepEqual(codes(foreign), ['sgn-signer-untrusted']);
    assert.equal(foreign[0].severity, DiagnosticSeverity.Error);
    assert.ok(foreign[0].relatedInformation?.some((r) => r.location.uri.includes('foreign-signer/ITLFile.tlv')), JSON.stringify(foreign[0].relatedInformation));
    assert.deepEqual(codes(await client.diagnostics(uri(sgn('other-cluster')), (d) => d.length > 0)), ['sgn-signer-via-tvs']);
    assert.deepEqual(codes(await client.diagnostics(uri(sgn('wrong-filename')), (d) => d.length > 0)), ['sgn-filename-mismatch']);
    const unchecked = await client.diagnostics(uri(sgn('no-trust-list')), (d) => d.length > 0);
    assert.deepEqual(codes(unchecked), ['sgn-signer-unchecked']);
    assert.match(String(unchecked[0].message), /The signature verifies with the signer's certificate/, 'found among the certificate files by serial');
    assert.deepEqual(client.publishedDiagnostics(uri(sgn('good'))), []);
  });

  it('opens a signed file decoded, with the verdict of phones holding the ITL beside it', async () => {
    const good = await client.request<{ viewUri: string; kind: string; text: string }>('itlLens/decodedView', { sourceUri: uri(sgn('good')) });
    assert.equal(good.kind, 'trust-list', 'a signed file has a trust-list view (its header is TLV)');
    assert.match(good.viewUri, /SEP001122334455\.cnf\.xml\.sgn\.itlview\?/);
    assert.match(good.text, /SIGNERNAME/);
    assert.match(good.text, /<capfList>/, 'the XML payload is shown');
    assert.match(good.text, /accepted/i);
    const foreign = await client.request<{ text: string }>('itlLens/decodedView', { sourceUri: uri(sgn('foreign-signer')) });
    assert.match(foreign.text, /rejected|not in|ignore/i);
    // the view URI itself names the source, as the client asks when the document opens
    assert.equal((await client.request<{ text: string }>('itlLens/decodedView', { sourceUri: good.viewUri })).text, good.text);
    // opened in the editor, the view is not taken for a trust list's: its own outline (header, payload, XML
    // elements), no records, no record problems
    const since = client.notifications.length;
    await client.notify('textDocument/didOpen', { textDocument: { uri: good.viewUri, languageId: 'itl-view', version: 1, text: good.text } });
    const symbols = await client.request<Array<{ name: string; children?: Array<{ name: string }> }>>('textDocument/documentSymbol', { textDocument: { uri: good.viewUri } });
    assert.deepEqual(symbols.map((x) => x.name), ['Header', 'Payload'], JSON.stringify(symbols));
    assert.ok(symbols[1].children?.some((c) => c.name === 'capfList'), JSON.stringify(symbols[1].children?.map((c) => c.name)));
    const folds = await client.request<Array<{ startLine: number; endLine: number }>>('textDocument/foldingRange', { textDocument: { uri: good.viewUri } });
    assert.equal(folds.length, 2);
    await client.request('itlLens/decodedView', { sourceUri: uri(sgn('foreign-signer')) });
    assert.deepEqual(codes(await client.diagnostics(uri(sgn('foreign-signer')), (d) => d.length > 0)), ['sgn-signer-untrusted']);
    assert.deepEqual(client.publishedDiagnostics(good.viewUri).filter(() => client.notifications.length >= since), []);
  });

  it('checks a signed file again when the trust list beside it changes, and forgets a deleted one', async () => {
    let since = client.notifications.length;
    ws.copy('trust/config/good/ITLFile.tlv', 'trust/config/no-trust-list/ITLFile.tlv');
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('trust/config/no-trust-list/ITLFile.tlv'), type: FileChangeType.Created }] });
    await client.diagnostics(uri(sgn('no-trust-list')), (d) => d.length === 0, since);
    since = client.notifications.length;
    ws.remove(sgn('foreign-signer'));
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(sgn('foreign-signer')), type: FileChangeType.Deleted }] });
    await client.diagnostics(uri(sgn('foreign-signer')), (d) => d.length === 0, since);
    since = client.notifications.length;
    ws.copy('trust/config/foreign-signer/SEP001122334455.cnf.xml.sgn', 'trust/config/good/copy/SEP001122334455.cnf.xml.sgn');
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('trust/config/good/copy/SEP001122334455.cnf.xml.sgn'), type: FileChangeType.Created }] });
    assert.deepEqual(codes(await client.diagnostics(uri('trust/config/good/copy/SEP001122334455.cnf.xml.sgn'), (d) => d.length > 0, since)), ['sgn-signer-via-tvs'], 'a foreign signer beside an ITL with TVS records');
  });
});
