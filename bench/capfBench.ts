/**
 * CAPF lab throughput: LSC installs per second with 50 concurrent phones (pre-generated keys, pre-loaded ITL,
 * no phone-side files), as a ratio to the floor measured in the same run: a bare Node TLS server presenting
 * the same CAPF certificate that makes one RSA-2048 signature per connection and sends it back, driven by the
 * same 50 concurrent clients. Goal: ratio >= 0.7. Rounds alternate floor and lab so both see the same noise.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { KeyObject, sign } from 'node:crypto';
import { loadFixtureKeys } from '../server/src/fixtures/fixtureKeys';
import { LabEnvironment } from '../server/src/capf/lab/labEnvironment';
import { KeySource } from '../server/src/capf/keys';
import { keyPool } from '../server/src/capf/phone/keyGeneration';
import { loadItl } from '../server/src/capf/phone/trustedCapf';
import { runPhone } from '../server/src/capf/phone/phoneEmulator';
import { clientSecureContext } from '../server/src/capf/phone/capfConnection';
import { newDeviceEntry } from '../server/src/capf/server/deviceTable';
import { median } from './timing';
import { BenchResult } from './types';

const CONCURRENCY = 50;
const PER_ROUND = 400;
const ROUNDS = 5;

function fixtureKeySource(keys: Record<string, KeyObject>): KeySource {
  return async (_spec, purpose) => {
    if (purpose === 'capf') return keys.capf;
    if (purpose === 'manufacturing-ca') return keys.foreign;
    if (purpose.startsWith('cluster:')) return keys[purpose.slice('cluster:'.length)];
    return keys['cert-rsa'];
  };
}

/** Runs `total` jobs with `concurrency` workers; returns jobs per second. */
async function throughput(total: number, concurrency: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await job(next++);
    }),
  );
  return total / (Number(process.hrtime.bigint() - start) / 1e9);
}

/**
 * The floor server: TLS with the CAPF certificate (same TLS options as the lab server: TLS 1.2 minimum, so
 * TLS 1.3, the same cipher and X25519, no resumption), one RSA-2048 signature per connection, made on the
 * thread pool as the lab server makes its LSC signature, so that neither side gets the second core for free.
 */
async function startFloorServer(certPem: string, key: KeyObject): Promise<tls.Server> {
  const keyPem = key.export({ format: 'pem', type: 'pkcs8' }) as string;
  const server = tls.createServer({ cert: certPem, key: keyPem, minVersion: 'TLSv1.2' }, (socket) => {
    socket.on('error', () => undefined);
    sign('sha256', Buffer.from('one LSC worth of signing'), key, (e, signature) => (e ? socket.destroy(e) : socket.end(signature)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function floorClient(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, secureContext: clientSecureContext('TLSv1.2') });
    let got = 0;
    s.on('data', (d: Buffer) => (got += d.length));
    s.on('error', reject);
    s.on('close', () => (got === 256 ? resolve() : reject(new Error(`floor client got ${got} bytes`))));
  });
}

const deviceName = (i: number) => `SEP0000${i.toString(16).toUpperCase().padStart(8, '0')}`;

export async function runCapfBench(): Promise<BenchResult[]> {
  const keys = loadFixtureKeys(path.join(__dirname, '..', '..', 'test-fixtures', 'keys'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itl-lens-capf-bench-'));
  const lab = await LabEnvironment.open({ stateDir: dir, keySource: fixtureKeySource(keys) });
  const floorServer = await startFloorServer(lab.state.capf.pem, lab.state.capf.key);
  try {
    const server = await lab.startServer({ maxConnections: 1000 });
    const itl = loadItl(await lab.itl());
    const phoneKeys = keyPool([keys['tvs-pub']]);
    const floorPort = (floorServer.address() as { port: number }).port;
    const schedule = () =>
      lab.state.devices.update((t) => {
        t.devices = Array.from({ length: PER_ROUND }, (_, i) => newDeviceEntry(deviceName(i), { certificateOperation: 'Install/Upgrade', certificateOperationStatus: 'Operation Pending' }));
      });
    const install = async (i: number) => {
      const r = await runPhone({ identity: { name: deviceName(i) }, itl, server: server.address, auth: { mode: 'null' }, keys: phoneKeys, retries: 0 });
      if (r.outcome !== 'installed') throw new Error(`bench install ${deviceName(i)}: ${r.status} ${r.problem ?? ''}`);
    };
    // warm-up
    await schedule();
    await throughput(100, CONCURRENCY, () => floorClient(floorPort));
    await throughput(100, CONCURRENCY, install);
    const floors: number[] = [];
    const labs: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await schedule();
      await lab.state.flush();
      const f = await throughput(PER_ROUND, CONCURRENCY, () => floorClient(floorPort));
      const l = await throughput(PER_ROUND, CONCURRENCY, install);
      floors.push(f);
      labs.push(l);
      ratios.push(l / f);
    }
    await lab.state.flush();
    return [
      { name: `LSC installs/s, ${CONCURRENCY} concurrent phones (RSA 2048, pre-generated keys)`, value: median(labs), unit: 'inst/s', ratio: median(ratios), goal: 'ratio >= 0.7 (floor: TLS handshake + 1 RSA-2048 signature per install)' },
      { name: '  floor: bare TLS server, 1 RSA-2048 signature per connection', value: median(floors), unit: 'conn/s' },
    ];
  } finally {
    await lab.close();
    await new Promise<void>((resolve) => floorServer.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
