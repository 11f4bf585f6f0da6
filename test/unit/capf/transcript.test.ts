import * as assert from 'node:assert/strict';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { LabEnvironment } from '../../../server/src/lab/environment/labEnvironment';
import { decodeElements } from '../../../server/src/lab/capf/protocol/codec';
import { WireTraceEvent } from '../../../server/src/lab/capf/service/capfServer';
import { manualClock } from '../../../server/src/core/time/clock';
import { fixtureKeys, phoneKeys, removeTempDirs, tempDir, testKeySource, T0 } from './helpers';

/** The reference install transcript (RSA-2048, password 123456) with the session id and variable parts as placeholders. */
const sid = (n: number) => n.toString(16).padStart(8, '0');
const hexOf = (s: string) => Buffer.from(s, 'latin1').toString('hex');

describe('capf: wire bytes against the reference transcripts', () => {
  let lab: LabEnvironment;
  let wire: WireTraceEvent[];

  beforeEach(async () => {
    lab = await LabEnvironment.open({ stateDir: tempDir(), clock: manualClock(T0).now, keySource: testKeySource() });
    wire = [];
    await lab.startServer({ firstSessionId: 0x2a, trace: (e) => wire.push(e) });
  });
  afterEach(async () => lab.close());
  after(removeTempDirs);

  const dir = () => wire.map((w) => `${w.direction === 'server→phone' ? 'S' : 'C'} ${w.command}`);

  it('install, RSA 2048, authentication string 123456: the eight messages byte for byte', async () => {
    await lab.schedule('SEP001122334455', { certificateOperation: 'Install/Upgrade', authenticationMode: 'By Authentication String', authenticationString: '123456' });
    const r = await lab.runPhone('SEP001122334455', { authString: '123456', keys: phoneKeys() });
    assert.equal(r.outcome, 'installed', r.problem);
    const s = sid(0x2a);
    assert.deepEqual(dir(), ['S AUTH_REQ', 'C AUTH_RESP', 'S KEYGEN_REQ', 'C REQUEST_IN_PROGRESS', 'C KEYGEN_RESP', 'S STORE_CERT_REQ', 'C STORE_CERT_RESP', 'S END_SESSION']);
    const h = wire.map((w) => w.bytes.toString('hex'));
    // 1. S→C 55 01 sid 0008 | 07 0001 03 | 08 0001 00
    assert.equal(h[0], `5501${s}0008` + '07000103' + '08000100');
    // 2. C→S REASON 1, VERSION 3, PASSWORD "123456\0", DEVICE_NAME "SEP001122334455\0"
    assert.equal(h[1], `5502${s}0025` + '01000101' + '07000103' + `0b0007${hexOf('123456\0')}` + `0d0010${hexOf('SEP001122334455\0')}`);
    // 3. S→C 55 03 … | 0a 0002 0800 | 11 0001 00
    assert.equal(h[2], `5503${s}0009` + '0a00020800' + '11000100');
    // 4. C→S 55 11 … 0000
    assert.equal(h[3], `5511${s}0000`);
    // 5. C→S 55 04 … | 09 <len> <SubjectPublicKeyInfo DER>
    const spki = createPublicKey(fixtureKeys()['tvs-pub']).export({ format: 'der', type: 'spki' });
    assert.equal(h[4], `5504${s}${(spki.length + 3).toString(16).padStart(4, '0')}09${spki.length.toString(16).padStart(4, '0')}${spki.toString('hex')}`);
    // 6. S→C 55 09 … | 03 0001 01 | 04 LLLL 01 MMMM 00 01 <DER>
    const der = r.lsc!.der;
    const store = wire[5].bytes;
    assert.equal(store.subarray(0, 8).toString('hex'), `5509${s}${(4 + 3 + 5 + der.length).toString(16).padStart(4, '0')}`);
    assert.equal(store.subarray(8, 12).toString('hex'), '03000101');
    assert.equal(store.subarray(12, 20).toString('hex'), `04${(der.length + 5).toString(16).padStart(4, '0')}01${(der.length + 2).toString(16).padStart(4, '0')}0001`);
    assert.ok(store.subarray(20).equals(der));
    assert.ok(new X509Certificate(der).checkIssued(new X509Certificate(lab.state.capf.der)));
    // 7. C→S 55 0a … | 01 0001 01   8. S→C 55 0f … | 01 0001 01
    assert.equal(h[6], `550a${s}0004` + '01000101');
    assert.equal(h[7], `550f${s}0004` + '01000101');
  });

  it('null string sends the empty PASSWORD 0b 0001 00; EC asks with KEY_TYPE 1 and CURVE, no KEY_SIZE', async () => {
    await lab.schedule('SEP001122334455', { certificateOperation: 'Install/Upgrade', keyOrder: 'EC Only', ecKeySize: 384 });
    const r = await lab.runPhone('SEP001122334455', { keys: phoneKeys() });
    assert.equal(r.outcome, 'installed', r.problem);
    assert.ok(wire[1].bytes.toString('hex').includes('0b000100' + '0d0010'));
    assert.equal(wire[2].bytes.toString('hex'), `5503${sid(0x2a)}0008` + '11000101' + '12000101');
  });

  it('the session id counts up per connection and stays the same within one', async () => {
    await lab.schedule('SEP001122334455', { certificateOperation: 'No Pending Operation' });
    await lab.runPhone('SEP001122334455', { keys: phoneKeys() });
    await lab.runPhone('SEP001122334455', { keys: phoneKeys() });
    const ids = wire.map((w) => w.bytes.readUInt32BE(2));
    assert.deepEqual(ids, [0x2a, 0x2a, 0x2a, 0x2b, 0x2b, 0x2b]);
  });

  it('other flows: nothing scheduled → END_SESSION 0; unknown device → 9; fetch → FETCH_REQ … END 0; delete → DELETE_REQ … END 1', async () => {
    await lab.schedule('SEP001122334455', { certificateOperation: 'No Pending Operation' });
    await lab.runPhone('SEP001122334455', { keys: phoneKeys() });
    assert.equal(wire[2].bytes.toString('hex'), `550f${sid(0x2a)}0004` + '01000100');

    wire.length = 0;
    await lab.runPhone('SEP00000000BEEF', { keys: phoneKeys() });
    assert.equal(wire[2].bytes.toString('hex'), `550f${sid(0x2b)}0004` + '01000109');

    await lab.schedule('SEP001122334455', { certificateOperation: 'Install/Upgrade' });
    await lab.runPhone('SEP001122334455', { keys: phoneKeys() });
    await lab.schedule('SEP001122334455', { certificateOperation: 'Troubleshoot' });
    wire.length = 0;
    const fetched = await lab.runPhone('SEP001122334455', { keys: phoneKeys() });
    assert.equal(fetched.outcome, 'fetched');
    assert.deepEqual(dir(), ['S AUTH_REQ', 'C AUTH_RESP', 'S FETCH_CERT_REQ', 'C FETCH_CERT_RESP', 'S END_SESSION']);
    assert.equal(wire[2].bytes.subarray(6).toString('hex'), '0000');
    assert.equal(wire[3].bytes.subarray(8, 12).toString('hex'), '01000101');
    assert.equal(wire[4].bytes.subarray(8).toString('hex'), '01000100');

    await lab.schedule('SEP001122334455', { certificateOperation: 'Delete' });
    wire.length = 0;
    const deleted = await lab.runPhone('SEP001122334455', { keys: phoneKeys() });
    assert.equal(deleted.outcome, 'deleted');
    assert.deepEqual(dir(), ['S AUTH_REQ', 'C AUTH_RESP', 'S DELETE_CERT_REQ', 'C DELETE_CERT_RESP', 'S END_SESSION']);
    assert.equal(wire[3].bytes.subarray(8).toString('hex'), '01000101');
    assert.equal(wire[4].bytes.subarray(8).toString('hex'), '01000101');
  });

  it('a wrong password ends with END_SESSION 7', async () => {
    await lab.schedule('SEP001122334455', { certificateOperation: 'Install/Upgrade', authenticationMode: 'By Authentication String', authenticationString: '123456' });
    await lab.runPhone('SEP001122334455', { authString: '1234', keys: phoneKeys() });
    assert.equal(wire[2].bytes.subarray(1, 2).toString('hex'), '0f');
    assert.equal(wire[2].bytes.subarray(8).toString('hex'), '01000107');
  });

  it('"By Existing Certificate": CERTIFICATE framed with its type, SIGNED_DATA, SHA2_SIGNED_DATA 03 LLLL sig', async () => {
    await lab.schedule('SEP001122334455', { certificateOperation: 'Install/Upgrade', authenticationMode: 'By Existing Certificate (precedence to MIC)' });
    const r = await lab.runPhone('SEP001122334455', { keys: phoneKeys() });
    assert.equal(r.outcome, 'installed', r.problem);
    const elements = decodeElements(wire[1].bytes.subarray(8));
    assert.ok(elements.ok);
    assert.deepEqual(elements.value.map((e) => e.tag), [1, 7, 11, 13, 4, 6, 20]);
    const cert = elements.value[4].value;
    const mic = r.timeline.some((t) => t.text === 'authenticating with its MIC');
    assert.ok(mic);
    assert.equal(cert.subarray(0, 5).toString('hex'), `01${(cert.length - 3).toString(16).padStart(4, '0')}0002`); // 01 MMMM 00 <MIC>
    assert.equal(elements.value[5].value.length, 256); // SIGNED_DATA: a bare RSA-2048 block
    const sha2 = elements.value[6].value;
    assert.equal(sha2.subarray(0, 3).toString('hex'), '030100'); // 03 LLLL, SHA-512, 256-byte signature
    assert.equal(sha2.length, 3 + 256);
  });
});
