/**
 * The CAPF server's share rules and timeouts against hostile clients (issue 21, item 2): one address cannot
 * take the connection budget, and a client that trickles bytes cannot stretch the handshake or idle timeouts.
 * Linux routes all of 127.0.0.0/8 to loopback, so connections bound to 127.0.0.2 come from "another address".
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { Duplex } from 'node:stream';
import { LabEnvironment } from '../../../server/src/lab/environment/labEnvironment';
import { manualClock } from '../../../server/src/core/time/clock';
import { CapfServer } from '../../../server/src/lab/capf/service/capfServer';
import { SessionSummary } from '../../../server/src/lab/capf/service/capfSession';
import { OperationLogEntry } from '../../../server/src/lab/capf/service/operationLog';
import { encodeMessage } from '../../../server/src/lab/capf/protocol/codec';
import { authResponse } from '../../../server/src/lab/capf/protocol/messages';
import { FramedMessage, MessageFramer } from '../../../server/src/lab/capf/protocol/framer';
import { CAPF_SERVER_ARGS, serveCapf } from '../../../server/src/cli/commands/capfServer';
import { parseArgs, UsageError } from '../../../server/src/cli/io';
import { phoneKeys, listeningPort, removeTempDirs, tempDir, testKeySource, T0, within } from './helpers';

const DEVICE = 'SEP00AABBCCDDEE';
const FLOODER = '127.0.0.2';
const HOUR = 3_600_000;

/** Opens `n` plain TCP connections from `localAddress` and resolves once each has connected or failed. */
async function openIdle(port: number, n: number, localAddress: string): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  const settled: Array<Promise<void>> = [];
  for (let i = 0; i < n; i++) {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    s.on('error', () => undefined);
    sockets.push(s);
    settled.push(new Promise<void>((resolve) => (s.once('connect', () => resolve()), s.once('close', () => resolve()))));
  }
  await Promise.all(settled);
  return sockets;
}

/** Resolves when no more than `n` of the sockets are still open (the server closes the rest). */
function untilOpenAtMost(sockets: net.Socket[], n: number, ms: number): Promise<void> {
  return within(
    new Promise<void>((resolve) => {
      const check = () => sockets.filter((s) => !s.destroyed && !s.readableEnded).length <= n && resolve();
      for (const s of sockets) s.once('close', check).once('end', check);
      check();
    }),
    ms,
    `at most ${n} of ${sockets.length} connections to stay open`,
  );
}

/**
 * A TLS client whose encrypted bytes reach the server only when `release` lets them through: `hold()` switches
 * from "send at once" (the handshake) to "hold back" (the bytes of the records written after it).
 */
async function throttledTls(port: number): Promise<{ tls: tls.TLSSocket; raw: net.Socket; held: Buffer[]; hold(): void; releaseByte(): boolean; closed: Promise<void> }> {
  const raw = net.connect({ port, host: '127.0.0.1' });
  raw.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => (raw.once('connect', () => resolve()), raw.once('error', reject)));
  let holding = false;
  const held: Buffer[] = [];
  const pipe = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      if (holding) held.push(Buffer.from(chunk));
      else raw.write(chunk);
      cb();
    },
  });
  raw.on('data', (d) => pipe.push(d));
  raw.on('close', () => pipe.push(null));
  const socket = tls.connect({ socket: pipe, rejectUnauthorized: false });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => (socket.once('secureConnect', () => resolve()), socket.once('error', reject)));
  const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()));
  return {
    tls: socket,
    raw,
    held,
    closed,
    hold: () => (holding = true),
    releaseByte() {
      const first = held[0];
      if (!first || raw.destroyed) return false;
      raw.write(first.subarray(0, 1));
      if (first.length > 1) held[0] = first.subarray(1);
      else held.shift();
      return true;
    },
  };
}

