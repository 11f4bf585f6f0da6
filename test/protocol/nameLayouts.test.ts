import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Diagnostic, Hover, Location, MarkupContent } from 'vscode-languageserver-protocol';
import { DecodedViewResult } from '../../server/src/shared/lspExtensions';
import { TEST_NOW } from '../helpers/fixtures';
import { fileUri, LspTestClient } from './lspTestClient';
import { TestWorkspace } from './testWorkspace';

/**
 * Trust lists written the tlvfile way (`,` names in the certificate's order, C first; its record tag order)
 * beside the same certificate files: links, references and rules find the certificates as they do for CUCM's.
 */
describe('protocol: trust lists written by tlvfile', function () {
  let ws: TestWorkspace;
  let client: LspTestClient;
  let lines: string[];
  let view: string;
  const uri = (rel: string) => fileUri(ws.path(rel));
  const at = (u: string, line: number) => ({ textDocument: { uri: u }, position: { line, character: 2 } });
  /** The first line matching `re` at or after the heading of record #n (0: the header). */
  const lineIn = (n: number, re: RegExp) => {
    const from = n === 0 ? 0 : lines.findIndex((l) => l.startsWith(`ITL Record #:${n} `));
    const i = lines.findIndex((l, k) => k > from && re.test(l));
    assert.ok(from >= 0 && i > from, `no line ${re} in record #${n}`);
    return i;
  };
  const definitionUris = async (line: number) => (await client.request<Location[]>('textDocument/definition', at(view, line))).map((d) => d.uri);

  before(async () => {
    ws = new TestWorkspace(
      ['cluster/ITLFile.tlv', 'cluster/CAPF.pem', 'cluster/CallManager.pem', 'capf-regenerated/ITLFile.tlv', 'capf-regenerated/CAPF.pem'],
      'tlvfile',
    );
    client = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString() } });
    await client.indexed();
    const decoded = await client.request<DecodedViewResult>('itlLens/decodedView', { sourceUri: uri('cluster/ITLFile.tlv') });
    view = decoded.viewUri;
    lines = decoded.text.split('\n');
    await client.notify('textDocument/didOpen', { textDocument: { uri: view, languageId: 'itl-view', version: 1, text: decoded.text } });
  });
  after(async () => {
    await client?.stop();
    ws?.dispose();
  });

  it('is a tlvfile-written file that verifies, its signer found', async () => {
    assert.match(lines[lineIn(1, /SUBJECTNAME/)], /C=US,ST=MA,L=Boxborough,O=Cisco Systems,OU=TAC,CN=CAPF-7f0ae8d7$/);
    assert.match(lines.join('\n'), /^Verdict: The ITL file was verified successfully\.$/m);
    const defs = await client.request<Location[]>('textDocument/definition', at(view, lineIn(0, /^\d+\s+5\s+SERIALNUMBER/)));
    assert.deepEqual(defs.map((d) => d.range.start.line), [lines.findIndex((l) => l.startsWith('ITL Record #:5 '))]);
  });

  it('goes from ISSUERNAME, SERIALNUMBER and SUBJECTNAME to the certificate files', async () => {
    assert.deepEqual(await definitionUris(lineIn(5, /^\d+\s+5\s+ISSUERNAME/)), [uri('cluster/CallManager.pem')], 'issuer by subject');
    assert.deepEqual(await definitionUris(lineIn(5, /^\d+\s+6\s+SERIALNUMBER/)), [uri('cluster/CallManager.pem')], 'issuer + serial');
    assert.deepEqual(await definitionUris(lineIn(1, /^\d+\s+3\s+SUBJECTNAME/)), [uri('cluster/CAPF.pem')], 'the hash-only CAPF record');
    const hover = (await client.request<Hover>('textDocument/hover', at(view, lineIn(1, /^\d+\s+6\s+SERIALNUMBER/)))).contents as MarkupContent;
    assert.match(hover.value, /Matching certificate file/);
  });

  it('finds the records that carry a certificate file', async () => {
    const pem = fs.readFileSync(ws.path('cluster/CallManager.pem'), 'utf8');
    await client.notify('textDocument/didOpen', { textDocument: { uri: uri('cluster/CallManager.pem'), languageId: 'pem', version: 1, text: pem } });
    const refs = await client.request<Location[]>('textDocument/references', { ...at(uri('cluster/CallManager.pem'), 3), context: { includeDeclaration: false } });
    // ao115sub's CallManager certificate is SAST #5 and TFTP #6 in both trust lists.
    assert.equal(refs.filter((r) => r.uri === view).length, 2);
  });

  it('reports capf-mismatch for a CAPF certificate regenerated after the ITL was built', async () => {
    const d: Diagnostic[] = await client.diagnostics(uri('capf-regenerated/ITLFile.tlv'), (x) => x.length > 0);
    assert.deepEqual(d.map((x) => x.code), ['capf-mismatch']);
    assert.deepEqual(client.publishedDiagnostics(uri('cluster/ITLFile.tlv')), []);
  });
});
