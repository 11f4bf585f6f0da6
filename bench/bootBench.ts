/**
 * Full phone boots per second with 50 concurrent phones, as a ratio to a floor measured in the same run.
 *
 * A boot (the lab, `BootLab.boot`, what `itl-lens lab` runs): the phone's trust store cleared ("delete the ITL
 * on the phone", so every boot does the same work), the TFTP downloads of its CTL/ITL names and its signed
 * configuration from the lab TFTP server, the trust verdicts (ITL on first use, the configuration's signer
 * against it), then the CAPF enrollment over TLS named by the configuration's capfList (RSA 2048 by null
 * string, pre-generated phone keys as bench/capfBench.ts uses), the trust store and LSC written.
 *
 * The floor, the least any implementation must do for the same boot: the same TFTP requests for the same names
 * (the same bytes, File Not Found for the same ones) from the same TFTP server with a bare client, then a bare
 * TLS handshake with the CAPF certificate and one RSA-2048 signature (capfBench's floor server).
 *
 * Phones and servers share this process (unlike capfBench's separate client process): the phone side of a boot
 * (verdicts, key handling, the CAPF protocol) is part of what is measured, as it is what `itl-lens lab` does.
 * Rounds alternate floor and lab (the floor measured before and after each lab round, their mean the divisor),
 * after warm-up rounds; the figure is the median of the rounds' ratios.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as tls from 'node:tls';
import { loadFixtureKeys } from '../server/src/lab/cluster/clusterKeys';
import { writeDeviceTable } from '../server/src/lab/capf/service/deviceTableFile';
import { LabEnvironment } from '../server/src/lab/environment/labEnvironment';
import { BootLab } from '../server/src/lab/environment/labBoot';
import { newDeviceEntry } from '../server/src/lab/model/deviceTable';
import { keyPool } from '../server/src/lab/phone/keyGeneration';
import { tftpGet, TftpError } from '../server/src/lab/tftp/tftpClient';
import { median } from './timing';
import { BenchResult } from './types';
import { deviceName, floorClient, ServerAddress, throughput } from './capfClient';
import { fixtureKeySource, startFloorServer } from './capfBench';

const CONCURRENCY = 50;
/** boots per round, one per device (the server completes one scheduled install per device and schedule) */
const PER_ROUND = 200;
const WARM_UP_ROUNDS = 3;
const ROUNDS = 9;
/** the phone's TFTP options (server/src/lab/phone/boot/phoneBoot.ts) */
const PHONE_TFTP = { blksize: 1428, tsize: true, retransmitMs: 500, maxRetries: 3 } as const;

/** One name the phone asks for, and whether the server has it (File Not Found is part of the boot). */
interface Fetch {
  name: string;
  found: boolean;
}

/** The floor's TFTP part for one phone: the same requests, one after the other as the phone makes them. */
async function floorTftp(server: ServerAddress, fetches: Fetch[]): Promise<void> {
  for (const f of fetches) {
    try {
      const r = await tftpGet({ host: server.host, port: server.port, file: f.name, ...PHONE_TFTP });
      if (!f.found) throw new Error(`${f.name}: served, but the phone found none`);
      if (!r.data.length) throw new Error(`${f.name}: empty`);
    } catch (e) {
      if (!(e instanceof TftpError && e.code === 1 && !f.found)) throw e;
    }
  }
}

export async function runBootBench(): Promise<BenchResult[]> {
  const keys = loadFixtureKeys(path.join(__dirname, '..', '..', 'test-fixtures', 'keys'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itl-lens-boot-bench-'));
  const lab = await LabEnvironment.open({ stateDir: dir, keySource: fixtureKeySource(keys) });
  let floorServer: tls.Server | undefined;
  try {
    // 50 phones from 127.0.0.1 share one address: its share is the whole budget (real phones have their own)
    await lab.startServer({ maxConnections: 1000, perAddressLimit: 1000 });
    const boot = await BootLab.open(lab);
    const tftp = await boot.startTftp({ perAddressLimit: 1000, maxTransfers: 1000 });
    await boot.startTvs();
    floorServer = await startFloorServer(lab.state.capf.pem, lab.state.capf.key);
    const floorTls: ServerAddress = { host: '127.0.0.1', port: (floorServer.address() as { port: number }).port };
    const devices = Array.from({ length: PER_ROUND }, (_, i) => deviceName(i));
    let rounds = 0;
    // each round schedules the install anew (a new operationScheduledAt), as `capf device` would
    const schedule = async () => {
      const operationScheduledAt = new Date(Date.now() + rounds++).toISOString();
      await writeDeviceTable(lab.state.paths.devices, { devices: devices.map((d) => newDeviceEntry(d, { certificateOperation: 'Install/Upgrade', operationScheduledAt })) });
    };
    await schedule();
    await boot.buildCluster(devices);
    const phoneKeys = keyPool([keys['tvs-pub']]);
    const labBoot = async (i: number) => {
      const run = await boot.boot(devices[i], { deleteItl: true, keys: phoneKeys });
      if (run.phone.outcome !== 'installed') throw new Error(`boot ${i}: ${run.phone.outcome} (${run.phone.status}): ${run.phone.problem ?? ''}`);
    };
    // what one boot asks the TFTP server for, as the phone did (the floor repeats exactly these requests)
    const sample = await boot.boot(devices[0], { deleteItl: true, keys: phoneKeys });
    await schedule();
    if (sample.phone.outcome !== 'installed') throw new Error(`the sample boot did not install: ${sample.phone.status} ${sample.phone.problem ?? ''}`);
    const fetchesOf = (device: string): Fetch[] =>
      sample.boot.files.map((f) => ({ name: f.name.split(devices[0]).join(device), found: f.found }));
    const perDevice = devices.map(fetchesOf);
    const bytes = sample.boot.files.reduce((n, f) => n + (f.bytes?.length ?? 0), 0);
    const floorBoot = async (i: number) => {
      await floorTftp(tftp, perDevice[i]);
      await floorClient(floorTls);
    };
    const floor = () => throughput(PER_ROUND, CONCURRENCY, floorBoot);
    const labRound = async () => {
      await schedule();
      return throughput(PER_ROUND, CONCURRENCY, labBoot);
    };
    for (let i = 0; i < WARM_UP_ROUNDS; i++) {
      await floor();
      await labRound();
    }
    const floors: number[] = [];
    const labs: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const before = await floor();
      const l = await labRound();
      const after = await floor();
      floors.push((before + after) / 2);
      labs.push(l);
      ratios.push(l / ((before + after) / 2));
    }
    await lab.state.flush();
    const found = sample.boot.files.filter((f) => f.found).length;
    return [
      {
        name: `full boots/s, ${CONCURRENCY} concurrent phones (TFTP, verdicts, CAPF RSA 2048)`,
        value: median(labs),
        unit: 'boot/s',
        ratio: median(ratios),
        goal: `none set (issue 19: report the figure). Floor: the same ${sample.boot.files.length} TFTP requests (${found} files, ${bytes} bytes; the rest File Not Found) + TLS handshake + 1 RSA-2048 signature per boot. Median of ${ROUNDS} rounds' lab / floor around it (rounds ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
      },
      { name: '  floor: bare TFTP client, same requests, + bare TLS + 1 signature', value: median(floors), unit: 'boot/s' },
    ];
  } finally {
    await lab.close();
    if (floorServer) await new Promise<void>((resolve) => floorServer!.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
