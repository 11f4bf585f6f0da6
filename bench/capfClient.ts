/**
 * The load side of the CAPF benchmark (bench/capfBench.ts): the floor's plain TLS clients and the lab's
 * emulated phones, and the job runner that keeps 50 of them in flight.
 *
 * The same functions serve both arrangements the benchmark measures:
 *   - in-process: imported by capfBench.ts, the clients share the server's event loop (the historical figure);
 *   - separate process: this file, compiled to out/bench/capfClient.js, is forked by capfBench.ts and runs
 *     the clients in its own process, as real phones are separate devices. The server stays in the bench
 *     process. Floor and lab clients are run by the same child with the same code, concurrency and TLS
 *     settings (each connection a full handshake, no session resumption, on either side).
 *
 * IPC protocol (advanced serialization, so Buffers pass as they are):
 *   parent → child  { op: 'init', itl: Buffer, phoneKeyPem: string }          → { op: 'ready' }
 *   parent → child  { op: 'run', kind: 'floor' | 'protocol' | 'lab', host, port, total, concurrency }
 *                                                                               → { op: 'done', rate } | { op: 'error', message }
 * The child exits when the IPC channel closes (the parent ended or killed it).
 */
import { createPrivateKey } from 'node:crypto';
import * as tls from 'node:tls';
import { clientSecureContext } from '../server/src/lab/phone/capfConnection';
import { PhoneKeyProvider, keyPool } from '../server/src/lab/phone/keyGeneration';
import { runPhone } from '../server/src/lab/phone/phoneEmulator';
import { LoadedItl, loadItl } from '../server/src/lab/phone/trustedCapf';

export type LoadKind = 'floor' | 'protocol' | 'lab';

export interface ServerAddress {
  host: string;
  port: number;
}

export type ToClient =
  | { op: 'init'; itl: Buffer; phoneKeyPem: string }
  | { op: 'run'; kind: LoadKind; host: string; port: number; total: number; concurrency: number };

export type FromClient = { op: 'ready' } | { op: 'done'; rate: number } | { op: 'error'; message: string };

export const deviceName = (i: number) => `SEP0000${i.toString(16).toUpperCase().padStart(8, '0')}`;

/** Runs `total` jobs with `concurrency` workers; returns jobs per second. */
export async function throughput(total: number, concurrency: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await job(next++);
    }),
  );
  return total / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** One floor connection: a full TLS handshake, then read the 256-byte RSA-2048 signature until the server closes. */
export function floorClient(server: ServerAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: server.host, port: server.port, rejectUnauthorized: false, secureContext: clientSecureContext('TLSv1.2') });
    let got = 0;
    s.on('data', (d: Buffer) => (got += d.length));
    s.on('error', reject);
    s.on('close', () => (got === 256 ? resolve() : reject(new Error(`floor client got ${got} bytes`))));
  });
}

/**
 * One connection to the protocol floor (capfBench.ts): the byte sizes and turn-taking of a CAPF install
 * (AUTH_REQ, AUTH_RESP, KEYGEN_REQ, REQUEST_IN_PROGRESS + KEYGEN_RESP, STORE_CERT_REQ, STORE_CERT_RESP,
 * END_SESSION) with no CAPF logic on either side: what the wire protocol alone costs over the floor.
 */
export function protocolClient(server: ServerAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: server.host, port: server.port, rejectUnauthorized: false, secureContext: clientSecureContext('TLSv1.2') });
    s.setNoDelay(true);
    let turn = 0;
    s.on('data', () => {
      turn++;
      if (turn <= PROTOCOL_REPLIES.length) s.write(PROTOCOL_REPLIES[turn - 1]);
    });
    s.on('error', reject);
    s.on('close', () => (turn >= 4 ? resolve() : reject(new Error(`protocol floor client: ${turn} server turns`))));
  });
}

/** The phone's three replies of an install, by size: AUTH_RESP, REQUEST_IN_PROGRESS + KEYGEN_RESP (RSA 2048), STORE_CERT_RESP. */
const PROTOCOL_REPLIES = [Buffer.alloc(40), Buffer.alloc(8 + 8 + 303), Buffer.alloc(12)];

/** One lab install: the real phone emulator (ITL match of the CAPF certificate, all eight messages, LSC checks). */
export function phoneInstaller(itl: LoadedItl, keys: PhoneKeyProvider, server: ServerAddress): (i: number) => Promise<void> {
  return async (i) => {
    const r = await runPhone({ identity: { name: deviceName(i) }, itl, server, auth: { mode: 'null' }, keys, retries: 0 });
    if (r.outcome !== 'installed') throw new Error(`bench install ${deviceName(i)}: ${r.status} ${r.problem ?? ''}`);
  };
}

/** The child process's side of the protocol. */
function serve(): void {
  let itl: LoadedItl | undefined;
  let keys: PhoneKeyProvider | undefined;
  const reply = (m: FromClient) => process.send?.(m);
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: ToClient) => {
    void (async () => {
      try {
        if (m.op === 'init') {
          itl = loadItl(Buffer.from(m.itl));
          keys = keyPool([createPrivateKey(m.phoneKeyPem)]);
          reply({ op: 'ready' });
          return;
        }
        const server = { host: m.host, port: m.port };
        let job: (i: number) => Promise<void>;
        if (m.kind === 'floor') job = () => floorClient(server);
        else if (m.kind === 'protocol') job = () => protocolClient(server);
        else if (itl && keys) job = phoneInstaller(itl, keys, server);
        else throw new Error('the bench client was not initialised');
        reply({ op: 'done', rate: await throughput(m.total, m.concurrency, job) });
      } catch (e) {
        reply({ op: 'error', message: (e as Error).stack ?? String(e) });
      }
    })();
  });
}

if (require.main === module) serve();
