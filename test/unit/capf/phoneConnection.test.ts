import * as assert from 'node:assert/strict';
import * as tls from 'node:tls';
import { CapfConnection, ConnectionError } from '../../../server/src/lab/phone/capfConnection';
import { LabEnvironment } from '../../../server/src/lab/environment/labEnvironment';
import { encodeMessage } from '../../../server/src/lab/capf/protocol/codec';
import { AuthType } from '../../../server/src/lab/capf/protocol/constants';
import { authRequest } from '../../../server/src/lab/capf/protocol/messages';
import { removeTempDirs, tempDir, testKeySource, within } from './helpers';

/** A TLS server (the lab's CAPF certificate) that sends each connection one AUTH_REQ after `delayMs`, then nothing. */
async function oneMessageServer(delayMs: number): Promise<{ port: number; close: () => Promise<void> }> {
  const lab = await LabEnvironment.open({ stateDir: tempDir(), keySource: testKeySource() });
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer({ cert: lab.state.capf.pem, key: lab.state.capf.key.export({ format: 'pem', type: 'pkcs8' }) as string }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    setTimeout(() => socket.write(encodeMessage(authRequest(7, AuthType.NONE))), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await lab.close();
    },
  };
}

describe('capf: phone connection waits', () => {
  after(removeTempDirs);

  it('gives every wait for a server message its whole timeout, also after an earlier wait was answered', async () => {
    const server = await oneMessageServer(150);
    const conn = await CapfConnection.connect({ host: '127.0.0.1', port: server.port, timeoutMs: 5000 });
    try {
      const first = await conn.next(400);
      assert.equal(first.message.sessionId, 7);
      const start = Date.now();
      await assert.rejects(conn.next(400), (e: unknown) => e instanceof ConnectionError && e.code === 'timeout' && /within 400 ms/.test(e.message));
      // the timer that served the first wait (armed 150 ms earlier) must not cut the second one short
      assert.ok(Date.now() - start >= 390, `the second wait timed out after ${Date.now() - start} ms`);
    } finally {
      conn.destroy();
      await server.close();
    }
  });

  it('after an abort every wait ends at once, and a wait after close ends too (never hangs on a cleared timer)', async () => {
    const server = await oneMessageServer(60_000);
    const abort = new AbortController();
    const conn = await CapfConnection.connect({ host: '127.0.0.1', port: server.port, timeoutMs: 5000, signal: abort.signal });
    try {
      const waiting = conn.next(400);
      abort.abort();
      await assert.rejects(waiting, { name: 'AbortError' });
      await assert.rejects(within(conn.next(400), 1000, 'a wait after the abort'), { name: 'AbortError' });
    } finally {
      conn.destroy();
    }
    const other = await CapfConnection.connect({ host: '127.0.0.1', port: server.port, timeoutMs: 5000 });
    try {
      await assert.rejects(within(other.next(300), 3000, 'a first wait'), (e: unknown) => e instanceof ConnectionError && e.code === 'timeout');
      other.close();
      await assert.rejects(within(other.next(300), 3000, 'a wait after close'), (e: unknown) => e instanceof ConnectionError && (e.code === 'closed' || e.code === 'timeout'));
    } finally {
      other.destroy();
      await server.close();
    }
  });

  it('a wait with another timeout gets that timeout', async () => {
    const server = await oneMessageServer(0);
    const conn = await CapfConnection.connect({ host: '127.0.0.1', port: server.port, timeoutMs: 5000 });
    try {
      await conn.next(2000);
      const start = Date.now();
      await assert.rejects(conn.next(100), (e: unknown) => e instanceof ConnectionError && e.code === 'timeout' && /within 100 ms/.test(e.message));
      assert.ok(Date.now() - start < 1500, 'the 100 ms wait ran on the 2000 ms timer');
    } finally {
      conn.destroy();
      await server.close();
    }
  });
});
