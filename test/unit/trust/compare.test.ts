import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareTrustLists, recordChanges } from '../../../server/src/trust/compareTrustLists';
import { buildTrustList } from '../../../server/src/core/tlv/build';
import { referenceItlOptions, referenceRecords } from '../../../server/src/lab/cluster/referenceCluster';
import { runCli } from '../../helpers/cli';
import { fixturesDir, TEST_NOW } from '../../helpers/fixtures';
import { download, held, list, scenarios } from './scenarios';

describe('trust model: comparing two trust lists', () => {
  const s = scenarios();

  it('a regenerated CAPF: accepted, one regenerated change with what it means', () => {
    const r = compareTrustLists({ itl: held(s.itlSignedByRecovery) }, list(s.itlSignedByRecovery), download(s.itlCapfRegenerated) as never);
    assert.equal(r.verdict.verdict, 'accepted');
    assert.deepEqual(r.changes.map((c) => c.kind), ['regenerated']);
    const c = r.changes[0];
    assert.equal(c.held?.role, 4);
    assert.equal(c.new?.role, 4);
    assert.notEqual(c.held?.serial, c.new?.serial);
    assert.match(c.meaning, /LSC installs.*need this ITL on the phone first/);
  });

  it('the same list: no changes; another signer: a signer-changed change', () => {
    assert.deepEqual(recordChanges(list(s.heldItl), list(s.heldItl)), []);
    const r = compareTrustLists({ itl: held(s.heldItl) }, list(s.heldItl), download(s.itlSignedByRecovery) as never);
    assert.deepEqual(r.changes.map((c) => c.kind), ['signer-changed']);
    assert.equal(r.changes[0].held?.index, 5);
    assert.equal(r.changes[0].new?.index, 3);
  });

  it('added, removed and role changes, with the meaning per role', () => {
    const c = s.cluster;
    const records = referenceRecords(c)
      .filter((r) => r.role !== 21 || r.certificate !== c.tvsSub.der) // TVS ao115sub removed
      .map((r) => (r.role === 3 && r.certificate === c.callManagerSub.der ? { ...r, role: 2 } : r)); // TFTP -> CCM+TFTP
    records.push({ role: 1, certificate: c.callManagerPub.der }); // CCM added
    const next = buildTrustList(referenceItlOptions(c, TEST_NOW, records));
    const changes = recordChanges(list(s.heldItl), list(next));
    const kinds = changes.map((x) => `${x.kind}:${x.held?.role ?? x.new?.role}`).sort();
    assert.deepEqual(kinds, ['added:1', 'removed:21', 'role-changed:3']);
    assert.match(changes.find((x) => x.kind === 'removed')!.meaning, /TVS record gone: HTTPS services and future migrations lose their verifier/);
    const role = changes.find((x) => x.kind === 'role-changed')!;
    assert.equal(role.new?.role, 2);
    assert.match(role.meaning, /now CCM\+TFTP instead of TFTP/);
  });

  it('a new TFTP certificate: configuration files are trusted only once the new ITL is', () => {
    const changes = recordChanges(list(s.heldItl), list(s.otherClusterItl));
    const tftp = changes.find((x) => x.kind === 'added' && x.new?.role === 3)!;
    assert.match(tftp.meaning, /configuration files signed with it are trusted only once this ITL is installed/);
  });
});

describe('itl-lens compare', () => {
  const dir = path.join(fixturesDir(), 'trust');
  const run = (...args: string[]) => runCli(['compare', ...args], dir);

  it('accepted: the verdict line first, exit 0', async () => {
    const r = await run('held/ITLFile.tlv', 'next/capf-regenerated/ITLFile.tlv');
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split('\n');
    assert.match(lines[0], /^Verdict: accepted — phones that hold held\/ITLFile.tlv/);
    assert.match(r.out, /Signed by ITL record #3 \(SAST ITLRECOVERY_ao115pub/);
    assert.match(r.out, /"Trust List updated"/);
    assert.match(r.out, /regenerated {2}ITL record #1 \(CAPF/);
  });

  it('accepted-via-tvs unresolved exits 1; --tvs-knows resolves it to accepted (0) or rejected (1)', async () => {
    const pending = await run('held/ITLFile.tlv', 'next/resigned-unknown-sast/ITLFile.tlv');
    assert.equal(pending.code, 1);
    assert.match(pending.out, /^Verdict: accepted-via-tvs \(unresolved/);
    assert.match(pending.out, /TVS the phone asks \(TCP 2445\): ITL record #2 \(TVS ao115pub/);
    assert.match(pending.out, /Certificate TVS must know: CN=ITLRECOVERY_ao115pub/);
    const known = await run('held/ITLFile.tlv', 'next/resigned-unknown-sast/ITLFile.tlv', '--tvs-knows', 'next/resigned-unknown-sast/ITLRecovery.pem');
    assert.equal(known.code, 0);
    assert.match(known.out, /^Verdict: accepted \(TVS vouched\)/);
    const unknown = await run('held/ITLFile.tlv', 'next/other-cluster/ITLFile.tlv', '--tvs-knows', 'next/resigned-unknown-sast/ITLRecovery.pem');
    assert.equal(unknown.code, 1);
    assert.match(unknown.out, /^Verdict: rejected \(tvs-unknown\)/);
  });

  it('rejected: the reason, the phone message and what to do', async () => {
    const r = await run('held-no-tvs/ITLFile.tlv', 'next/other-cluster/ITLFile.tlv');
    assert.equal(r.code, 1);
    assert.match(r.out, /^Verdict: rejected \(signer-not-trusted\)/);
    assert.match(r.out, /Phone: "Trust List update failed"/);
    assert.match(r.out, /What to do:\n {2}1\. Run utils itl reset remotekey/);
  });

  it('--ctl: the held CTL authenticates the new ITL', async () => {
    const r = await run('held-no-tvs/ITLFile.tlv', 'next/recovery-signed/ITLFile.tlv', '--ctl', 'held/CTLFile.tlv', '--json');
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out);
    assert.equal(j.record.from, 'CTL');
  });

  it('--json: verdict, reason and changes with both files\' records', async () => {
    const r = await run('held/ITLFile.tlv', 'next/other-cluster/ITLFile.tlv', '--json');
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out);
    assert.equal(j.verdict, 'accepted-via-tvs');
    assert.equal(typeof j.reason, 'string');
    assert.equal(j.tvs.ask.length, 2);
    assert.match(j.tvs.certificateSha1, /^[0-9a-f]{40}$/);
    assert.ok(Array.isArray(j.changes) && j.changes.length > 5);
    const signer = j.changes.find((c: { kind: string }) => c.kind === 'signer-changed');
    assert.equal(signer.held.from, 'ITL');
    assert.equal(signer.new.from, 'download');
    for (const c of j.changes) assert.ok(c.held || c.new, c.kind);
  });

  it('exits 2 on usage errors', async () => {
    assert.equal((await run('held/ITLFile.tlv')).code, 2);
    assert.equal((await run('held/ITLFile.tlv', 'nope.tlv')).code, 2);
    assert.ok(fs.existsSync(path.join(dir, 'held/ITLFile.tlv')));
  });
});
