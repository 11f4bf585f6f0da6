/**
 * The booting phone over real UDP (TFTP) and TLS (TVS, CAPF) on 127.0.0.1 and free ports: every boot scenario
 * with its checked outcome (each also runs `itl-lens compare` / `check` on the same files and asserts agreement),
 * the trust store across boots and its file modes, `itl-lens lab` and `itl-lens phone --tftp`.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runScenarios, scenarioList, ScenarioReport } from '../../../server/src/lab/scenarios';
import { LabEnvironment } from '../../../server/src/lab/environment/labEnvironment';
import { BootLab } from '../../../server/src/lab/environment/labBoot';
import { scheduleGuideInstall } from '../../../server/src/lab/environment/installTest';
import { bootFileNames } from '../../../server/src/lab/phone/boot/bootFiles';
import { UnsafeDeviceNameError } from '../../../server/src/lab/model/labLayout';
import { runBootInstallTest } from '../../../server/src/lab/environment/bootInstallTest';
import { main } from '../../../server/src/cli/main';
import { phoneKeys, removeTempDirs, tempDir, testKeySource } from '../capf/helpers';

const EXPECTED: Record<string, [string, string, string | undefined]> = {
  'boot-first-use': ['installed', 'LSC: Installed', 'Upgrade Success'],
  'boot-itl-unknown-sast': ['connection-failed', 'LSC: Connection Failed', 'Operation Pending'],
  'boot-capf-regenerated-reset': ['installed', 'LSC: Installed', 'Upgrade Success'],
  'boot-migration-no-export': ['itl-rejected', 'Trust List update failed', 'Operation Pending'],
  'boot-migration-bulk-export': ['installed', 'LSC: Installed', 'Upgrade Success'],
  'boot-migration-tvs-stopped': ['itl-rejected', 'Trust List update failed', 'Operation Pending'],
  'boot-config-foreign-signer': ['installed', 'LSC: Installed', 'Upgrade Success'],
  'boot-recovery-itl-reset': ['installed', 'LSC: Installed', 'Upgrade Success'],
  'boot-recovery-delete-itl': ['installed', 'LSC: Installed', 'Upgrade Success'],
};

describe('lab: the phone boots (TFTP, TVS, trust store) — scenarios', function () {
  this.timeout(180_000);
  let report: ScenarioReport;
  const ids = scenarioList().filter((s) => s.id.startsWith('boot-')).map((s) => s.id);

  before(async () => {
    report = await runScenarios({ only: ids, keySource: testKeySource(), phoneKeys: phoneKeys() });
  });

  it('the catalog holds every boot scenario', () => {
    assert.deepEqual([...ids].sort(), Object.keys(EXPECTED).sort());
  });

  for (const [id, [outcome, phoneStatus, serverStatus]] of Object.entries(EXPECTED)) {
    it(`${id}: ${phoneStatus} / ${serverStatus}`, () => {
      const r = report.results.find((x) => x.id === id);
      assert.ok(r, `scenario ${id} missing`);
      assert.equal(r.error, undefined);
      assert.deepEqual(r.actual, { outcome, phoneStatus, serverStatus });
      const failed = r.checks.filter((c) => !c.passed);
      assert.deepEqual(failed, [], `failed checks: ${JSON.stringify(failed, null, 1)}`);
      const agreements = r.checks.filter((c) => c.name.includes('the phone and the editor agree'));
      assert.ok(agreements.length > 0, 'the editor verdict ran on at least one file');
      assert.equal(r.passed, true);
    });
  }

  it('the editor agreed on refusals too (compare said rejected where the phone refused)', () => {
    const refusals = report.results.flatMap((r) => r.checks).filter((c) => c.name.includes('agree (rejected)'));
    assert.ok(refusals.length >= 6, `${refusals.length} refusals compared`);
    assert.ok(refusals.some((c) => c.detail?.includes('itl-lens compare')));
    assert.ok(refusals.some((c) => c.detail?.includes('itl-lens check') && /sgn-signer-(untrusted|via-tvs)/.test(c.detail)));
  });
});

describe('lab: the phone boots — trust store and commands', function () {
  this.timeout(60_000);
  after(removeTempDirs);

  it('keeps the trust store across boots: the second boot judges the new ITL against the first (and a deleted ITL is trusted anew)', async () => {
    let offset = 0; // the TLV TIMESTAMP counts seconds: move the clock on so that a rebuilt ITL differs
    const lab = await LabEnvironment.open({ stateDir: tempDir(), keySource: testKeySource(), clock: () => new Date(Date.now() + offset) });
    const device = 'SEP0000000000C1';
    try {
      const b = await BootLab.open(lab);
      await b.startAll();
      const first = await b.buildCluster([device]);
      const r1 = await b.boot(device, { keys: phoneKeys() });
      assert.deepEqual(r1.phone.timeline.filter((t) => t.kind === 'status').map((t) => t.text), ['ITL installed', 'LSC: Not Installed']);
      assert.equal(r1.phone.outcome, 'no-operation');
      const again = await b.boot(device, { keys: phoneKeys() });
      assert.ok(again.boot.files.find((f) => f.name === 'ITLFile.tlv')?.unchanged, 'the same ITL: nothing to update');
      offset += 2000;
      const second = await b.buildCluster([device]);
      assert.ok(!second.itl.equals(first.itl));
      const r2 = await b.boot(device, { keys: phoneKeys() });
      const itl = r2.boot.files.find((f) => f.name === 'ITLFile.tlv');
      assert.equal(itl?.verdict?.basis, 'record');
      assert.ok(itl?.heldBefore.itl?.equals(first.itl), 'judged against the ITL the first boot installed');
      assert.ok(r2.phone.timeline.some((t) => t.kind === 'status' && t.text === 'Trust List updated'));
      const dir = b.trustStore(device).dir!;
      assert.equal(dir, path.join(lab.state.phoneDir(device), 'trust'));
      assert.ok(fs.readFileSync(path.join(dir, 'itl.tlv')).equals(second.itl));
      assert.deepEqual(fs.readdirSync(dir).sort(), ['capf.json', 'itl.tlv']);
      const r3 = await b.boot(device, { deleteItl: true, keys: phoneKeys() });
      assert.equal(r3.boot.files.find((f) => f.name === 'ITLFile.tlv')?.verdict?.basis, 'first-use');
      const names = r1.boot.files.map((f) => f.name);
      assert.deepEqual(names, ['CTLSEP0000000000C1.tlv', 'CTLFile.tlv', 'ITLSEP0000000000C1.tlv', 'ITLFile.tlv', 'SEP0000000000C1.cnf.xml.sgn']);
    } finally {
      await lab.close();
    }
  });

  it('a malformed ITL or configuration from TFTP: "Trust List update failed" / ignored, the phone keeps what it holds, nothing throws', async () => {
    const lab = await LabEnvironment.open({ stateDir: tempDir(), keySource: testKeySource() });
    const device = 'SEP0000000000C3';
    try {
      const b = await BootLab.open(lab);
      await b.startAll();
      const good = await b.buildCluster([device]);
      await b.boot(device, { keys: phoneKeys() });
      const cut = good.itl.subarray(0, 300);
      fs.writeFileSync(path.join(b.tftpRoot, 'ITLFile.tlv'), cut);
      fs.writeFileSync(path.join(b.tftpRoot, `${device}.cnf.xml.sgn`), Buffer.from('not a signed file'));
      const r = await b.boot(device, { keys: phoneKeys() });
      const itl = r.boot.files.find((f) => f.name === 'ITLFile.tlv');
      assert.equal(itl?.verdict?.rejection, 'malformed');
      assert.ok(r.phone.timeline.some((t) => t.kind === 'status' && t.text === 'Trust List update failed'));
      assert.equal(r.boot.config, 'ignored');
      assert.ok((await b.trustStore(device).load()).itl?.equals(good.itl), 'the phone keeps the ITL it held');
      const fresh = await b.boot('SEP0000000000C4', { keys: phoneKeys() });
      assert.equal(fresh.boot.held.itl, undefined, 'a malformed first ITL is not trusted on first use');
      assert.equal(fresh.phone.status, 'No valid CAPF server');
    } finally {
      await lab.close();
    }
  });

  it('keeps the phone keys mode 0600 and refuses a device name that is not SEP + 12 hex digits', async () => {
    const stateDir = tempDir();
    const report = await runBootInstallTest({ stateDir, keySource: testKeySource(), phoneKeys: phoneKeys() });
    assert.equal(report.ok, true, report.phone.problem);
    const phoneDir = path.join(stateDir, 'phones', 'SEP001122334455');
    for (const key of ['mic.key.pem', 'lsc.key.pem']) assert.equal(fs.statSync(path.join(phoneDir, key)).mode & 0o777, 0o600, key);
    for (const key of fs.readdirSync(path.join(stateDir, 'cluster', 'keys'))) assert.equal(fs.statSync(path.join(stateDir, 'cluster', 'keys', key)).mode & 0o777, 0o600, key);
    assert.equal(fs.statSync(path.join(stateDir, 'tvs', 'tvs.key.pem')).mode & 0o777, 0o600);
    assert.throws(() => bootFileNames('../SEP001122334455'), UnsafeDeviceNameError);
    assert.throws(() => bootFileNames('SEP00112233445/'), UnsafeDeviceNameError);
  });

  it('itl-lens lab boots the phone, installs the LSC, exits 0 and leaves nothing running; a second run updates the trust list', async () => {
    const cwd = tempDir();
    let out = '';
    const io = { cwd, out: (t: string) => (out += t), err: (t: string) => (out += t) };
    // the CLI generates its own keys (RSA 2048): a few seconds
    assert.equal(await main(['lab', '--state', 'lab'], io), 0, out);
    assert.match(out, /TFTP server: 127\.0\.0\.1:\d+/);
    assert.match(out, /ITLFile\.tlv\s+accepted \(first-use\)/);
    assert.match(out, /ITL installed/);
    assert.match(out, /LSC: Installed/);
    out = '';
    assert.equal(await main(['lab', '--state', 'lab'], io), 0, out);
    // judged against the first run's ITL: the same bytes when rebuilt within the same second, else by its SAST record
    assert.match(out, /boot: the phone holds an ITL/);
    assert.match(out, /ITLFile\.tlv\s+(unchanged|accepted \(record\))/);
  });

  it('itl-lens phone --tftp boots from a running lab TFTP server and installs', async () => {
    const stateDir = tempDir();
    const lab = await LabEnvironment.open({ stateDir, keySource: testKeySource() });
    const device = 'SEP0000000000C2';
    try {
      const b = await BootLab.open(lab);
      await b.startAll();
      await scheduleGuideInstall(lab, device);
      await b.buildCluster([device]);
      let out = '';
      const io = { cwd: stateDir, out: (t: string) => (out += t), err: (t: string) => (out += t) };
      const tftp = `${b.tftpAddress.host}:${b.tftpAddress.port}`;
      const tvs = `${b.tvsAddress.host}:${b.tvsAddress.port}`;
      assert.equal(await main(['phone', '--tftp', tftp, '--tvs', tvs, '--device', device.toLowerCase(), '--state', '.', '--retries', '0'], io), 0, out);
      assert.match(out, /ITL installed/);
      assert.match(out, /LSC: Installed/);
      assert.ok(fs.existsSync(path.join(stateDir, 'phones', device, 'trust', 'itl.tlv')));
      let usage = '';
      assert.equal(await main(['phone', '--tftp', tftp, '--itl', 'x.tlv', '--device', device], { cwd: stateDir, out: (t) => (usage += t), err: (t) => (usage += t) }), 2);
      assert.match(usage, /give neither --itl nor --server/);
    } finally {
      await lab.close();
    }
  });
});