describe('capf: server limits against hostile clients', function () {
  this.timeout(60_000);
  let lab: LabEnvironment;
  let server: CapfServer;
  let log: OperationLogEntry[];
  let ended: SessionSummary[];

  async function open(o: Parameters<LabEnvironment['startServer']>[0] = {}) {
    const clock = manualClock(T0);
    lab = await LabEnvironment.open({ stateDir: tempDir(), clock: clock.now, keySource: testKeySource() });
    server = await lab.startServer(o);
    log = [];
    ended = [];
    server.onLog((e) => log.push(e));
    server.onSessionEnd((s) => ended.push(s));
  }
  function sessionEnd(n: number): Promise<SessionSummary> {
    return within(
      new Promise<SessionSummary>((resolve) => {
        if (ended.length >= n) return resolve(ended[n - 1]);
        const off = server.onSessionEnd(() => ended.length >= n && (off(), resolve(ended[n - 1])));
      }),
      20_000,
      `session ${n} to end`,
    );
  }

  afterEach(async () => lab?.close());
  after(removeTempDirs);

  it('1,000 idle connections from one address are cut to its share, and a phone on another address still installs its LSC', async () => {
    // a handshake timeout longer than the test: only the per-address limit can free the budget
    await open({ handshakeTimeoutMs: 120_000 });
    await lab.schedule(DEVICE, { certificateOperation: 'Install/Upgrade', operationCompletesBy: new Date(T0.getTime() + HOUR).toISOString() });
    const flood = await openIdle(server.address.port, 1000, FLOODER);
    try {
      await untilOpenAtMost(flood, 16, 20_000);
      const r = await lab.runPhone(DEVICE, { keys: phoneKeys() });
      assert.equal(r.outcome, 'installed', r.problem);
      assert.equal(flood.filter((s) => !s.destroyed && !s.readableEnded).length, 16, 'the flooder keeps its share of 16');
      // the flooder's slots come back when its connections close
      for (const s of flood) s.destroy();
      await within(
        new Promise<void>((resolve) => {
          const check = () => (server.connectionsFrom(FLOODER) === 0 ? resolve() : setTimeout(check, 20));
          check();
        }),
        10_000,
        'the flooder to hold no connection',
      );
      const again = tls.connect({ socket: net.connect({ port: server.address.port, host: '127.0.0.1', localAddress: FLOODER }), rejectUnauthorized: false });
      again.on('error', () => undefined);
      await within(new Promise<void>((resolve) => again.once('secureConnect', () => resolve())), 10_000, 'a new handshake from the flooder');
      again.destroy();
    } finally {
      for (const s of flood) s.destroy();
    }
    await lab.stopServer();
    // refusals are logged, rate-limited: a few lines, which with the count of those held back account for all 984
    const refusals = log.filter((e) => e.event === 'connection-refused');
    assert.ok(refusals.length >= 2 && refusals.length <= 12, `${refusals.length} lines for 984 refusals`);
    assert.match(refusals[0].message, /^127\.0\.0\.2 already holds 16 connections \(the per-address limit\): connection refused$/);
    assert.equal(refusals[0].peer?.split(':')[0], FLOODER);
    const held = refusals.map((e) => Number(/(\d+) more refus/.exec(e.message)?.[1] ?? 0)).reduce((a, b) => a + b, 0);
    const written = refusals.filter((e) => e.peer).length;
    assert.equal(written + held, 984, refusals.map((e) => e.message).join('\n'));
  });

  it('a handshake trickled in a byte at a time is cut at the handshake timeout', async () => {
    await open({ handshakeTimeoutMs: 600 });
    // a real ClientHello (captured from Node's own client), sent one byte every 100 ms
    const hello = await new Promise<Buffer>((resolve) => {
      const capture = net.createServer((s) => s.once('data', (d) => (s.destroy(), capture.close(), resolve(d))));
      capture.listen(0, '127.0.0.1', () => tls.connect({ port: (capture.address() as net.AddressInfo).port, host: '127.0.0.1', rejectUnauthorized: false }).on('error', () => undefined));
    });
    const s = net.connect({ port: server.address.port, host: '127.0.0.1' });
    s.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
    await new Promise<void>((resolve) => s.once('connect', () => resolve()));
    const started = Date.now();
    let sent = 0;
    const drip = setInterval(() => sent < hello.length - 1 && s.write(hello.subarray(sent, ++sent)), 100);
    try {
      await within(closed, 10_000, 'the server to cut the trickled handshake');
      const took = Date.now() - started;
      assert.ok(took < 3000, `cut after ${took} ms (timeout 600 ms), ${sent} of ${hello.length} bytes sent`);
      assert.ok(sent < hello.length - 1, 'cut before the ClientHello was complete');
      assert.ok(log.some((e) => e.event === 'tls-error' && /handshake timeout/i.test(e.message)), 'a tls-error log line');
    } finally {
      clearInterval(drip);
      s.destroy();
    }
  });

  it('an established session whose phone trickles a TLS record in a byte at a time is cut at the idle timeout', async () => {
    await open({ idleTimeoutMs: 500 });
    await lab.schedule(DEVICE, { certificateOperation: 'No Pending Operation' });
    const c = await throttledTls(server.address.port);
    const framer = new MessageFramer();
    const received: FramedMessage[] = [];
    c.tls.on('data', (d: Buffer) => received.push(...framer.push(d).messages));
    await within(
      new Promise<void>((resolve) => {
        const check = () => (received.length ? resolve() : setTimeout(check, 20));
        check();
      }),
      10_000,
      'AUTH_REQ',
    );
    c.hold();
    // AUTH_RESP as one TLS record, its encrypted bytes released one every 100 ms: the server sees raw bytes
    // but no message (nor any plaintext) until the record is whole, many idle timeouts later
    c.tls.write(encodeMessage(authResponse(received[0].message.sessionId, { deviceName: DEVICE, password: '' })));
    await within(
      new Promise<void>((resolve) => {
        const check = () => (c.held.length ? resolve() : setTimeout(check, 10));
        check();
      }),
      5000,
      'the record to be held',
    );
    const total = c.held.reduce((n, b) => n + b.length, 0);
    let released = 0;
    const drip = setInterval(() => released < total - 1 && c.releaseByte() && released++, 100);
    try {
      const s = await sessionEnd(1);
      assert.equal(s.outcome, 'timeout', s.message);
      assert.ok(released < total - 1, `ended before the record was complete (${released} of ${total} bytes)`);
      await within(c.closed, 10_000, 'the connection to close');
    } finally {
      clearInterval(drip);
      c.raw.destroy();
    }
  });

  it('itl-lens capf-server --per-address-limit N sets the share, and refuses a limit that is not a whole number of 1 or more', async () => {
    let out = '';
    const io = { cwd: tempDir(), out: (t: string) => (out += t), err: () => undefined };
    const stop = new AbortController();
    const serving = serveCapf(parseArgs(['--state', 'lab', '--port', '0', '--per-address-limit', '3'], CAPF_SERVER_ARGS), io, stop.signal);
    const flood: net.Socket[] = [];
    try {
      const port = await listeningPort(() => out);
      flood.push(...(await openIdle(port, 5, FLOODER)));
      await untilOpenAtMost(flood, 3, 10_000);
      await within(
        new Promise<void>((resolve) => {
          const check = () => (/connection-refused +127\.0\.0\.2 already holds 3 connections \(the per-address limit\)/.test(out) ? resolve() : setTimeout(check, 20));
          check();
        }),
        10_000,
        'the refusal on the console',
      );
    } finally {
      for (const s of flood) s.destroy();
      stop.abort();
      await within(serving, 10_000, 'the server to stop');
    }
    for (const bad of ['0', '-1', '2.5', 'many']) {
      await assert.rejects(serveCapf(parseArgs(['--state', 'lab', '--per-address-limit', bad], CAPF_SERVER_ARGS), io, stop.signal), (e: Error) => e instanceof UsageError && /--per-address-limit: '.*' is not a whole number of connections \(1 or more\)/.test(e.message));
    }
  });
});
