/**
 * Text from the network reaches logs and terminals with its control characters escaped, C1 (U+0080-U+009F)
 * as well as C0 (issue 21, item 4): a device name is the phone's own bytes.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createPublicKey } from 'node:crypto';
import { LabEnvironment } from '../../../server/src/lab/environment/labEnvironment';
import { manualClock } from '../../../server/src/core/time/clock';
import { OperationLogEntry } from '../../../server/src/lab/capf/service/operationLog';
import { encodeMessage } from '../../../server/src/lab/capf/protocol/codec';
import { authResponse } from '../../../server/src/lab/capf/protocol/messages';
import { issueCertificate } from '../../../server/src/core/cert/issueCertificate';
import { main } from '../../../server/src/cli/main';
import { fixtureKeys, RawClient, removeTempDirs, tempDir, testKeySource, T0, within } from './helpers';

/** ESC-based and C1-based terminal sequences: clear the screen, set the title, colour red. */
const HOSTILE = 'SEP\u001b[2J\u009d0;owned\u009c\u009b31m\u0085';
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('capf: network text in logs and on the terminal', function () {
  this.timeout(60_000);
  after(removeTempDirs);

  it('a device name with C0 and C1 controls is logged escaped, in the log entry and in operations.log', async () => {
    const lab = await LabEnvironment.open({ stateDir: tempDir(), clock: manualClock(T0).now, keySource: testKeySource() });
    try {
      const server = await lab.startServer();
      const log: OperationLogEntry[] = [];
      server.onLog((e) => log.push(e));
      const c = await RawClient.connect(server.address.port);
      const [auth] = await c.messages(1);
      c.send(encodeMessage(authResponse(auth.message.sessionId, { deviceName: HOSTILE, password: '' })));
      await within(c.closed, 10_000, 'the server to end the session');
      const refused = log.find((e) => e.event === 'auth');
      assert.ok(refused, JSON.stringify(log));
      assert.doesNotMatch(refused.message, /[\u0000-\u001f\u007f-\u009f]/);
      assert.match(refused.message, /"SEP\\u001b\[2J\\u009d0;owned\\u009c\\u009b31m\\u0085" is not a phone device name/);
      await lab.state.log.flush();
      const file = fs.readFileSync(lab.state.paths.log, 'utf8');
      assert.doesNotMatch(file, /[\u007f-\u009f]/, 'no raw C1 in operations.log (JSON.stringify escapes only C0)');
    } finally {
      await lab.close();
    }
  });

  it('itl-lens decode prints a certificate subject with C0 and C1 controls escaped', async () => {
    const dir = tempDir();
    const k = fixtureKeys()['cert-rsa'];
    const der = issueCertificate({ subject: `CN=${HOSTILE};O=Lab`, publicKey: createPublicKey(k), signingKey: k, serial: Buffer.from([1]), notBefore: T0, notAfter: new Date(T0.getTime() + 86_400_000) });
    fs.writeFileSync(path.join(dir, 'hostile.der'), der);
    let out = '';
    const code = await main(['decode', 'hostile.der'], { cwd: dir, out: (t) => (out += t), err: (t) => (out += t) });
    assert.equal(code, 0, out);
    assert.match(out, /SEP\\u001b\[2J\\u009d0;owned/);
    assert.doesNotMatch(out, RAW_CONTROL);
    let json = '';
    assert.equal(await main(['decode', '--json', 'hostile.der'], { cwd: dir, out: (t) => (json += t), err: (t) => (json += t) }), 0);
    assert.doesNotMatch(json, RAW_CONTROL);
    assert.match(JSON.stringify(JSON.parse(json)), /SEP\\u001b\[2J\u009d0;owned/, 'the JSON still means the same text');
  });
});
