import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Diagnostic, DiagnosticSeverity, FileChangeType } from 'vscode-languageserver-protocol';
import { DecodedViewResult, ViewChangedNotification, ViewChangedParams, viewUriForSource } from '../../server/src/shared/lspExtensions';
import { TEST_NOW } from '../helpers/fixtures';
import { fileUri, LspTestClient } from './lspTestClient';
import { TestWorkspace } from './testWorkspace';

const codes = (d: Diagnostic[]) => d.map((x) => String(x.code)).sort();

describe('protocol: diagnostics over the whole workspace', function () {
  let ws: TestWorkspace;
  let client: LspTestClient;
  const uri = (rel: string) => fileUri(ws.path(rel));

  before(async () => {
    ws = new TestWorkspace([
      'cluster/ITLFile.tlv',
      'cluster/CAPF.pem',
      'cluster/CallManager.pem',
      'capf-expired/ITLFile.tlv',
      'capf-expired/CAPF.pem',
      'tampered/ITLFile.tlv',
      'no-capf/ITLFile.tlv',
      'certs/expired.pem',
      'certs/bundle.pem',
      ['cluster/ITLFile.tlv', 'regen/ITLFile.tlv'],
    ]);
    client = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString() } });
  });
  after(async () => {
    await client?.stop();
    ws?.dispose();
  });

  it('indexes every trust list and certificate file and reports the workspace status', async () => {
    const status = await client.indexed();
    assert.equal(status.trustLists, 5);
    assert.equal(status.certificates, 5);
    assert.ok(status.errors >= 3, JSON.stringify(status));
    assert.ok(status.filesWithErrors!.includes(uri('tampered/ITLFile.tlv')));
    assert.ok(!status.filesWithErrors!.includes(uri('cluster/ITLFile.tlv')));
  });

  it('publishes on source URIs of files nobody opened', async () => {
    assert.deepEqual(codes(await client.diagnostics(uri('tampered/ITLFile.tlv'))), ['signature-invalid']);
    assert.deepEqual(codes(await client.diagnostics(uri('no-capf/ITLFile.tlv'))), ['capf-missing']);
    const capf = await client.diagnostics(uri('capf-expired/ITLFile.tlv'));
    assert.deepEqual(codes(capf), ['capf-expired']);
    assert.equal(capf[0].severity, DiagnosticSeverity.Error);
    assert.equal(capf[0].source, 'itl-lens');
    assert.equal((capf[0].data as { byteOffset: number }).byteOffset, 1160);
    assert.equal(capf[0].relatedInformation?.[0].location.uri, uri('capf-expired/CAPF.pem'));
    const pem = await client.diagnostics(uri('certs/expired.pem'));
    assert.deepEqual(codes(pem), ['cert-expired']);
    assert.deepEqual(pem[0].range, { start: { line: 0, character: 0 }, end: { line: 22, character: 25 } });
  });

  const openView = (view: string, languageId = 'itl-view') =>
    client.notify('textDocument/didOpen', { textDocument: { uri: view, languageId, version: 1, text: '' } });

  it('publishes nothing on the view URI of a view nobody opened (the Problems panel lists each problem once)', async () => {
    await client.diagnostics(uri('capf-expired/ITLFile.tlv'), (x) => x.length > 0);
    assert.deepEqual(client.publishedDiagnostics(viewUriForSource(uri('capf-expired/ITLFile.tlv'), 'trust-list')), []);
  });

  it('publishes on view URIs too once the view is open, on the exact view line; clears them when it closes', async () => {
    const view = viewUriForSource(uri('capf-expired/ITLFile.tlv'), 'trust-list');
    const since = client.notifications.length;
    await openView(view);
    const d = await client.diagnostics(view, (x) => x.length > 0, since);
    assert.deepEqual(codes(d), ['capf-expired']);
    const result = await client.request<DecodedViewResult>('itlLens/decodedView', { sourceUri: uri('capf-expired/ITLFile.tlv') });
    assert.equal(result.viewUri, view);
    const line = result.text.split('\n')[d[0].range.start.line];
    assert.match(line, /^1160\s+11\s+CERTHASH\s+20\s+/);
    assert.equal(d[0].range.start.character, 0);
    assert.equal(d[0].range.end.character, line.length);
    const closing = client.notifications.length;
    await client.notify('textDocument/didClose', { textDocument: { uri: view } });
    assert.deepEqual(await client.diagnostics(view, (x) => x.length === 0, closing), []);
  });

  it('republishes when a CAPF.pem appears next to an ITL, and when it goes away', async () => {
    assert.deepEqual(client.publishedDiagnostics(uri('regen/ITLFile.tlv')), []);
    await openView(viewUriForSource(uri('regen/ITLFile.tlv'), 'trust-list'));
    const since = client.notifications.length;
    const pem = ws.copy('capf-regenerated/CAPF.pem', 'regen/CAPF.pem');
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(pem), type: FileChangeType.Created }] });
    const d = await client.diagnostics(uri('regen/ITLFile.tlv'), (x) => x.length > 0, since);
    assert.deepEqual(codes(d), ['capf-mismatch']);
    assert.match(String(d[0].message), /LSC: Connection Failed/);
    const view = await client.diagnostics(viewUriForSource(uri('regen/ITLFile.tlv'), 'trust-list'), (x) => x.length > 0, since);
    assert.deepEqual(codes(view), ['capf-mismatch']);
    const before = client.notifications.length;
    ws.remove('regen/CAPF.pem');
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(pem), type: FileChangeType.Deleted }] });
    assert.deepEqual(await client.diagnostics(uri('regen/ITLFile.tlv'), (x) => x.length === 0, before), []);
  });

  it('sends ViewChangedNotification and new diagnostics when a trust list changes on disk', async () => {
    const since = client.notifications.length;
    fs.copyFileSync(ws.path('tampered/ITLFile.tlv'), ws.path('regen/ITLFile.tlv'));
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('regen/ITLFile.tlv'), type: FileChangeType.Changed }] });
    const changed = await client.waitFor<ViewChangedParams>(ViewChangedNotification.method, (p) => p.sourceUri === uri('regen/ITLFile.tlv'), since);
    assert.equal(changed.viewUri, viewUriForSource(uri('regen/ITLFile.tlv'), 'trust-list'));
    assert.deepEqual(codes(await client.diagnostics(uri('regen/ITLFile.tlv'), (x) => x.length > 0, since)), ['signature-invalid']);
    const view = await client.request<DecodedViewResult>('itlLens/decodedView', { sourceUri: uri('regen/ITLFile.tlv') });
    assert.match(view.text, /^Verdict: The signature does not verify/m);
  });

  it('clears diagnostics of a deleted folder', async () => {
    const since = client.notifications.length;
    ws.remove('no-capf');
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('no-capf'), type: FileChangeType.Deleted }] });
    assert.deepEqual(await client.diagnostics(uri('no-capf/ITLFile.tlv'), (x) => x.length === 0, since), []);
    const status = await client.waitFor<{ trustLists: number }>('itlLens/workspaceStatus', (s) => s.trustLists === 4, since);
    assert.equal(status.trustLists, 4);
  });

  it('reads a folder copied in whose files were not reported, only the folder (real watchers do that)', async () => {
    const since = client.notifications.length;
    ws.copy('tampered/ITLFile.tlv', 'copied/site-1/ITLFile.tlv');
    ws.copy('certs/expired.pem', 'copied/expired.pem');
    ws.copy('tampered/ITLFile.tlv', 'copied/node_modules/pkg/ITLFile.tlv');
    fs.writeFileSync(ws.path('copied/notes.txt'), 'not a trust list');
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('copied'), type: FileChangeType.Created }] });
    assert.deepEqual(codes(await client.diagnostics(uri('copied/site-1/ITLFile.tlv'), (x) => x.length > 0, since)), ['signature-invalid']);
    assert.ok((await client.diagnostics(uri('copied/expired.pem'), (x) => x.length > 0, since)).length > 0);
    const status = await client.waitFor<{ trustLists: number }>('itlLens/workspaceStatus', (s) => s.trustLists === 5, since);
    assert.equal(status.trustLists, 5, 'the copy in node_modules stays out');
    // created files the server does not read, and paths gone again, are passed over
    await client.notify('workspace/didChangeWatchedFiles', {
      changes: [
        { uri: uri('copied/notes.txt'), type: FileChangeType.Created },
        { uri: uri('vanished-folder'), type: FileChangeType.Created },
      ],
    });
    await client.request('itlLens/decodedView', { sourceUri: uri('copied/site-1/ITLFile.tlv') }); // a round trip
    assert.deepEqual(client.publishedDiagnostics(uri('copied/node_modules/pkg/ITLFile.tlv')), []);
    assert.ok(client.alive);
  });

  it('checks the text of an open PEM document, not the file on disk', async () => {
    const since = client.notifications.length;
    const valid = fs.readFileSync(ws.path('cluster/CAPF.pem'), 'utf8');
    await client.notify('textDocument/didOpen', { textDocument: { uri: uri('certs/expired.pem'), languageId: 'pem', version: 1, text: valid } });
    assert.deepEqual(await client.diagnostics(uri('certs/expired.pem'), (x) => x.length === 0, since), []);
    const later = client.notifications.length;
    await client.notify('textDocument/didClose', { textDocument: { uri: uri('certs/expired.pem') } });
    assert.deepEqual(codes(await client.diagnostics(uri('certs/expired.pem'), (x) => x.length > 0, later)), ['cert-expired']);
  });

  it('checks an open CAPF device table against the clock (standard document sync), on the deadline value', async () => {
    const tableUri = uri('.itl-lens-lab/capf-devices.json'); // not on disk: only its open text counts
    const editor = jsonEditor(client);
    const entry = (deadline: string) => ({ name: 'SEP001122334455', certificateOperation: 'Install/Upgrade', authenticationMode: 'By Null String', operationCompletesBy: deadline });
    const text = (deadline: string) => `${JSON.stringify({ devices: [entry(deadline)] }, null, 2)}\n`;
    const passed = new Date(TEST_NOW.getTime() - 60_000).toISOString();
    let since = client.notifications.length;
    await editor.open(tableUri, text(passed));
    const [d, ...more] = await client.diagnostics(tableUri, (x) => x.length > 0, since);
    assert.equal(more.length, 0);
    assert.equal(d.code, 'operation-deadline-passed');
    assert.equal(d.severity, DiagnosticSeverity.Error);
    const valueLine = text(passed).split('\n').findIndex((l) => l.includes('operationCompletesBy'));
    const valueStart = text(passed).split('\n')[valueLine].indexOf(`"${passed}"`);
    assert.deepEqual(d.range, { start: { line: valueLine, character: valueStart }, end: { line: valueLine, character: valueStart + passed.length + 2 } });
    assert.match(String(d.message), /User Initiated Request Late\/Timedout/);
    // a deadline moved two hours ahead clears it; closing the editor clears whatever is left
    since = client.notifications.length;
    await editor.change(tableUri, text(new Date(TEST_NOW.getTime() + 7_200_000).toISOString()));
    assert.deepEqual(await client.diagnostics(tableUri, (x) => x.length === 0, since), []);
    since = client.notifications.length;
    await editor.change(tableUri, text(new Date(TEST_NOW.getTime() + 600_000).toISOString()));
    assert.deepEqual(codes(await client.diagnostics(tableUri, (x) => x.length > 0, since)), ['operation-deadline-soon']);
    since = client.notifications.length;
    await editor.close(tableUri);
    assert.deepEqual(await client.diagnostics(tableUri, (x) => x.length === 0, since), []);
    // another JSON file with the same content is not a device table, and the server keeps serving
    await editor.open(uri('cluster/notes.json'), text(passed));
    assert.equal(await client.request('textDocument/hover', { textDocument: { uri: uri('cluster/notes.json') }, position: { line: 2, character: 8 } }), null);
    assert.ok(client.alive);
    assert.deepEqual(client.publishedDiagnostics(uri('cluster/notes.json')), []);
  });
});

