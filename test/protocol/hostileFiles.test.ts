/**
 * A big or hostile file does not stall the language server: files over the editor's limit are not decoded and
 * get one `file-too-large-to-decode` error; a hostile file under it is decoded in linear time. Meanwhile requests
 * on another file are answered promptly. (Before the PEM scan was made one pass, a 0.29 MB file of BEGIN lines
 * blocked the server for 8.75 s; the 0.9 MB one opened here would have taken minutes.)
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Diagnostic } from 'vscode-languageserver-protocol';
import { EDITOR_MAX_DECODED_BYTES } from '../../server/src/core/decodeLimit';
import { TEST_NOW } from '../helpers/fixtures';
import { fileUri, LspTestClient } from './lspTestClient';
import { TestWorkspace } from './testWorkspace';

/** Generous: a request queued behind a decode of the files opened here answers in a few tens of ms. */
const ANSWER_WITHIN_MS = 3_000;

const repeated = (unit: string | Buffer, size: number) => {
  const b = Buffer.from(unit);
  return Buffer.alloc(Math.ceil(size / b.length) * b.length, b);
};

async function answeredWithin<T>(what: string, p: Promise<T>): Promise<{ value: T; ms: number }> {
  const t = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ANSWER_WITHIN_MS} ms`)), ANSWER_WITHIN_MS)));
  try {
    const value = await Promise.race([p, late]);
    return { value, ms: Date.now() - t };
  } finally {
    clearTimeout(timer);
  }
}

describe('protocol: big and hostile files', function () {
  this.timeout(60_000);
  let ws: TestWorkspace;
  let client: LspTestClient;
  const uri = (rel: string) => fileUri(ws.path(rel));
  const tooLarge = (d: Diagnostic[]) => d.filter((x) => x.code === 'file-too-large-to-decode');

  before(async () => {
    ws = new TestWorkspace(['cluster/ITLFile.tlv', 'cluster/CAPF.pem']);
    // On disk, over the limit: a trust list of tiny elements and a PEM file of BEGIN lines.
    fs.mkdirSync(ws.path('big'));
    fs.writeFileSync(ws.path('big/ITLFile.tlv'), Buffer.concat([Buffer.from([1, 0, 2, 1, 2]), repeated(Buffer.from([3, 0, 0]), EDITOR_MAX_DECODED_BYTES + 3)]));
    fs.writeFileSync(ws.path('big/dos.pem'), repeated('-----BEGIN A-----\n', EDITOR_MAX_DECODED_BYTES * 2));
    client = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString() } });
    await client.indexed();
  });
  after(async () => {
    if (client) assert.equal(await client.stop(), 0);
    ws?.dispose();
  });

  it('gives a file over the limit on disk one error: its size, the limit, and what to do', async () => {
    for (const rel of ['big/ITLFile.tlv', 'big/dos.pem']) {
      const size = fs.statSync(ws.path(rel)).size;
      const found = await client.diagnostics(uri(rel), (d) => tooLarge(d).length > 0);
      // Nothing else was decoded; a trust list over 64 KB also gets the size rule phones apply (file-too-large).
      assert.deepEqual(found.map((d) => d.code).sort(), rel.endsWith('.tlv') ? ['file-too-large', 'file-too-large-to-decode'] : ['file-too-large-to-decode']);
      const [d] = tooLarge(found);
      const message = String(d.message);
      assert.equal(d.severity, 1); // Error
      assert.deepEqual(d.range.start, { line: 0, character: 0 });
      assert.match(message, /^File too large to decode/);
      assert.ok(message.includes(`${size.toLocaleString('en-US')} bytes`), message);
      assert.ok(message.includes(`limit of ${EDITOR_MAX_DECODED_BYTES.toLocaleString('en-US')} bytes`), message);
      assert.match(message, /itl-lens decode/);
    }
  });

  it('answers hover and outline on another file at once while hostile PEM documents are opened', async () => {
    const since = client.notifications.length;
    const capf = uri('cluster/CAPF.pem');
    // Under the limit, decoded (the old scan took minutes on this); over the limit, not decoded.
    const under = repeated('-----BEGIN A-----\n', Math.floor(EDITOR_MAX_DECODED_BYTES * 0.9)).toString('latin1');
    const over = repeated('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n', EDITOR_MAX_DECODED_BYTES * 3).toString('latin1');
    await client.notify('textDocument/didOpen', { textDocument: { uri: uri('open/under.pem'), languageId: 'pem', version: 1, text: under } });
    await client.notify('textDocument/didOpen', { textDocument: { uri: uri('open/over.pem'), languageId: 'pem', version: 1, text: over } });
    const hover = await answeredWithin('hover', client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: capf }, position: { line: 0, character: 0 } }));
    assert.ok(hover.value?.contents.value.includes('CAPF'), JSON.stringify(hover.value));
    const symbols = await answeredWithin('documentSymbol', client.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri: capf } }));
    assert.equal(symbols.value.length, 1);
    const overFound = await client.diagnostics(uri('open/over.pem'), (d) => tooLarge(d).length > 0, since);
    assert.deepEqual(overFound.map((d) => d.code), ['file-too-large-to-decode']);
    // The one under the limit is decoded: its blocks are there (unterminated, every one).
    const underFound = await client.diagnostics(uri('open/under.pem'), (d) => d.length > 0, since);
    assert.ok(underFound.every((d) => d.code !== 'file-too-large-to-decode'));
    assert.ok(underFound.some((d) => d.code === 'pem-unterminated' || d.code === 'pem-too-many-blocks'), underFound.map((d) => d.code).join(', '));
    const again = await answeredWithin('hover after the diagnostics', client.request('textDocument/hover', { textDocument: { uri: capf }, position: { line: 0, character: 0 } }));
    assert.ok(again.value);
    assert.ok(client.alive);
  });
});
