/**
 * Crash safety of the lab state: a real `itl-lens capf-server` process, 20 phones installing at once, the
 * server killed with SIGKILL at random moments ten times and started again, while a person's tool (`capf
 * device`) edits the table. Afterwards every LSC a phone holds is in the register with its status, every
 * acknowledged install reads "Upgrade Success", the table is byte for byte what `capf device` wrote, and
 * each restart took the dead server's lock without help.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChildProcess, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { LabState } from '../../../server/src/lab/capf/service/labState';
import { buildLabItl } from '../../../server/src/lab/environment/labItl';
import { ensureLabPhone } from '../../../server/src/lab/environment/labPhones';
import { runPhone, PhoneResult } from '../../../server/src/lab/phone/phoneEmulator';
import { loadDeviceStatesSync } from '../../../server/src/lab/model/deviceStateFiles';
import { runCli } from '../../helpers/cli';
import { Prng } from '../../helpers/prng';
import { REPO, phoneKeys, removeTempDirs, tempDir, testKeySource } from './helpers';

const PHONES = 20;
const KILLS = 10;
/** a serial number as hex digits without separators or leading zeros */
const norm = (serial: string) => serial.replace(/:/g, '').toUpperCase().replace(/^(00)+/, '');
const name = (i: number) => `SEP00000000${(0xa0 + i).toString(16).toUpperCase().padStart(4, '0')}`;

interface Served {
  child: ChildProcess;
  port: number;
  exited: Promise<void>;
}

/** Starts the CLI's capf-server in its own process and resolves once it listens. */
function startServer(dir: string): Promise<Served> {
  const child = spawn(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'capf-server', '--state', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start within 20 s:\n${out}\n${err}`)), 20_000);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), exited });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening:\n${out}\n${err}`));
    });
  });
}

describe('capf: crash safety (kill -9 during concurrent installs)', function () {
  this.timeout(240_000);
  after(removeTempDirs);

  it(`keeps every LSC a phone holds, and the person's table, across ${KILLS} kills`, async () => {
    const dir = path.join(tempDir(), 'lab');
    const state = await LabState.open(dir, { keySource: testKeySource() }); // keys made here: the server finds them
    const itl = await buildLabItl(state, { write: false });
    const devices = Array.from({ length: PHONES }, (_, i) => name(i));
    const phones = await Promise.all(devices.map((d) => ensureLabPhone(state, d)));
    /** the table as the person's tool last wrote it */
    let written = Buffer.alloc(0);
    const schedule = async (device: string) => {
      const r = await runCli(['capf', 'device', '--state', dir, '--device', device, '--operation', 'install']);
      assert.equal(r.code, 0, r.err);
      written = fs.readFileSync(state.paths.devices);
    };
    for (const d of devices) await schedule(d);

    const rng = new Prng(Number(process.env.ITL_LENS_CRASH_SEED ?? 20261207));
    const keys = phoneKeys();
    const last = new Map<string, PhoneResult>();
    const boot = (port: number) => {
      last.clear();
      return Promise.all(
        phones.map(async (p, i) => {
          const r = await runPhone({ identity: p.folder.load(devices[i]), itl, server: { host: '127.0.0.1', port }, auth: { mode: 'null' }, keys, store: p.folder, retries: 0, responseTimeoutMs: 20_000, connectTimeoutMs: 5_000 });
          last.set(devices[i], r);
        }),
      );
    };

    let killedMidway = 0;
    for (let round = 0; round < KILLS; round++) {
      const served = await startServer(dir); // the dead server's lock must not stand in the way
      const booting = boot(served.port);
      // the person re-schedules a few devices while the server runs
      const editing = (async () => {
        for (let k = 0; k < 3; k++) await schedule(devices[rng.int(PHONES)]);
      })();
      // a random moment: after a random number of phones have finished (0 to all but one)
      const target = rng.int(PHONES);
      await new Promise((r) => setTimeout(r, rng.int(40)));
      while (last.size < target) await new Promise((r) => setTimeout(r, 1));
      const finishedBeforeKill = last.size;
      served.child.kill('SIGKILL');
      await served.exited;
      await Promise.all([booting, editing]);
      if (finishedBeforeKill < PHONES) killedMidway++;
      assert.ok(written.equals(fs.readFileSync(state.paths.devices)), `round ${round}: the table is what capf device wrote`);
      checkRegister(`after kill ${round + 1}`);
    }
    assert.ok(killedMidway > 0, 'at least one kill landed while phones were installing');

    // a last run without a kill: every phone ends with its LSC
    const served = await startServer(dir);
    for (let attempt = 0; attempt < 3 && devices.some((d) => last.get(d)?.outcome !== 'installed' && last.get(d)?.outcome !== 'no-operation'); attempt++) await boot(served.port);
    served.child.kill('SIGTERM');
    await served.exited;
    assert.ok(written.equals(fs.readFileSync(state.paths.devices)), 'the table is what capf device wrote');
    checkRegister('at the end');
    const states = loadDeviceStatesSync(state.paths);
    for (const d of devices) {
      const held = heldSerial(d);
      assert.ok(held, `${d} holds an LSC`);
      assert.equal(states.get(d)?.certificateOperationStatus, 'Upgrade Success', d);
      assert.equal(norm(states.get(d)?.lsc?.serialNumber ?? ''), held, `${d}: the state names the LSC the phone holds`);
    }

    function heldSerial(device: string): string | undefined {
      const file = path.join(state.phoneDir(device), 'lsc.pem');
      if (!fs.existsSync(file)) return undefined;
      return norm(new X509Certificate(fs.readFileSync(file)).serialNumber);
    }

    function checkRegister(when: string): void {
      const states = loadDeviceStatesSync(state.paths);
      for (const d of devices) {
        const held = heldSerial(d);
        const s = states.get(d);
        if (held) {
          const entry = s?.lscs.find((l) => norm(l.serialNumber) === held);
          assert.ok(entry, `${when}: ${d} holds LSC ${held}, which the register must have`);
          assert.ok(new X509Certificate(entry.pem).raw.equals(new X509Certificate(fs.readFileSync(path.join(state.phoneDir(d), 'lsc.pem'))).raw), `${when}: ${d}: the same certificate`);
        }
        const r = last.get(d);
        if (r?.outcome === 'installed') {
          // acknowledged (END_SESSION 1 came after the result was on disk): the register says so
          const serial = r.lsc?.summary.serialNumber;
          assert.ok(s?.lscs.some((l) => l.serialNumber === serial), `${when}: ${d}'s acknowledged LSC ${serial} is registered`);
          assert.equal(s?.lsc?.serialNumber, serial, `${when}: ${d}'s acknowledged LSC ${serial} is the one the state says it holds`);
          assert.equal(s?.certificateOperationStatus, 'Upgrade Success', `${when}: ${d}`);
        }
      }
    }
  });
});