describe('protocol: CAPF device tables on disk, open or not', function () {
  let ws: TestWorkspace;
  let client: LspTestClient;
  const uri = (rel: string) => fileUri(ws.path(rel));
  const entry = (name: string, deadline: string) => ({ name, certificateOperation: 'Install/Upgrade', authenticationMode: 'By Null String', operationCompletesBy: deadline });
  const table = (...entries: object[]) => `${JSON.stringify({ devices: entries }, null, 2)}\n`;
  const passed = new Date(TEST_NOW.getTime() - 60_000).toISOString();
  const ahead = new Date(TEST_NOW.getTime() + 7_200_000).toISOString();
  const write = (rel: string, text: string) => {
    fs.mkdirSync(ws.path(rel).replace(/[\\/][^\\/]+$/, ''), { recursive: true });
    fs.writeFileSync(ws.path(rel), text);
  };
  const changed = (rel: string, type: FileChangeType) => client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(rel), type }] });

  before(async () => {
    ws = new TestWorkspace(['cluster/CAPF.pem']);
    write('.itl-lens-lab/capf-devices.json', table(entry('SEP001122334455', passed)));
    write('site-b/capf-devices.json', table(entry('SEP00112233445', ahead))); // 11 hex digits: the server refuses the table
    write('node_modules/pkg/capf-devices.json', table(entry('SEP001122334455', passed)));
    write('.git/capf-devices.json', table(entry('SEP001122334455', passed)));
    client = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString() } });
  });
  after(async () => {
    await client?.stop();
    ws?.dispose();
  });

  it("checks the lab's table and any other in the workspace without opening them, and counts them in the status", async () => {
    const status = await client.indexed();
    const lab = await client.diagnostics(uri('.itl-lens-lab/capf-devices.json'), (x) => x.length > 0);
    assert.deepEqual(codes(lab), ['operation-deadline-passed']);
    const text = table(entry('SEP001122334455', passed));
    const line = text.split('\n').findIndex((l) => l.includes('operationCompletesBy'));
    assert.equal(lab[0].range.start.line, line);
    assert.equal(lab[0].range.start.character, text.split('\n')[line].indexOf(`"${passed}"`));
    const b = await client.diagnostics(uri('site-b/capf-devices.json'), (x) => x.length > 0);
    assert.deepEqual(codes(b), ['device-table-invalid']);
    assert.match(String(b[0].message), /devices\[0\]\.name/);
    assert.equal(b[0].severity, DiagnosticSeverity.Error);
    assert.deepEqual(client.publishedDiagnostics(uri('node_modules/pkg/capf-devices.json')), []);
    assert.deepEqual(client.publishedDiagnostics(uri('.git/capf-devices.json')), []);
    const counted = await client.waitFor<{ filesWithErrors?: string[] }>('itlLens/workspaceStatus', (s) => (s.filesWithErrors?.length ?? 0) >= 2, 0);
    assert.ok(counted.filesWithErrors!.includes(uri('.itl-lens-lab/capf-devices.json')), JSON.stringify(status));
    assert.ok(counted.filesWithErrors!.includes(uri('site-b/capf-devices.json')));
  });

  it('follows the file on disk: a saved change, the open text while open, the saved text again once closed, deletion', async () => {
    const rel = '.itl-lens-lab/capf-devices.json';
    let since = client.notifications.length;
    write(rel, table(entry('SEP001122334455', ahead)));
    await changed(rel, FileChangeType.Changed);
    assert.deepEqual(await client.diagnostics(uri(rel), (x) => x.length === 0, since), []);
    // open: its text is checked (the schema does the structure), not the file
    since = client.notifications.length;
    await jsonEditor(client).open(uri(rel), table(entry('SEP001122334455', passed)));
    assert.deepEqual(codes(await client.diagnostics(uri(rel), (x) => x.length > 0, since)), ['operation-deadline-passed']);
    // closed without saving: the file on disk, whose deadline is ahead, counts again
    since = client.notifications.length;
    await jsonEditor(client).close(uri(rel));
    assert.deepEqual(await client.diagnostics(uri(rel), (x) => x.length === 0, since), []);
    // a table written from outside (the CLI) while nobody has it open
    since = client.notifications.length;
    write(rel, table(entry('SEP001122334455', new Date(TEST_NOW.getTime() + 600_000).toISOString())));
    await changed(rel, FileChangeType.Changed);
    assert.deepEqual(codes(await client.diagnostics(uri(rel), (x) => x.length > 0, since)), ['operation-deadline-soon']);
    since = client.notifications.length;
    fs.rmSync(ws.path(rel));
    await changed(rel, FileChangeType.Deleted);
    assert.deepEqual(await client.diagnostics(uri(rel), (x) => x.length === 0, since), []);
    // a folder deleted with its table; a table created later is picked up
    since = client.notifications.length;
    ws.remove('site-b');
    await changed('site-b', FileChangeType.Deleted);
    assert.deepEqual(await client.diagnostics(uri('site-b/capf-devices.json'), (x) => x.length === 0, since), []);
    since = client.notifications.length;
    write('site-c/capf-devices.json', table(entry('SEP001122334455', passed)));
    await changed('site-c/capf-devices.json', FileChangeType.Created);
    assert.deepEqual(codes(await client.diagnostics(uri('site-c/capf-devices.json'), (x) => x.length > 0, since)), ['operation-deadline-passed']);
    // a lab folder made with its table at once: only the folder's creation is reported (the file's event is lost)
    ws.remove('.itl-lens-lab');
    await changed('.itl-lens-lab', FileChangeType.Deleted);
    since = client.notifications.length;
    write(rel, table(entry('SEP001122334455', passed)));
    await changed('.itl-lens-lab', FileChangeType.Created);
    assert.deepEqual(codes(await client.diagnostics(uri(rel), (x) => x.length > 0, since)), ['operation-deadline-passed']);
    // deleted and made again within moments, VS Code reports the folder as changed
    since = client.notifications.length;
    ws.remove('.itl-lens-lab');
    write(rel, table(entry('SEP001122334455', new Date(TEST_NOW.getTime() + 600_000).toISOString())));
    await changed('.itl-lens-lab', FileChangeType.Changed);
    assert.deepEqual(codes(await client.diagnostics(uri(rel), (x) => x.length > 0, since)), ['operation-deadline-soon']);
    // one skipped by the walk stays unchecked when it changes
    write('node_modules/pkg/capf-devices.json', table(entry('SEP001122334455', passed), entry('SEP0011223344AA', passed)));
    await changed('node_modules/pkg/capf-devices.json', FileChangeType.Changed);
    await client.request('itlLens/decodedView', { sourceUri: uri('cluster/CAPF.pem') }); // a round trip: the change was handled
    assert.deepEqual(client.publishedDiagnostics(uri('node_modules/pkg/capf-devices.json')), []);
    assert.ok(client.alive);
  });
});

