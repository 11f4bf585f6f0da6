import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ResponseError } from 'vscode-jsonrpc';
import { DecodedViewResult, viewUriForSource } from '../../server/src/shared/lspExtensions';
import { TEST_NOW } from '../helpers/fixtures';
import { fileUri, LspTestClient } from './lspTestClient';
import { TestWorkspace } from './testWorkspace';

async function rejection(p: Promise<unknown>): Promise<ResponseError<unknown>> {
  try {
    await p;
  } catch (e) {
    return e as ResponseError<unknown>;
  }
  assert.fail('expected the request to fail');
}

describe('protocol: robustness', function () {
  let ws: TestWorkspace;

  before(() => {
    ws = new TestWorkspace(['cluster/ITLFile.tlv', 'cluster/CAPF.pem', 'malformed/garbage.tlv', 'certs/garbage.pem']);
  });
  after(() => ws?.dispose());

  it('answers ServerNotInitialized to requests before initialize, then initializes normally', async () => {
    const client = await LspTestClient.start({ folders: [ws.root], skipInitialize: true });
    try {
      const err = await rejection(client.request('itlLens/decodedView', { sourceUri: fileUri(ws.path('cluster/ITLFile.tlv')) }));
      assert.equal(err.code, -32002);
      const hoverErr = await rejection(client.request('textDocument/hover', { textDocument: { uri: 'file:///x' }, position: { line: 0, character: 0 } }));
      assert.equal(hoverErr.code, -32002);
      await client.initialize({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString() } });
      const status = await client.indexed();
      assert.equal(status.trustLists, 2);
    } finally {
      assert.equal(await client.stop(), 0);
    }
  });

  it('never crashes on bad requests, and keeps serving', async () => {
    const client = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString() } });
    try {
      await client.indexed();
      const missing = await rejection(client.request('itlLens/decodedView', { sourceUri: fileUri(ws.path('nope/ITLFile.tlv')) }));
      assert.equal(missing.code, -32803);
      assert.match(missing.message, /Cannot decode .*nope\/ITLFile\.tlv/);
      assert.equal((await rejection(client.request('itlLens/decodedView', { sourceUri: 'untitled:Untitled-1' }))).code, -32803);
      assert.equal((await rejection(client.request('itlLens/decodedView', { sourceUri: '%%% not a uri' }))).code, -32803);
      assert.equal((await rejection(client.request('itlLens/decodedView', {}))).code, -32803);
      assert.equal((await rejection(client.request('itlLens/decodedView', null))).code, -32803);
      const garbage = await client.request<DecodedViewResult>('itlLens/decodedView', { sourceUri: fileUri(ws.path('malformed/garbage.tlv')) });
      assert.match(garbage.text, /Problem \[/);
      const pos = { line: 0, character: 0 };
      for (const uri of ['file:///no/such/file.pem', 'itl-lens-view:/x.itlview', 'itl-lens-view:/x.itlview?%E0%A4%A', 'untitled:x', 'not a uri at all', viewUriForSource('file:///no/such.tlv', 'trust-list')]) {
        assert.equal(await client.request('textDocument/hover', { textDocument: { uri }, position: pos }), null, uri);
        assert.deepEqual(await client.request('textDocument/definition', { textDocument: { uri }, position: pos }), [], uri);
        // no answer (null): not ours to outline or fold
        assert.equal(await client.request('textDocument/documentSymbol', { textDocument: { uri } }), null, uri);
        assert.equal(await client.request('textDocument/foldingRange', { textDocument: { uri } }), null, uri);
        assert.equal(await client.request('itlLens/byteOffset', { viewUri: uri, line: 3 }), null, uri);
      }
      assert.equal(await client.request('textDocument/hover', {}), null);
      // JSON-RPC itself refuses positional (null) params for LSP requests: an error answer, not a crash.
      assert.equal((await rejection(client.request('textDocument/hover', null))).code, -32602);
      const view = viewUriForSource(fileUri(ws.path('cluster/ITLFile.tlv')), 'trust-list');
      assert.equal(await client.request('textDocument/hover', { textDocument: { uri: view }, position: { line: 100000, character: -5 } }), null);
      assert.deepEqual(await client.request('textDocument/references', { textDocument: { uri: view }, position: { line: -1, character: 0 } }), []);
      assert.equal(await client.request('itlLens/byteOffset', { viewUri: view, line: 'seven' }), null);
      const unknown = await rejection(client.request('itlLens/noSuchRequest', {}));
      assert.equal(unknown.code, -32601);
      // Garbage notifications and a file that vanished before the server could read it.
      await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: 'file:///gone/ITLFile.tlv', type: 1 }, { uri: 42, type: 9 }] });
      await client.notify('workspace/didChangeWatchedFiles', null);
      await client.notify('textDocument/didOpen', { textDocument: { uri: 'untitled:1', languageId: 'pem', version: 1, text: '-----BEGIN CERTIFICATE-----\n!!!\n' } });
      const untitled = await client.diagnostics('untitled:1', (d) => d.length > 0);
      assert.ok(untitled.some((d) => d.code === 'pem-unterminated'));
      // A source deleted while its view is open: requests on the view still answer.
      const gone = await client.request<DecodedViewResult>('itlLens/decodedView', { sourceUri: fileUri(ws.path('certs/garbage.pem')) });
      fs.rmSync(ws.path('certs/garbage.pem'));
      await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(ws.path('certs/garbage.pem')), type: 3 }] });
      assert.deepEqual(await client.diagnostics(fileUri(ws.path('certs/garbage.pem')), (d) => d.length === 0), []);
      assert.equal(await client.request('textDocument/hover', { textDocument: { uri: gone.viewUri }, position: { line: 2, character: 0 } }), null);
      // Still alive and serving.
      const ok = await client.request<DecodedViewResult>('itlLens/decodedView', { sourceUri: fileUri(ws.path('cluster/ITLFile.tlv')) });
      assert.match(ok.text, /verified successfully/);
      assert.ok(client.alive);
    } finally {
      assert.equal(await client.stop(), 0);
    }
  });

  describe('bytes that break the stdio framing', () => {
    const valid = (o: unknown) => {
      const body = Buffer.from(JSON.stringify(o));
      return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
    };
    const hover = { jsonrpc: '2.0', id: 9001, method: 'textDocument/hover', params: { textDocument: { uri: 'file:///x' }, position: { line: 0, character: 0 } } };
    // each of these left vscode-jsonrpc's reader unable to find the next message: the server never answered again
    const cases: Array<[string, Buffer, RegExp]> = [
      ['a Content-Length that is not a number', Buffer.from('Content-Length: abc\r\n\r\n'), /Content-Length "abc" is not a number of bytes/],
      ['a header without Content-Length', Buffer.from('Content-Type: application/json\r\n\r\n{}'), /a message header without Content-Length/],
      ['text with no header end, then a good message', Buffer.concat([Buffer.from('hello there '), valid(hover)]), /a message header line without "Name: value": "hello there Content-Length|a message header without Content-Length/],
    ];
    for (const [name, garbage, expected] of cases) {
      it(`${name}: the server logs it and exits with an error, and a new server serves`, async () => {
        const client = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString() } });
        await client.indexed();
        client.child.stdin!.write(garbage);
        client.child.stdin!.write(valid(hover));
        assert.equal(await client.waitForExit(10_000), 1, client.stderr);
        assert.match(client.stderr, /ITL Lens: the language server's input is not Language Server Protocol messages \(/);
        assert.match(client.stderr, expected);
        assert.match(client.stderr, /exiting so that the client starts the server again/);
        // what the editor's client does next: start it again
        const again = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString() } });
        try {
          assert.equal((await again.indexed()).trustLists, 2);
        } finally {
          assert.equal(await again.stop(), 0);
        }
      });
    }

    it('a body that is not JSON (the framing intact) is reported and the server keeps serving', async () => {
      const client = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString() } });
      try {
        await client.indexed();
        client.child.stdin!.write(Buffer.from('Content-Length: 5\r\n\r\n{bad}'));
        const ok = await client.request<DecodedViewResult>('itlLens/decodedView', { sourceUri: fileUri(ws.path('cluster/ITLFile.tlv')) });
        assert.match(ok.text, /verified successfully/);
        assert.ok(client.alive);
      } finally {
        assert.equal(await client.stop(), 0);
      }
    });
  });
});
