import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createPublicKey } from 'node:crypto';
import { decodeCertificateFile } from '../../../server/src/core/cert/certificateFile';
import { LscRegister } from '../../../server/src/capf/server/lscRegister';
import { LabState } from '../../../server/src/capf/server/labState';
import { makeIssuer } from '../../../server/src/capf/server/issuer';
import { createCapfCertificate } from '../../../server/src/capf/server/labCertificates';
import { issueLsc } from '../../../server/src/capf/server/lscProfile';
import { fixtureKeys, removeTempDirs, tempDir, testKeySource, T0 } from './helpers';

const device = (i: number) => `SEP0000000000${i.toString(16).padStart(2, '0').toUpperCase()}`;

/** LSCs issued by a CAPF made from the fixture keys, one per device. */
function lscs(n: number) {
  const k = fixtureKeys();
  const capf = makeIssuer(createCapfCertificate(k.capf, T0), k.capf);
  const spki = createPublicKey(k['tvs-pub']).export({ format: 'der', type: 'spki' });
  return Array.from({ length: n }, (_, i) => {
    const issued = issueLsc(capf, device(i), { spki, description: 'RSA 2048' }, T0);
    return { device: device(i), serialNumber: issued.summary.serialNumber, issuedAt: T0.toISOString(), der: issued.der };
  });
}

describe('capf: the LSC register (issued/issued-lscs.pem)', () => {
  after(removeTempDirs);

  it('group-commits concurrent appends, keeps their order, and reads back every entry', async () => {
    const file = path.join(tempDir(), 'issued', 'issued-lscs.pem');
    const { register, repaired } = await LscRegister.open(file);
    assert.equal(repaired, undefined);
    const entries = lscs(30);
    await Promise.all(entries.map((e) => register.append(e)));
    assert.ok(register.writes >= 1 && register.writes < entries.length, `${register.writes} writes for ${entries.length} LSCs`);
    const back = await register.readAll();
    assert.deepEqual(back, entries);
    assert.deepEqual(await register.find(device(7), entries[7].serialNumber), entries[7]);
    assert.equal(await register.find(device(7), entries[8].serialNumber), undefined, 'the serial must match the device');
    await register.close();
    assert.equal(fs.statSync(file).mode & 0o777, 0o644);
  });

  it('is a PEM bundle the certificate view decodes: one certificate per LSC, a line of text naming each', async () => {
    const file = path.join(tempDir(), 'issued-lscs.pem');
    const { register } = await LscRegister.open(file);
    const entries = lscs(3);
    for (const e of entries) await register.append(e);
    await register.close();
    const text = fs.readFileSync(file, 'latin1');
    assert.match(text, new RegExp(`^# ${device(0)} serial ${entries[0].serialNumber} issued ${T0.toISOString()}\n-----BEGIN CERTIFICATE-----\n`));
    const decoded = decodeCertificateFile(fs.readFileSync(file));
    assert.equal(decoded.format, 'pem');
    assert.deepEqual(
      decoded.entries.map((e) => (e.result.ok ? e.result.certificate.subject.attributes.find((a) => a.name === 'CN')?.value : 'unreadable')),
      entries.map((e) => e.device),
    );
  });

  it('cuts off an entry an interrupted append left incomplete, keeping every whole one', async () => {
    const file = path.join(tempDir(), 'issued-lscs.pem');
    const entries = lscs(3);
    {
      const { register } = await LscRegister.open(file);
      for (const e of entries.slice(0, 2)) await register.append(e);
      await register.close();
    }
    const whole = fs.statSync(file).size;
    // a crash in the middle of the third append
    const third = `# ${entries[2].device} serial ${entries[2].serialNumber} issued ${entries[2].issuedAt}\n-----BEGIN CERTIFICATE-----\nMIIDzzCCAregAwIBAgIQ`;
    fs.appendFileSync(file, third);
    const { register, repaired } = await LscRegister.open(file);
    assert.match(repaired ?? '', /incomplete entry \(\d+ bytes, never acknowledged/);
    assert.equal(fs.statSync(file).size, whole);
    assert.deepEqual(await register.readAll(), entries.slice(0, 2));
    await register.append(entries[2]);
    assert.deepEqual(await register.readAll(), entries, 'appends continue after the repair');
    await register.close();
  });

  it('logs the repair when the lab state opens, and refuses a file it did not write rather than cut it', async () => {
    const dir = tempDir();
    const state = await LabState.open(dir, { keySource: testKeySource() });
    await state.lscs.append(lscs(1)[0]);
    await state.close();
    fs.appendFileSync(state.paths.lscRegister, '# SEP0000000000FF serial 01 iss');
    const reopened = await LabState.open(dir, { keySource: testKeySource() });
    const repairs = (await reopened.log.readAll()).filter((e) => e.event === 'state-repair');
    assert.equal(repairs.length, 1);
    assert.match(repairs[0].message, /issued-lscs\.pem ended in an incomplete entry/);
    await reopened.close();

    fs.writeFileSync(state.paths.lscRegister, 'x'.repeat(70 * 1024));
    await assert.rejects(LabState.open(dir, { keySource: testKeySource() }), /is not an LSC register this server wrote: move it away/);
    assert.equal(fs.statSync(state.paths.lscRegister).size, 70 * 1024, 'left as it was');
  });

  it('leaves the register\'s tail alone while a live CAPF server serves the lab: that tail is its append under way', async () => {
    const dir = tempDir();
    const state = await LabState.open(dir, { keySource: testKeySource() });
    await state.lscs.append(lscs(1)[0]);
    await state.devices.startJournal(); // this process now serves the lab folder, as a running server does
    try {
      fs.appendFileSync(state.paths.lscRegister, '# SEP0000000000FF serial 01 iss');
      const size = fs.statSync(state.paths.lscRegister).size;
      const other = await LabState.open(dir, { keySource: testKeySource() }); // the CLI, the extension…
      assert.equal(fs.statSync(state.paths.lscRegister).size, size, 'not cut');
      assert.equal((await other.log.readAll()).filter((e) => e.event === 'state-repair').length, 0);
      await other.close();
    } finally {
      await state.devices.stopJournal();
    }
    const after = await LabState.open(dir, { keySource: testKeySource() }); // no server now: the tail is a crash's
    assert.equal((await after.lscs.readAll()).length, 1);
    assert.equal((await after.log.readAll()).filter((e) => e.event === 'state-repair').length, 1);
    await after.close();
    await state.close();
  });

  it('starts a new register when the file is deleted while the server keeps it open (never appends into the void)', async () => {
    const file = path.join(tempDir(), 'issued-lscs.pem');
    const { register } = await LscRegister.open(file);
    const [first, second] = lscs(2);
    await register.append(first);
    fs.rmSync(file);
    await register.append(second);
    assert.deepEqual(await register.readAll(), [second]);
    await register.close();
  });

  it('rejects every append of a batch whose write fails, and recovers on the next', async () => {
    const file = path.join(tempDir(), 'issued-lscs.pem');
    const { register } = await LscRegister.open(file);
    fs.mkdirSync(file); // a folder where the register should be: appending fails
    const results = await Promise.allSettled(lscs(2).map((e) => register.append(e)));
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    fs.rmdirSync(file);
    await register.append(lscs(1)[0]);
    assert.equal((await register.readAll()).length, 1);
    await register.close();
  });
});