describe('protocol: settings', function () {
  let ws: TestWorkspace;
  let client: LspTestClient;
  const uri = (rel: string) => fileUri(ws.path(rel));

  before(async () => {
    ws = new TestWorkspace(['cluster/CAPF.pem', 'tampered/ITLFile.tlv', 'capf-near-expiry/ITLFile.tlv', 'capf-near-expiry/CAPF.pem', 'no-capf/ITLFile.tlv']);
    client = await LspTestClient.start({
      folders: [ws.root],
      env: { ITL_LENS_NOW: TEST_NOW.toISOString() },
      configuration: { capf: { nearExpiryDays: 5 }, diagnostics: { severity: { 'signature-invalid': 'warning', 'capf-missing': 'off' } } },
    });
  });
  after(async () => {
    await client?.stop();
    ws?.dispose();
  });

  it('applies itlLens.diagnostics.severity and itlLens.capf.nearExpiryDays from workspace/configuration', async () => {
    await client.indexed();
    const tampered = await client.diagnostics(uri('tampered/ITLFile.tlv'));
    assert.deepEqual(tampered.map((d) => [d.code, d.severity]), [['signature-invalid', DiagnosticSeverity.Warning]]);
    assert.ok(!client.notifications.some((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { diagnostics: Diagnostic[] }).diagnostics.some((d) => d.code === 'capf-missing')));
    assert.ok(!client.notifications.some((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { diagnostics: Diagnostic[] }).diagnostics.some((d) => d.code === 'capf-near-expiry')));
  });

  it('registers file watchers for trust lists and certificates', () => {
    const watchers = JSON.stringify(client.registrations);
    assert.match(watchers, /workspace\/didChangeWatchedFiles/);
    assert.match(watchers, /\*\*\/\*\.\{tlv,pem,crt,cer,der\}/);
  });

  it('re-reads the settings on didChangeConfiguration', async () => {
    const since = client.notifications.length;
    client.configuration = { capf: { nearExpiryDays: 30 }, diagnostics: { severity: {} } };
    await client.notify('workspace/didChangeConfiguration', { settings: null });
    assert.deepEqual(codes(await client.diagnostics(uri('no-capf/ITLFile.tlv'), (d) => d.length > 0, since)), ['capf-missing']);
    assert.deepEqual(codes(await client.diagnostics(uri('capf-near-expiry/ITLFile.tlv'), (d) => d.length > 0, since)), ['capf-near-expiry']);
    const tampered = await client.diagnostics(uri('tampered/ITLFile.tlv'), (d) => d[0]?.severity === DiagnosticSeverity.Error, since);
    assert.equal(tampered[0].code, 'signature-invalid');
  });
});

/** A JSON document in the editor, sent with the standard document sync as VS Code sends a capf-devices.json. */
function jsonEditor(client: LspTestClient) {
  const versions = new Map<string, number>();
  return {
    open: (uri: string, text: string) => {
      versions.set(uri, 1);
      return client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'json', version: 1, text } });
    },
    change: (uri: string, text: string) => {
      const version = (versions.get(uri) ?? 1) + 1;
      versions.set(uri, version);
      return client.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    },
    close: (uri: string) => client.notify('textDocument/didClose', { textDocument: { uri } }),
  };
}
