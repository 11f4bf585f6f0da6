import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { LabEnvironment } from '../../../server/src/lab/environment/labEnvironment';
import { newDeviceEntry } from '../../../server/src/lab/model/deviceTable';
import { writeDeviceTable } from '../../../server/src/lab/capf/service/deviceTableFile';
import { loadDeviceStatesSync } from '../../../server/src/lab/model/deviceStateFiles';
import { runPhone } from '../../../server/src/lab/phone/phoneEmulator';
import { phoneKeys, removeTempDirs, tempDir, testKeySource } from './helpers';

const PHONES = 200;
const name = (i: number) => `SEP0000${i.toString(16).toUpperCase().padStart(8, '0')}`;

describe('capf: 200 concurrent phones', function () {
  this.timeout(120_000);
  after(removeTempDirs);

  it(`installs ${PHONES} LSCs at once (pre-generated keys), each result in its device's state, the table untouched`, async () => {
    const lab = await LabEnvironment.open({ stateDir: tempDir(), keySource: testKeySource() });
    try {
      // every emulated phone connects from 127.0.0.1: one address, so its share must hold them all
      const server = await lab.startServer({ perAddressLimit: PHONES });
      await writeDeviceTable(lab.state.paths.devices, { devices: Array.from({ length: PHONES }, (_, i) => newDeviceEntry(name(i), { certificateOperation: 'Install/Upgrade' })) });
      const tableBefore = fs.readFileSync(lab.state.paths.devices);
      const itl = await lab.itl();
      const keys = phoneKeys();
      const results = await Promise.all(
        Array.from({ length: PHONES }, (_, i) =>
          runPhone({ identity: { name: name(i) }, itl, server: server.address, auth: { mode: 'null' }, keys, retries: 2, retryDelayMs: 200, responseTimeoutMs: 60_000, connectTimeoutMs: 60_000 }),
        ),
      );
      const failed = results.filter((r) => r.outcome !== 'installed');
      assert.deepEqual(failed.map((r) => `${r.device}: ${r.status} ${r.problem}`), []);
      const serials = new Set(results.map((r) => r.lsc?.summary.serialNumber));
      assert.equal(serials.size, PHONES, 'every LSC has its own serial');
      const capf = new X509Certificate(lab.state.capf.der);
      for (const r of results) assert.ok(new X509Certificate(r.lsc!.der).verify(capf.publicKey));

      await lab.state.flush();
      assert.ok(tableBefore.equals(fs.readFileSync(lab.state.paths.devices)), 'the server never writes the table');
      const states = loadDeviceStatesSync(lab.state.paths);
      assert.equal(states.size, PHONES);
      for (const r of results) {
        const s = states.get(r.device);
        assert.equal(s?.certificateOperationStatus, 'Upgrade Success', r.device);
        assert.equal(s?.lsc?.serialNumber, r.lsc?.summary.serialNumber, r.device);
        assert.deepEqual(s?.lscs.map((l) => l.serialNumber), [r.lsc?.summary.serialNumber], `${r.device}: one register entry per LSC`);
        assert.ok(new X509Certificate(s!.lscs[0].pem).raw.equals(r.lsc!.der), `${r.device}: the register holds the LSC the phone holds`);
      }
      assert.equal(server.activeSessions, 0);
    } finally {
      await lab.close();
    }
  });
});
