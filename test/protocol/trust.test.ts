import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Diagnostic, DiagnosticSeverity, FileChangeType } from 'vscode-languageserver-protocol';
import { comparisonViewUri, SourceDiagnosticData } from '../../server/src/shared/lspExtensions';
import { decodeTrustList } from '../../server/src/core/tlv/decode';
import { HeaderTag } from '../../server/src/core/tlv/tags';
import { KEYS_DIR, TEST_NOW } from '../helpers/fixtures';
import { loadFixtureKeys } from '../../server/src/lab/cluster/clusterKeys';
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

  it('itlLens.trust.tvsKnows resolves needs-tvs: the certificate TVS holds accepts it, another rejects it', async () => {
    // the deployed ITL (from the test above) has TVS records; other-cluster's signer is its ITLRecovery
    ws.copy('trust/next/other-cluster/ITLRecovery.pem', 'export/ITLRecovery-cl2.pem');
    ws.copy('cluster/CAPF.pem', 'unrelated/CAPF.pem');
    let since = client.notifications.length;
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('export/ITLRecovery-cl2.pem'), type: FileChangeType.Created }, { uri: uri('unrelated/CAPF.pem'), type: FileChangeType.Created }] });
    await client.indexed(since);
    since = client.notifications.length;
    client.configuration = { trust: { deployed: 'deployed/**/*.tlv', tvsKnows: 'export/*.pem' } };
    await client.notify('workspace/didChangeConfiguration', { settings: null });
    await client.diagnostics(uri('trust/next/other-cluster/ITLFile.tlv'), (d) => trustCodes(d).length === 0, since);
    const viaTvs = await client.request<{ verdict: string; text: string }>('itlLens/comparisonView', { viewUri: comparisonViewUri({ heldUri: uri('deployed/ITLFile.tlv'), newUri: uri('trust/next/other-cluster/ITLFile.tlv') }) });
    assert.equal(viaTvs.verdict, 'accepted', viaTvs.text.split('\n').slice(0, 3).join('\n'));
    since = client.notifications.length;
    client.configuration = { trust: { deployed: 'deployed/**/*.tlv', tvsKnows: ['unrelated/CAPF.pem'] } };
    await client.notify('workspace/didChangeConfiguration', { settings: null });
    const refused = await client.diagnostics(uri('trust/next/other-cluster/ITLFile.tlv'), (d) => trustCodes(d).includes('trust-update-rejected'), since);
    assert.deepEqual(trustCodes(refused), ['trust-update-rejected']);
    const noTvs = await client.request<{ verdict: string }>('itlLens/comparisonView', { viewUri: comparisonViewUri({ heldUri: uri('deployed/ITLFile.tlv'), newUri: uri('trust/next/other-cluster/ITLFile.tlv') }) });
    assert.equal(noTvs.verdict, 'rejected');
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

  it('shows an encrypted configuration decrypted when the device key is beside it, and says so when not', async () => {
    ws.copy('trust/config/encrypted/SEP001122334455.cnf.xml.enc.sgn', 'enc/SEP001122334455.cnf.xml.enc.sgn');
    ws.copy('trust/config/encrypted/ITLFile.tlv', 'enc/ITLFile.tlv');
    const encUri = uri('enc/SEP001122334455.cnf.xml.enc.sgn');
    const locked = await client.request<{ text: string }>('itlLens/decodedView', { sourceUri: encUri });
    assert.match(locked.text, /Not decrypted: no device key/);
    assert.doesNotMatch(locked.text, /<capfList>/);
    // the phone's LSC key, as the lab keeps it for its phones
    const key = loadFixtureKeys(KEYS_DIR)['phone-lsc'];
    fs.writeFileSync(ws.path('enc/lsc.key.pem'), key.export({ type: 'pkcs8', format: 'pem' }) as string);
    const since = client.notifications.length;
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('enc/lsc.key.pem'), type: FileChangeType.Created }] });
    await client.indexed(since); // the new key file is read (and the signed files' views are drawn again)
    const open = await client.request<{ text: string }>('itlLens/decodedView', { sourceUri: encUri });
    assert.match(open.text, /Decrypted with lsc\.key\.pem/);
    assert.match(open.text, /decrypted with the device key/);
    assert.match(open.text, /<capfList>/, 'the plaintext XML is shown');
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
