/** Shared test helpers for the CAPF lab: pre-generated keys, temporary folders, bounded waits. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createPrivateKey, KeyObject } from 'node:crypto';
import { KeySource } from '../../../server/src/lab/model/keys';
import { PhoneKeyProvider, keyPool } from '../../../server/src/lab/phone/keyGeneration';

export const REPO = path.resolve(__dirname, '../../../..');
const KEYS_DIR = path.join(REPO, 'test-fixtures', 'keys');

let cache: Record<string, KeyObject> | undefined;

/** The checked-in fixture keys (test-fixtures/keys), loaded once. */
export function fixtureKeys(): Record<string, KeyObject> {
  if (!cache) {
    cache = {};
    for (const f of fs.readdirSync(KEYS_DIR)) if (f.endsWith('.key.pem')) cache[f.replace('.key.pem', '')] = createPrivateKey(fs.readFileSync(path.join(KEYS_DIR, f)));
  }
  return cache;
}

/**
 * A key source for LabState that never generates: each CAPF key request gets the next of five fixture RSA
 * keys (so a regenerated CAPF always has a new key), the manufacturing CA the "foreign" key, the lab TVS "tvs-sub", cluster keys
 * their namesakes, MICs "cert-rsa".
 */
export function testKeySource(): KeySource {
  const k = fixtureKeys();
  const capfKeys = [k.capf, k['capf-regenerated'], k['callmanager-pub'], k['tvs-sub'], k.itlrecovery];
  let capfCount = 0;
  return async (spec, purpose) => {
    if (purpose === 'capf') return capfKeys[capfCount++ % capfKeys.length];
    if (purpose === 'manufacturing-ca') return k.foreign;
    if (purpose === 'tvs') return k['tvs-sub'];
    if (purpose.startsWith('cluster:')) return k[purpose.slice('cluster:'.length)];
    if (purpose.startsWith('mic:')) return k['cert-rsa'];
    throw new Error(`test key source: no key for ${purpose} (${JSON.stringify(spec)})`);
  };
}

/** Pre-generated phone keys: RSA 2048 and 1024, EC P-256/384/521. */
export function phoneKeys(): PhoneKeyProvider {
  const k = fixtureKeys();
  return keyPool([k['tvs-pub'], k['weak-1024'], k['ec-p256'], k['callmanager-sub-ec'], k['ec-p521']]);
}

const made: string[] = [];

export function tempDir(prefix = 'itl-lens-capf-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

export function removeTempDirs(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Rejects when `p` has not settled within `ms` (generous: the machine may be loaded). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    }),
  ]);
}

export const T0 = new Date('2030-03-01T09:00:00Z');

/** The port a CLI capf-server reports in its output ("listening on 127.0.0.1:PORT"), once it does. */
export function listeningPort(output: () => string): Promise<number> {
  return within(
    new Promise<number>((resolve) => {
      const check = () => {
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(output());
        if (m) resolve(Number(m[1]));
        else setTimeout(check, 20);
      };
      check();
    }),
    20_000,
    'the server to listen',
  );
}

import * as tls from 'node:tls';
import { MessageFramer, FramedMessage } from '../../../server/src/lab/capf/protocol/framer';

/** A bare TLS client speaking raw bytes to the CAPF server, for malformed and out-of-order input. */
export class RawClient {
  private readonly framer = new MessageFramer();
  readonly received: FramedMessage[] = [];
  private waiters: Array<() => void> = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: tls.TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      for (const m of this.framer.push(chunk).messages) this.received.push(m);
      this.wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => (this.wake(), resolve())));
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
      s.once('secureConnect', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** Waits until `n` messages have arrived (or the connection closed). */
  async messages(n: number, ms = 10_000): Promise<FramedMessage[]> {
    await within(
      new Promise<void>((resolve) => {
        const check = () => (this.received.length >= n || this.socket.destroyed ? resolve() : this.waiters.push(check));
        check();
      }),
      ms,
      `${n} message(s) from the server`,
    );
    return this.received;
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  end(): void {
    this.socket.end();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }
}

/** A deterministic PRNG (xorshift32) for seeded fuzzing. */
export function prng(seed: number): { next(): number; int(n: number): number; bytes(n: number): Buffer } {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return {
    next,
    int: (n) => next() % n,
    bytes: (n) => Buffer.from(Array.from({ length: n }, () => next() & 0xff)),
  };
}
