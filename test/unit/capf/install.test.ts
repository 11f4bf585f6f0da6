import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { LabEnvironment } from '../../../server/src/lab/environment/labEnvironment';
import { manualClock } from '../../../server/src/core/time/clock';
import { phoneKeys, removeTempDirs, tempDir, testKeySource, T0 } from './helpers';

describe('capf: install over real TLS', () => {
  after(removeTempDirs);

  it('installs an RSA 2048 LSC by null string, the guide example', async () => {
    const clock = manualClock(T0);
    const lab = await LabEnvironment.open({ stateDir: tempDir(), clock: clock.now, keySource: testKeySource() });
    try {
      await lab.startServer();
      await lab.schedule('SEP001122334455', { certificateOperation: 'Install/Upgrade', authenticationMode: 'By Null String', operationCompletesBy: new Date(T0.getTime() + 3600_000).toISOString() });
      const r = await lab.runPhone('SEP001122334455', { keys: phoneKeys() });
      assert.equal(r.outcome, 'installed', r.problem);
      assert.equal(r.status, 'LSC: Installed');
      assert.equal(r.serverStatus, 'Upgrade Success');
      const statuses = r.timeline.filter((t) => t.kind === 'status').map((t) => t.text);
      assert.deepEqual(statuses, ['LSC: Pending', 'LSC: Key generation…', 'LSC: Installed']);
      const lsc = new X509Certificate(r.lsc!.der);
      assert.ok(lsc.checkIssued(new X509Certificate(lab.state.capf.der)));
      const registered = await lab.state.currentLsc('SEP001122334455');
      assert.ok(registered?.equals(r.lsc!.der), "the server's register holds the LSC the phone installed");
      assert.equal(fs.statSync(`${lab.state.phoneDir('SEP001122334455')}/lsc.key.pem`).mode & 0o777, 0o600);
    } finally {
      await lab.close();
    }
  });
});
