/** Test helpers for the lab TFTP server: a server on a free port with its log, a raw UDP peer, real clients. */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodePacket, TftpPacket } from '../../../server/src/lab/tftp/tftpPackets';
import { TftpLogEntry, TftpServer, TftpServerOptions } from '../../../server/src/lab/tftp/tftpServer';
import { within } from '../capf/helpers';
import { Prng } from '../../helpers/prng';

export interface TestServer {
  server: TftpServer;
  port: number;
  logs: TftpLogEntry[];
  /** resolves with the first log entry (already logged or to come) that matches */
  waitLog(pred: (e: TftpLogEntry) => boolean, what: string, ms?: number): Promise<TftpLogEntry>;
}

export async function startTestServer(o: Omit<TftpServerOptions, 'port'>): Promise<TestServer> {
  const server = await TftpServer.start({ port: 0, ...o });
  const logs: TftpLogEntry[] = [];
  const waiters = new Set<() => void>();
  server.onLog((e) => {
    logs.push(e);
    for (const w of [...waiters]) w();
  });
  return {
    server,
    port: server.address.port,
    logs,
    waitLog(pred, what, ms = 20_000) {
      return within(
        new Promise<TftpLogEntry>((resolve) => {
          const check = () => {
            const hit = logs.find(pred);
            if (hit) {
              waiters.delete(check);
              resolve(hit);
            }
          };
          waiters.add(check);
          check();
        }),
        ms,
        what,
      );
    },
  };
}

/** A bare UDP socket that sends what the test writes and keeps every packet it receives. */
export class RawPeer {
  readonly socket = dgram.createSocket('udp4');
  readonly received: Array<{ packet?: TftpPacket; raw: Buffer; from: { address: string; port: number } }> = [];
  private waiters = new Set<() => void>();

  /** A peer on `address` (any of 127.0.0.0/8 on Linux: a second "client machine" on loopback). */
  static async open(address = '127.0.0.1'): Promise<RawPeer> {
    const p = new RawPeer();
    await new Promise<void>((resolve) => p.socket.bind(0, address, () => resolve()));
    p.socket.on('message', (raw, rinfo) => {
      const d = decodePacket(raw);
      p.received.push({ packet: d.ok ? d.packet : undefined, raw, from: { address: rinfo.address, port: rinfo.port } });
      for (const w of [...p.waiters]) w();
    });
    return p;
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(buf: Buffer, port: number): void {
    this.socket.send(buf, port, '127.0.0.1');
  }

  /** Waits until `count` received packets match. */
  waitFor(pred: (p: TftpPacket) => boolean, what: string, count = 1, ms = 20_000): Promise<Array<{ packet?: TftpPacket; from: { address: string; port: number } }>> {
    return within(
      new Promise((resolve) => {
        const check = () => {
          const hits = this.received.filter((r) => r.packet && pred(r.packet));
          if (hits.length >= count) {
            this.waiters.delete(check);
            resolve(hits);
          }
        };
        this.waiters.add(check);
        check();
      }),
      ms,
      what,
    );
  }

  close(): void {
    this.socket.close();
  }
}

export function run(cmd: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The path of a client binary; fails the test (never skips it) when it is not installed. */
export function requireTool(name: string, pkg: string): string {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(path.delimiter)) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  assert.fail(`the interop test needs the real TFTP client '${name}' (Debian package ${pkg}), which is not installed: run 'bash test/interop/setup.sh' as root, or 'sudo apt-get install -y ${pkg}'`);
}

/** Deterministic bytes of any length (every byte value, CR and LF included). */
export function patternBytes(n: number, seed = 1): Buffer {
  const prng = new Prng(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = prng.next() & 0xff;
  return b;
}

export function tempRoot(prefix = 'itl-lens-tftp-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
