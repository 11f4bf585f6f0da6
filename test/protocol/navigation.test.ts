import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { DocumentLink, DocumentSymbol, FoldingRange, Hover, Location, MarkupContent } from 'vscode-languageserver-protocol';
import { ByteOffsetResult, DecodedViewResult } from '../../server/src/shared/lspExtensions';
import { TEST_NOW } from '../helpers/fixtures';
import { fileUri, LspTestClient } from './lspTestClient';
import { TestWorkspace } from './testWorkspace';

describe('protocol: decoded views and navigation', function () {
  let ws: TestWorkspace;
  let client: LspTestClient;
  let itl: DecodedViewResult;
  let lines: string[];
  const uri = (rel: string) => fileUri(ws.path(rel));
  const lineOf = (re: RegExp, from = 0) => {
    const i = lines.findIndex((l, n) => n >= from && re.test(l));
    assert.ok(i >= 0, `no view line matches ${re}`);
    return i;
  };
  const at = (u: string, line: number, character = 2) => ({ textDocument: { uri: u }, position: { line, character } });
  const hoverText = async (u: string, line: number) => ((await client.request<Hover>('textDocument/hover', at(u, line))).contents as MarkupContent).value;

  before(async () => {
    ws = new TestWorkspace(['cluster/ITLFile.tlv', 'cluster/ITLSEP001122334455.tlv', 'cluster/CAPF.pem', 'cluster/CAPF.der', 'cluster/CallManager.pem', 'certs/bundle.pem']);
    client = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString() } });
    await client.indexed();
    itl = await client.request<DecodedViewResult>('itlLens/decodedView', { sourceUri: uri('cluster/ITLFile.tlv') });
    lines = itl.text.split('\n');
    await client.notify('textDocument/didOpen', { textDocument: { uri: itl.viewUri, languageId: 'itl-view', version: 1, text: itl.text } });
  });
  after(async () => {
    await client?.stop();
    ws?.dispose();
  });

  it('renders the show-itl-style view of a trust list', () => {
    assert.equal(itl.kind, 'trust-list');
    assert.match(itl.viewUri, /^itl-lens-view:.*\/cluster\/ITLFile\.tlv\.itlview\?file%3A/);
    assert.equal(lines[0], 'ITL File: cluster/ITLFile.tlv');
    assert.match(itl.text, /^Verdict: The ITL file was verified successfully\.$/m);
    assert.match(itl.text, /^ITL Record #:1  CAPF  CAPF-7f0ae8d7$/m);
    assert.match(itl.text, /^This etoken was used to sign the ITL file\.$/m);
  });

  it('renders certificate views of PEM bundles and DER files', async () => {
    const bundle = await client.request<DecodedViewResult>('itlLens/decodedView', { sourceUri: uri('certs/bundle.pem') });
    assert.equal(bundle.kind, 'certificate');
    assert.match(bundle.viewUri, /bundle\.pem\.certview\?/);
    assert.match(bundle.text, /^Certificate file: certs\/bundle\.pem \(PEM, 2 certificates\)$/m);
    const der = await client.request<DecodedViewResult>('itlLens/decodedView', { sourceUri: uri('cluster/CAPF.der') });
    assert.match(der.text, /^Certificate #1: CN=CAPF-7f0ae8d7/m);
  });

  it('navigates certificate views: outline per certificate, field hovers, issuer definition', async () => {
    const bundle = await client.request<DecodedViewResult>('itlLens/decodedView', { sourceUri: uri('certs/bundle.pem') });
    const text = bundle.text.split('\n');
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: bundle.viewUri } });
    assert.deepEqual(symbols.map((s) => s.name), ['Certificate #1 phone-proxy.example', 'Certificate #2 Lab Root CA']);
    assert.ok(symbols[0].children!.some((c) => c.name === 'Not After'));
    const validity = text.findIndex((l) => /^\s+Validity:/.test(l));
    const hover = ((await client.request<Hover>('textDocument/hover', at(bundle.viewUri, validity))).contents as MarkupContent).value;
    assert.match(hover, /^\*\*Validity\*\*/);
    assert.match(hover, /reject the certificate outside it/);
    const issuerLine = text.findIndex((l) => /^\s+Issuer:\s+CN=Lab Root CA/.test(l));
    const issuer = await client.request<Location[]>('textDocument/definition', at(bundle.viewUri, issuerLine));
    assert.deepEqual(issuer.map((l) => [l.uri, l.range.start.line]), [[uri('certs/bundle.pem'), 25]]);
  });

  it('outlines the header and each record by role and CN', async () => {
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: itl.viewUri } });
    assert.deepEqual(symbols.map((s) => s.name), [
      'Header',
      '#1 CAPF CAPF-7f0ae8d7',
      '#2 TVS ao115pub',
      '#3 SAST ITLRECOVERY_ao115pub',
      '#4 TVS ao115sub',
      '#5 SAST ao115sub',
      '#6 TFTP ao115sub',
      '#7 TFTP ao115sub-EC',
    ]);
    assert.equal(symbols[1].range.start.line, lineOf(/^ITL Record #:1 /));
    assert.ok(symbols[1].children!.some((c) => c.name === 'CERTHASH'));
    assert.equal(symbols[0].children!.find((c) => c.name === 'FILENAME')?.detail, 'ITLFile.tlv');
  });

  it('folds each record and the header', async () => {
    const folds = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri: itl.viewUri } });
    assert.equal(folds.length, 8);
    const record1 = folds.find((f) => f.startLine === lineOf(/^ITL Record #:1 /))!;
    assert.equal(record1.endLine, lineOf(/^ITL Record #:2 /) - 2);
  });

  it('hovers: tag meaning, full value, role meaning, matching certificate', async () => {
    const certhash = await hoverText(itl.viewUri, lineOf(/^1160\s+11\s+CERTHASH/));
    assert.match(certhash, /\*\*CERTHASH\*\* · tag 11 · ITL record #1 \(CAPF\)/);
    assert.match(certhash, /SHA-1 of its DER/);
    assert.match(certhash, /cluster\/CAPF\.pem/);
    assert.match(certhash, /\| Valid \| .*expires/);
    const fn = await hoverText(itl.viewUri, lineOf(/^\d+\s+4\s+FUNCTION\s+2\s+CAPF/));
    assert.match(fn, /TCP 3804 to install, upgrade, fetch or delete their LSC/);
    const cert = await hoverText(itl.viewUri, lineOf(/^\d+\s+9\s+CERTIFICATE/));
    assert.match(cert, /\| Subject \| CN=ITLRECOVERY\\_ao115pub/);
    const serial = await hoverText(itl.viewUri, lineOf(/^\d+\s+5\s+SERIALNUMBER/));
    assert.match(serial, /Signed by record #5/);
    const title = await hoverText(itl.viewUri, 0);
    assert.match(title, /Signature: \*\*valid\*\*/);
    assert.equal(await client.request('textDocument/hover', at(itl.viewUri, lineOf(/^$/))), null);
  });

  it('goes from the header signer to the SAST record that signed', async () => {
    const defs = await client.request<Location[]>('textDocument/definition', at(itl.viewUri, lineOf(/^\d+\s+5\s+SERIALNUMBER/)));
    assert.deepEqual(defs.map((d) => [d.uri, d.range.start.line]), [[itl.viewUri, lineOf(/^ITL Record #:5 /)]]);
  });

  it('goes from a CERTHASH to the certificate files that match it (PEM block; DER view)', async () => {
    const defs = await client.request<Location[]>('textDocument/definition', at(itl.viewUri, lineOf(/^1160\s+11\s+CERTHASH/)));
    const byUri = new Map(defs.map((d) => [d.uri, d]));
    assert.equal(defs.length, 2);
    assert.deepEqual(byUri.get(uri('cluster/CAPF.pem'))?.range, { start: { line: 0, character: 0 }, end: { line: 22, character: 25 } });
    assert.ok([...byUri.keys()].some((u) => /CAPF\.der\.certview\?/.test(u)));
  });

  it('finds every trust-list record that carries a certificate file', async () => {
    const pem = fs.readFileSync(ws.path('cluster/CAPF.pem'), 'utf8');
    await client.notify('textDocument/didOpen', { textDocument: { uri: uri('cluster/CAPF.pem'), languageId: 'pem', version: 1, text: pem } });
    const refs = await client.request<Location[]>('textDocument/references', { ...at(uri('cluster/CAPF.pem'), 3), context: { includeDeclaration: false } });
    assert.equal(refs.length, 2);
    assert.ok(refs.some((r) => r.uri === itl.viewUri && r.range.start.line === lineOf(/^1160\s+11\s+CERTHASH/)));
    assert.ok(refs.some((r) => /ITLSEP001122334455\.tlv\.itlview/.test(r.uri)));
    const withDecl = await client.request<Location[]>('textDocument/references', { ...at(uri('cluster/CAPF.pem'), 3), context: { includeDeclaration: true } });
    assert.equal(withDecl.length, 4);
    const fromRecord = await client.request<Location[]>('textDocument/references', { ...at(itl.viewUri, lineOf(/^ITL Record #:6 /)), context: { includeDeclaration: true } });
    // CallManager (ao115sub) is SAST #5 and TFTP #6 in both trust lists, and CallManager.pem holds it.
    assert.equal(fromRecord.length, 5);
  });

  it('links the title to the source and CERTHASH values to the certificate file', async () => {
    const links = await client.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: itl.viewUri } });
    assert.equal(links[0].target, uri('cluster/ITLFile.tlv'));
    assert.equal(lines[0].slice(links[0].range.start.character, links[0].range.end.character), 'cluster/ITLFile.tlv');
    const certhash = links.find((l) => l.range.start.line === lineOf(/^1160\s+11\s+CERTHASH/))!;
    assert.match(certhash.target!, /CAPF\.(pem|der)/);
    assert.match(lines[certhash.range.start.line].slice(certhash.range.start.character), /^[0-9A-F]{2} /);
  });

  it('maps a view line to its source bytes', async () => {
    const r = await client.request<ByteOffsetResult>('itlLens/byteOffset', { viewUri: itl.viewUri, line: lineOf(/^1160\s+11\s+CERTHASH/) });
    assert.deepEqual(r, { sourceUri: uri('cluster/ITLFile.tlv'), offset: 1160, length: 23 });
    assert.equal(await client.request('itlLens/byteOffset', { viewUri: itl.viewUri, line: 1 }), null);
  });

  it('PEM files: outline of the bundle, folding per block, hover with the decoded summary, issuer definition', async () => {
    const text = fs.readFileSync(ws.path('certs/bundle.pem'), 'utf8');
    await client.notify('textDocument/didOpen', { textDocument: { uri: uri('certs/bundle.pem'), languageId: 'pem', version: 1, text } });
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: uri('certs/bundle.pem') } });
    assert.deepEqual(symbols.map((s) => [s.name, s.range.start.line, s.range.end.line]), [
      ['Certificate #1 phone-proxy.example', 2, 22],
      ['Certificate #2 Lab Root CA', 25, 45],
    ]);
    const folds = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri: uri('certs/bundle.pem') } });
    assert.deepEqual(folds.map((f) => [f.startLine, f.endLine]), [[2, 22], [25, 45]]);
    const hover = await client.request<Hover>('textDocument/hover', at(uri('certs/bundle.pem'), 30));
    assert.match((hover.contents as MarkupContent).value, /\*\*Certificate #2\*\* CN=Lab Root CA/);
    assert.deepEqual(hover.range, { start: { line: 25, character: 0 }, end: { line: 45, character: 25 } });
    assert.equal(await client.request('textDocument/hover', at(uri('certs/bundle.pem'), 0)), null);
    const issuer = await client.request<Location[]>('textDocument/definition', at(uri('certs/bundle.pem'), 10));
    assert.deepEqual(issuer.map((l) => [l.uri, l.range.start.line]), [[uri('certs/bundle.pem'), 25]]);
  });
});
