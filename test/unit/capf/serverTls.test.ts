/**
 * TLS for the phones that need it (issue 21, item 3): 7900-series phones speak only TLS 1.0 on 3804. With a
 * minimum of 1.0 the server must really negotiate it on Node 20's OpenSSL 3, and by default it must not.
 * The client is `openssl s_client`, an implementation independent of Node's TLS client.
 */
import * as assert from 'node:assert/strict';
import { LabEnvironment } from '../../../server/src/lab/environment/labEnvironment';
import { CapfServer, CapfServerOptions } from '../../../server/src/lab/capf/service/capfServer';
import { OperationLogEntry } from '../../../server/src/lab/capf/service/operationLog';
import { CAPF_SERVER_ARGS, serveCapf } from '../../../server/src/cli/commands/capfServer';
import { parseArgs, UsageError } from '../../../server/src/cli/io';
import { requireOpenssl, sClient, TLS1_ONLY_CLIENT } from '../../helpers/openssl';
import { listeningPort, removeTempDirs, tempDir, testKeySource, within } from './helpers';

describe('capf: TLS versions the server accepts', function () {
  this.timeout(60_000);
  let lab: LabEnvironment;
  let log: OperationLogEntry[];

  before(requireOpenssl);
  afterEach(async () => lab?.close());
  after(removeTempDirs);

  async function open(o: Partial<Omit<CapfServerOptions, 'state'>> = {}): Promise<CapfServer> {
    lab = await LabEnvironment.open({ stateDir: tempDir(), keySource: testKeySource() });
    const server = await lab.startServer(o);
    log = [];
    server.onLog((e) => log.push(e));
    return server;
  }

  it('with a minimum of TLS 1.0, a TLS 1.0-only client negotiates TLS 1.0 and gets AUTH_REQ, also after the CAPF certificate is reloaded', async () => {
    const server = await open({ minTlsVersion: 'TLSv1' });
    const first = await sClient(server.address.port, TLS1_ONLY_CLIENT);
    assert.equal(first.protocol, 'TLSv1.0', first.output);
    assert.notEqual(first.cipher, '(NONE)', first.output);
    await within(
      new Promise<void>((resolve) => {
        const check = () => (server.sessionCount > 0 ? resolve() : setTimeout(check, 20));
        check();
      }),
      10_000,
      'a CAPF session (AUTH_REQ) on the TLS 1.0 connection',
    );
    // a new CAPF certificate replaces the secure context: the TLS versions must come with it
    await lab.state.regenerateCapf();
    server.reloadCapfCertificate();
    const again = await sClient(server.address.port, TLS1_ONLY_CLIENT);
    assert.equal(again.protocol, 'TLSv1.0', again.output);
    const modern = await sClient(server.address.port, ['-tls1_2']);
    assert.equal(modern.protocol, 'TLSv1.2', 'TLS 1.2 still negotiates');
  });

  it('by default (TLS 1.2) a TLS 1.0-only client is refused, also after a reload, and TLS 1.2 negotiates', async () => {
    const server = await open();
    const refused = await sClient(server.address.port, TLS1_ONLY_CLIENT);
    assert.equal(refused.protocol, undefined, refused.output);
    assert.notEqual(refused.exitCode, 0);
    assert.match(refused.output, /alert protocol version|unsupported protocol|wrong version number/i);
    assert.equal(server.sessionCount, 0);
    server.reloadCapfCertificate();
    assert.equal((await sClient(server.address.port, TLS1_ONLY_CLIENT)).protocol, undefined);
    assert.equal((await sClient(server.address.port, ['-tls1_2'])).protocol, 'TLSv1.2');
    assert.ok(log.some((e) => e.event === 'tls-error'), 'the refused handshake is logged');
  });

  it('itl-lens capf-server --tls-min 1.0 serves a TLS 1.0 client with a warning; --tls-min takes only 1.0, 1.1, 1.2', async () => {
    let out = '';
    let err = '';
    const io = { cwd: tempDir(), out: (t: string) => (out += t), err: (t: string) => (err += t) };
    const stop = new AbortController();
    const serving = serveCapf(parseArgs(['--state', 'lab', '--port', '0', '--tls-min', '1.0'], CAPF_SERVER_ARGS), io, stop.signal);
    try {
      const port = await listeningPort(() => out);
      assert.equal((await sClient(port, TLS1_ONLY_CLIENT)).protocol, 'TLSv1.0');
      assert.match(err, /warning: --tls-min 1\.0: TLS 1\.0 is deprecated \(RFC 8996\) and OpenSSL's security level is 0 for every connection/);
      assert.match(out, /\n  TLS: +1\.0 and up, at OpenSSL security level 0; at most 16 connections from one address\n/);
    } finally {
      stop.abort();
      await within(serving, 10_000, 'the server to stop');
    }
    for (const bad of ['1.3', '1', 'TLSv1.0', 'tls1.0']) {
      await assert.rejects(serveCapf(parseArgs(['--state', 'lab', '--tls-min', bad], CAPF_SERVER_ARGS), io, stop.signal), (e: Error) => e instanceof UsageError && /--tls-min: '.*' is not a TLS version this server can require: 1\.0, 1\.1, 1\.2/.test(e.message));
    }
  });
});
