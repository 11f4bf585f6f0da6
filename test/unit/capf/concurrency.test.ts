import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { LabEnvironment } from '../../../server/src/capf/lab/labEnvironment';
import { newDeviceEntry } from '../../../server/src/capf/server/deviceTable';
import { runPhone } from '../../../server/src/capf/phone/phoneEmulator';
import { phoneKeys, removeTempDirs, tempDir, testKeySource } from './helpers';

const PHONES = 200;
const name = (i: number) => `SEP0000${i.toString(16).toUpperCase().padStart(8, '0')}`;

describe('capf: 200 concurrent phones', function () {
  this.timeout(120_000);
  after(removeTempDirs);

  it(`installs ${PHONES} LSCs at once (pre-generated keys), every write serialized and whole`, async () => {
    const lab = await LabEnvironment.open({ stateDir: tempDir(), keySource: testKeySource() });
    try {
      // every emulated phone connects from 127.0.0.1: one address, so its share must hold them all
      const server = await lab.startServer({ perAddressLimit: PHONES });
      await lab.state.devices.update((t) => {
        for (let i = 0; i < PHONES; i++) t.devices.push(newDeviceEntry(name(i), { certificateOperation: 'Install/Upgrade', certificateOperationStatus: 'Operation Pending' }));
      });
      const itl = await lab.itl();
      const keys = phoneKeys();
      const writesBefore = lab.state.devices.writes;
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
      const table = JSON.parse(fs.readFileSync(lab.state.paths.devices, 'utf8')) as { devices: Array<{ certificateOperationStatus: string; lsc?: { serialNumber: string } }> };
      assert.equal(table.devices.length, PHONES);
      assert.ok(table.devices.every((d) => d.certificateOperationStatus === 'Upgrade Success' && serials.has(d.lsc?.serialNumber)));
      const registered = await lab.state.lscs.readAll();
      assert.equal(registered.length, PHONES, 'one register entry per LSC');
      assert.deepEqual(new Set(registered.map((e) => e.serialNumber)), serials);
      assert.ok(lab.state.lscs.writes < PHONES, `${lab.state.lscs.writes} register writes for ${PHONES} LSCs (group commit)`);
      const writes = lab.state.devices.writes - writesBefore;
      assert.ok(writes >= 1 && writes <= PHONES, `${writes} table writes for ${PHONES} results (batched)`);
      assert.equal(server.activeSessions, 0);
    } finally {
      await lab.close();
    }
  });
});
