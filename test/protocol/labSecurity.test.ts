/** The CAPF lab through the language server, its security settings: the TLS minimum (itlLens.lab.tlsMin). */
import * as assert from 'node:assert/strict';
import { LabServerInfo } from '../../server/src/protocol/customMessages';
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
    client = await LspTestClient.start({ folders: [ws.root], initializationOptions: { now: TEST_NOW.toISOString() } });
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
