/** The CAPF lab through the language server, its security settings: the TLS minimum (itlLens.lab.tlsMin). */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { LabServerInfo } from '../../server/src/shared/lspExtensions';
import { TEST_NOW } from '../helpers/fixtures';
import { requireOpenssl, sClient, TLS1_ONLY_CLIENT } from '../helpers/openssl';
import { LspTestClient } from './lspTestClient';
import { TestWorkspace } from './testWorkspace';

describe('protocol: the CAPF lab, TLS minimum', function () {
  this.timeout(120_000);
  let ws: TestWorkspace;
  let client: LspTestClient;
  const stateDir = () => ws.path('.itl-lens-lab');

  before(async () => {
    requireOpenssl();
    ws = new TestWorkspace([]);
    client = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString(), workspaceTrusted: true } });
  });
  after(async () => {
    await client?.stop();
    ws?.dispose();
  });

  it('starts the lab server with tlsMin 1.0 so that a TLS 1.0-only phone negotiates, and with the default it cannot', async () => {
    const legacy = await client.request<LabServerInfo>('itlLens/lab/startServer', { stateDir: stateDir(), port: 0, tlsMin: '1.0' });
    assert.equal(legacy.tlsMin, '1.0');
    assert.equal((await sClient(legacy.port!, TLS1_ONLY_CLIENT)).protocol, 'TLSv1.0');
    await client.request('itlLens/lab/stopServer', undefined);
    const modern = await client.request<LabServerInfo>('itlLens/lab/startServer', { stateDir: stateDir(), port: 0 });
    assert.equal(modern.tlsMin, '1.2');
    assert.equal((await sClient(modern.port!, TLS1_ONLY_CLIENT)).protocol, undefined);
    await client.request('itlLens/lab/stopServer', undefined);
  });

  it('refuses a tlsMin that is not 1.0, 1.1 or 1.2, and starts nothing', async () => {
    await assert.rejects(client.request('itlLens/lab/startServer', { stateDir: stateDir(), port: 0, tlsMin: '1.3' }), /itlLens\.lab\.tlsMin: '1\.3' is not a TLS version this server can require: 1\.0, 1\.1, 1\.2/);
    assert.equal((await client.request<LabServerInfo>('itlLens/lab/serverInfo', undefined)).running, false);
  });
});

describe('protocol: the CAPF lab needs a trusted workspace (the server checks too)', function () {
  this.timeout(120_000);
  let ws: TestWorkspace;
  let client: LspTestClient;

  before(async () => {
    ws = new TestWorkspace([]);
    // no workspaceTrusted: a client that says nothing about trust gets an untrusted workspace
    client = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString() } });
  });
  after(async () => {
    await client?.stop();
    ws?.dispose();
  });

  it('refuses every lab request that acts, writes nothing, and serves them once the client reports trust', async () => {
    const stateDir = ws.path('.itl-lens-lab');
    const untrusted = /needs a trusted workspace.*Manage Workspace Trust/;
    await assert.rejects(client.request('itlLens/lab/startServer', { stateDir, port: 0 }), untrusted);
    await assert.rejects(client.request('itlLens/lab/deviceTable', { stateDir }), untrusted);
    await assert.rejects(client.request('itlLens/lab/installTest', { stateDir }), untrusted);
    await assert.rejects(client.request('itlLens/lab/scenarios', {}), untrusted);
    assert.equal(fs.existsSync(stateDir), false, 'no lab folder was created');
    // reading what runs is harmless and answered
    assert.equal((await client.request<LabServerInfo>('itlLens/lab/serverInfo', undefined)).running, false);

    await client.notify('itlLens/workspaceTrust', { trusted: true });
    const table = await client.request<{ path: string }>('itlLens/lab/deviceTable', { stateDir });
    assert.ok(fs.existsSync(table.path), 'the device table exists once the workspace is trusted');
  });
});
