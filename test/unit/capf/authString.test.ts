/**
 * The authentication string is compared in constant time (issue 21, item 4): SHA-256 of both, then
 * crypto.timingSafeEqual. The session's comparison is observed through a spy on timingSafeEqual (the
 * compiled code looks it up on the module at each call); no timing is measured.
 */
import * as assert from 'node:assert/strict';
// the module object itself (not a namespace copy), so that the spy replaces what the server calls
import crypto = require('node:crypto');
import { LabEnvironment } from '../../../server/src/lab/environment/labEnvironment';
import { manualClock } from '../../../server/src/core/time/clock';
import { equalSecrets } from '../../../server/src/core/crypto/equalSecrets';
import { phoneKeys, removeTempDirs, tempDir, testKeySource, T0 } from './helpers';

const DEVICE = 'SEP00AABBCCDDEE';

describe('capf: authentication string comparison', function () {
  this.timeout(60_000);
  after(removeTempDirs);

  it('compares equal-length SHA-256 digests with timingSafeEqual, for a wrong string and for the right one', async () => {
    const lab = await LabEnvironment.open({ stateDir: tempDir(), clock: manualClock(T0).now, keySource: testKeySource() });
    const original = crypto.timingSafeEqual;
    const calls: Array<{ a: Buffer; b: Buffer; result: boolean }> = [];
    crypto.timingSafeEqual = (a, b) => {
      const result = original(a, b);
      calls.push({ a: Buffer.from(a as Uint8Array), b: Buffer.from(b as Uint8Array), result });
      return result;
    };
    try {
      await lab.startServer();
      const schedule = () =>
        lab.schedule(DEVICE, { certificateOperation: 'Install/Upgrade', operationCompletesBy: new Date(T0.getTime() + 3_600_000).toISOString(), authenticationMode: 'By Authentication String', authenticationString: '246810' });
      await schedule();
      const wrong = await lab.runPhone(DEVICE, { authString: '24681', keys: phoneKeys() });
      assert.equal(wrong.serverStatus, 'Upgrade Failed: Invalid Authentication String');
      assert.equal(calls.length, 1, 'one constant-time comparison for the wrong string');
      assert.equal(calls[0].a.length, 32);
      assert.equal(calls[0].b.length, 32, 'equal lengths although the strings differ in length');
      assert.equal(calls[0].result, false);
      const right = await lab.runPhone(DEVICE, { authString: '246810', keys: phoneKeys() });
      assert.equal(right.outcome, 'installed', right.problem);
      assert.equal(calls.length, 2);
      assert.deepEqual(calls[1].a, crypto.createHash('sha256').update('246810').digest());
      assert.equal(calls[1].result, true);
    } finally {
      crypto.timingSafeEqual = original;
      await lab.close();
    }
  });

  it('equalSecrets: equal, different, of other lengths, empty, non-ASCII', () => {
    assert.equal(equalSecrets('246810', '246810'), true);
    assert.equal(equalSecrets('246810', '246811'), false);
    assert.equal(equalSecrets('246810', '2468100'), false);
    assert.equal(equalSecrets('', ''), true);
    assert.equal(equalSecrets('', '0'), false);
    assert.equal(equalSecrets('é', 'e\u0301'), false, 'no normalisation: the bytes decide');
  });
});
