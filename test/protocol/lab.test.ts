/** The CAPF lab through the language server: start/stop, the install test, the code lens, the device table. */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CodeLens } from 'vscode-languageserver-protocol';
import {
  Commands,
  LabInstallTestResult,
  LabServerInfo,
  viewUriForSource,
} from '../../server/src/shared/lspExtensions';
import { TEST_NOW } from '../helpers/fixtures';
import { fileUri, LspTestClient } from './lspTestClient';
import { TestWorkspace } from './testWorkspace';

describe('protocol: the CAPF lab in the server process', function () {
  this.timeout(120_000);
  let ws: TestWorkspace;
  let client: LspTestClient;
  const stateDir = () => ws.path('.itl-lens-lab');

  before(async () => {
    ws = new TestWorkspace(['cluster/ITLFile.tlv', 'no-capf/ITLFile.tlv']);
    client = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString(), workspaceTrusted: true } });
    await client.indexed();
  });
  after(async () => {
    await client?.stop();
    ws?.dispose();
  });

  it('runs the one-shot install test when no server runs: the phone installs an LSC (RSA 2048, null string)', async () => {
    const r = await client.request<LabInstallTestResult>('itlLens/lab/installTest', { stateDir: stateDir() });
    assert.equal(r.success, true, r.report);
    const messages = r.timeline.map((t) => t.message);
    assert.ok(messages.includes('LSC: Pending'), messages.join(' | '));
    assert.equal(messages.at(-1), 'LSC: Installed');
    assert.match(r.operationStatus ?? '', /Upgrade Success/);
    assert.ok(r.lscPath && fs.existsSync(r.lscPath), 'the LSC is written where the client can open it');
    assert.match(fs.readFileSync(r.lscPath!, 'utf8'), /BEGIN CERTIFICATE/);
    assert.equal((await client.request<LabServerInfo>('itlLens/lab/serverInfo', undefined)).running, false, 'the one-shot lab leaves nothing running');
  });

  it("shows each table entry's Certificate Operation Status from the server's state on hover", async () => {
    // after the install above: the table the lab wrote, opened in the editor as VS Code sends it
    const tablePath = path.join(stateDir(), 'capf-devices.json');
    const text = fs.readFileSync(tablePath, 'utf8');
    const tableUri = fileUri(tablePath);
    await client.notify('textDocument/didOpen', { textDocument: { uri: tableUri, languageId: 'json', version: 1, text } });
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('"SEP001122334455"'));
    const hover = await client.request<{ contents: { value: string }; range: { start: { line: number } } } | null>('textDocument/hover', { textDocument: { uri: tableUri }, position: { line, character: lines[line].indexOf('SEP') } });
    assert.ok(hover, 'a hover on the entry');
    assert.match(hover.contents.value, /SEP001122334455.*Certificate Operation Status \*\*Upgrade Success\*\*/);
    const lscSerial = new crypto.X509Certificate(fs.readFileSync(path.join(stateDir(), 'phones', 'SEP001122334455', 'lsc.pem'))).serialNumber;
    const shownSerial = /LSC: serial ([0-9A-Fa-f:]+)/.exec(hover.contents.value)?.[1]?.replace(/:/g, '');
    assert.equal(shownSerial?.replace(/^0+/, '').toUpperCase(), lscSerial.replace(/^0+/, '').toUpperCase(), 'the serial of the LSC the phone holds');
    assert.ok(hover.range.start.line < line, 'the range is the whole entry');
    // off the entries: no hover; the table is the editor's, never rewritten
    assert.equal(await client.request('textDocument/hover', { textDocument: { uri: tableUri }, position: { line: 0, character: 0 } }), null);
    await client.notify('textDocument/didClose', { textDocument: { uri: tableUri } });
    assert.equal(fs.readFileSync(tablePath, 'utf8'), text);
  });

  it('starts a lab server on loopback, installs against it, and stops it', async () => {
    const info = await client.request<LabServerInfo>('itlLens/lab/startServer', { stateDir: stateDir(), host: '127.0.0.1', port: 0 });
    assert.equal(info.running, true);
    assert.equal(info.host, '127.0.0.1');
    assert.ok(info.port! > 0);
    assert.ok(fs.existsSync(info.capfCertificatePath!));
    const again = await client.request<LabServerInfo>('itlLens/lab/startServer', { stateDir: stateDir(), port: 0 });
    assert.equal(again.port, info.port, 'starting twice keeps the running server');
    const r = await client.request<LabInstallTestResult>('itlLens/lab/installTest', { stateDir: stateDir(), device: 'SEP00AABBCCDDEE' });
    assert.equal(r.success, true, r.report);
    const stopped = await client.request<LabServerInfo>('itlLens/lab/stopServer', undefined);
    assert.equal(stopped.running, false);
  });

  it("reproduces 'LSC: Connection Failed' with an ITL whose CAPF record is not the lab's CAPF certificate", async () => {
    const r = await client.request<LabInstallTestResult>('itlLens/lab/installTest', { stateDir: stateDir(), itlUri: fileUri(ws.path('cluster/ITLFile.tlv')) });
    assert.equal(r.success, false);
    assert.match(r.timeline.at(-1)!.message, /LSC: Connection Failed/);
    assert.equal(r.lscPath, undefined);
  });

  it("reproduces 'No valid CAPF server' with an ITL without a CAPF record", async () => {
    const r = await client.request<LabInstallTestResult>('itlLens/lab/installTest', { stateDir: stateDir(), itlUri: fileUri(ws.path('no-capf/ITLFile.tlv')) });
    assert.equal(r.success, false);
    assert.ok(r.timeline.some((t) => /No valid CAPF server/.test(t.message)), r.report);
  });

  it('offers a code lens on the CAPF record of an ITL view', async () => {
    const source = fileUri(ws.path('cluster/ITLFile.tlv'));
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: viewUriForSource(source, 'trust-list') } });
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].command?.command, Commands.runLscInstallTest);
    assert.deepEqual(lenses[0].command?.arguments, [source]);
    const view = await client.request<{ text: string }>('itlLens/decodedView', { sourceUri: source });
    assert.match(view.text.split('\n')[lenses[0].range.start.line], /^ITL Record #:1 {2}CAPF/);
    const none = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: viewUriForSource(fileUri(ws.path('no-capf/ITLFile.tlv')), 'trust-list') } });
    assert.deepEqual(none, []);
  });

  it('returns the device table path, creating the lab folder and a first device', async () => {
    const r = await client.request<{ path: string }>('itlLens/lab/deviceTable', { stateDir: stateDir() });
    assert.ok(r.path.startsWith(stateDir()));
    const table = JSON.parse(fs.readFileSync(r.path, 'utf8'));
    assert.ok(JSON.stringify(table).includes('SEP'));
    assert.equal(path.basename(r.path).endsWith('.json'), true);
  });

  it('answers a bad install request with an error and keeps serving', async () => {
    await assert.rejects(client.request('itlLens/lab/installTest', { stateDir: stateDir(), itlUri: 'untitled:nothing' }), /not a file on disk/);
    assert.equal((await client.request<LabServerInfo>('itlLens/lab/serverInfo', undefined)).running, false);
  });
});
