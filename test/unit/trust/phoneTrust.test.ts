import * as assert from 'node:assert/strict';
import { phoneVerdict, resolveViaTvs, tvsKnowing } from '../../../server/src/trust/phoneTrust';
import { buildTrustList } from '../../../server/src/core/tlv/build';
import { signFile } from '../../../server/src/core/sgn/build';
import { download, held, scenarios, signedDownload } from './scenarios';

describe('trust model: the verdict a phone reaches', () => {
  const s = scenarios();

  describe('nothing held: trust on first use', () => {
    it('installs the first ITL and the first CTL', () => {
      const itl = phoneVerdict({}, download(s.heldItl));
      assert.equal(itl.verdict, 'accepted');
      assert.equal(itl.basis, 'first-use');
      assert.equal(itl.phoneStatus, 'ITL installed');
      assert.deepEqual(itl.recovery, []);
      const ctl = phoneVerdict({}, download(s.heldCtl, 'CTLFile.tlv'));
      assert.equal(ctl.phoneStatus, 'CTL installed');
    });
    it('accepts a signed file (nothing to check it against)', () => {
      const v = phoneVerdict({}, signedDownload(s.configSigned));
      assert.equal(v.verdict, 'accepted');
      assert.equal(v.basis, 'first-use');
      assert.equal(v.phoneStatus, undefined);
    });
    it('refuses a first ITL whose signature does not verify with its own SAST record', () => {
      const v = phoneVerdict({}, download(s.itlTamperedAfterSigning));
      assert.equal(v.verdict, 'rejected');
      assert.equal(v.rejection, 'signature-invalid');
    });
  });

  describe('an ITL held', () => {
    it('accepts an ITL signed by a SAST record it holds, naming that record', () => {
      const v = phoneVerdict({ itl: held(s.heldItl) }, download(s.itlSignedByRecovery));
      assert.equal(v.verdict, 'accepted');
      assert.equal(v.basis, 'record');
      assert.equal(v.record?.from, 'ITL');
      assert.equal(v.record?.index, 3);
      assert.equal(v.record?.role, 0);
      assert.match(v.record!.subject!, /ITLRECOVERY_ao115pub/);
      assert.equal(v.phoneStatus, 'Trust List updated');
      assert.match(v.reason, /verifies with that record's key/);
    });

    it('accepts the same ITL again (signer = the TFTP CallManager SAST record)', () => {
      const v = phoneVerdict({ itl: held(s.heldItl) }, download(s.heldItl));
      assert.equal(v.verdict, 'accepted');
      assert.equal(v.record?.index, 5);
    });

    it('asks TVS about an unknown SAST key: accepted-via-tvs names the TVS records and the certificate', () => {
      const v = phoneVerdict({ itl: held(s.heldItl) }, download(s.itlResignedUnknownSast));
      assert.equal(v.verdict, 'accepted-via-tvs');
      assert.deepEqual(v.tvs!.ask.map((r) => [r.index, r.role]), [[2, 21], [4, 21]]);
      assert.ok(v.tvs!.certificate!.equals(s.regeneratedRecovery.der));
      assert.match(v.tvs!.certificateLabel, /ITLRECOVERY_ao115pub/);
      assert.equal(v.phoneStatus, undefined);
      // The new ITL still carries the CallManager SAST the phones hold: utils itl reset localkey fits.
      assert.match(v.recovery[0].action, /utils itl reset localkey/);
    });

    it('resolves accepted-via-tvs with a sync oracle: known -> accepted, unknown -> rejected', () => {
      const known = phoneVerdict({ itl: held(s.heldItl) }, download(s.itlResignedUnknownSast), tvsKnowing([s.regeneratedRecovery.der]));
      assert.equal(known.verdict, 'accepted');
      assert.equal(known.basis, 'tvs');
      assert.equal(known.phoneStatus, 'Trust List updated');
      assert.deepEqual(known.tvs!.answer, { known: true });
      const unknown = phoneVerdict({ itl: held(s.heldItl) }, download(s.itlResignedUnknownSast), tvsKnowing([s.other.itlRecovery.der]));
      assert.equal(unknown.verdict, 'rejected');
      assert.equal(unknown.rejection, 'tvs-unknown');
      assert.equal(unknown.phoneStatus, 'Trust List update failed');
    });

    it('resolves with an async oracle (the lab TVS), and rejects a role TVS does not vouch for', async () => {
      const h = { itl: held(s.heldItl) };
      const d = download(s.itlResignedUnknownSast);
      const pending = phoneVerdict(h, d);
      const asked: Buffer[] = [];
      const ok = await resolveViaTvs(h, d, pending, async (cert) => (asked.push(cert), { known: true, roles: [0] }));
      assert.equal(ok.verdict, 'accepted');
      assert.ok(asked[0].equals(s.regeneratedRecovery.der));
      const wrongRole = await resolveViaTvs(h, d, pending, async () => ({ known: true, roles: [4] }));
      assert.equal(wrongRole.verdict, 'rejected');
      assert.match(wrongRole.reason, /only for roles 4/);
    });

    it('a migration: the other cluster needs TVS; without TVS records it is rejected with the recovery steps', () => {
      assert.equal(phoneVerdict({ itl: held(s.heldItl) }, download(s.otherClusterItl)).verdict, 'accepted-via-tvs');
      const v = phoneVerdict({ itl: held(s.heldItlWithoutTvs) }, download(s.otherClusterItl));
      assert.equal(v.verdict, 'rejected');
      assert.equal(v.rejection, 'signer-not-trusted');
      assert.equal(v.phoneStatus, 'Trust List update failed');
      assert.match(v.phoneBehaviour, /keeps its old ITL/);
      const actions = v.recovery.map((r) => r.action).join('\n');
      assert.match(actions, /utils itl reset remotekey/);
      assert.match(actions, /Delete the ITL on each phone/);
      assert.doesNotMatch(actions, /Bulk Certificate Export/, 'no TVS in the held ITL: Bulk Certificate Export cannot help');
    });

    it('rejects a file that names a held SAST but whose signature does not verify with its key', () => {
      const v = phoneVerdict({ itl: held(s.heldItl) }, download(s.itlTamperedAfterSigning));
      assert.equal(v.verdict, 'rejected');
      assert.equal(v.rejection, 'signature-invalid');
      assert.equal(v.record?.index, 3);
      assert.match(v.recovery[0].action, /binary mode/);
    });

    it('rejects a digest phones do not check (SHA-256) and a malformed file', () => {
      const sha = phoneVerdict({ itl: held(s.heldItl) }, download(s.itlSha256));
      assert.equal(sha.rejection, 'unsupported-hash');
      assert.match(sha.recovery[0].action, /TFTP File Signature Algorithm/);
      const cut = phoneVerdict({ itl: held(s.heldItl) }, download(s.itlSignedByRecovery.subarray(0, 300)));
      assert.equal(cut.rejection, 'malformed');
    });

    it('rejects a file without a complete SIGNATURE', () => {
      const d = download(s.itlSignedByRecovery);
      const unsigned = { ...d, header: { ...d.header, signature: undefined } };
      assert.equal(phoneVerdict({ itl: held(s.heldItl) }, unsigned).rejection, 'unsigned');
    });

    it('accepts a header whose names are spelled differently when the record key verifies (tlvfile writes `,`)', () => {
      const d = download(s.itlSignedByRecovery);
      const header = { ...d.header, signerName: 'CN=ITLRECOVERY_ao115pub, OU=TAC', signerIssuer: 'CN=someone else', signerSerial: Buffer.from([1]) };
      const v = phoneVerdict({ itl: held(s.heldItl) }, { ...d, header });
      assert.equal(v.verdict, 'accepted');
      assert.equal(v.record?.index, 3);
    });
  });

  describe('a CTL held', () => {
    it('authenticates a new ITL with its SAST records', () => {
      const v = phoneVerdict({ ctl: held(s.heldCtl, 'CTLFile.tlv') }, download(s.itlSignedByRecovery));
      assert.equal(v.verdict, 'accepted');
      assert.equal(v.record?.from, 'CTL');
    });
    it('authenticates a new CTL only with its SAST records; otherwise "CTL update failed"', () => {
      const ok = phoneVerdict({ ctl: held(s.heldCtl, 'CTLFile.tlv') }, download(s.heldCtl, 'CTLFile.tlv'));
      assert.equal(ok.verdict, 'accepted');
      const s2 = scenarios();
      const foreign = buildTrustList({ signerCertificate: s2.other.itlRecovery.der, signerKey: s2.other.itlRecovery.key, filename: 'CTLFile.tlv', records: [{ role: 0, certificate: s2.other.itlRecovery.der }] });
      const v = phoneVerdict({ ctl: held(s.heldCtl, 'CTLFile.tlv') }, download(foreign, 'CTLFile.tlv'));
      assert.equal(v.verdict, 'rejected');
      assert.equal(v.phoneStatus, 'CTL update failed');
      assert.match(v.recovery[0].action, /utils ctl reset localkey/);
    });
    it('both held: the CTL is asked first, then the ITL', () => {
      const v = phoneVerdict({ ctl: held(s.heldCtl, 'CTLFile.tlv'), itl: held(s.heldItl) }, download(s.heldItl));
      assert.equal(v.record?.from, 'CTL');
    });
  });

  describe('signed files', () => {
    it('accepts a configuration signed by a TFTP record of the held ITL', () => {
      const v = phoneVerdict({ itl: held(s.heldItl) }, signedDownload(s.configSigned));
      assert.equal(v.verdict, 'accepted');
      assert.equal(v.record?.role, 3);
      assert.equal(v.record?.index, 6);
      assert.equal(v.phoneBehaviour, 'The phone applies the file.');
    });
    it('accepts through the CCM+TFTP record of a held CTL', () => {
      const v = phoneVerdict({ ctl: held(s.heldCtl, 'CTLFile.tlv') }, signedDownload(s.configSigned));
      assert.equal(v.record?.from, 'CTL');
      assert.equal(v.record?.role, 2);
    });
    it('ignores a configuration signed by a certificate in no TFTP record, with the console line', () => {
      const v = phoneVerdict({ itl: held(s.heldItlWithoutTvs) }, signedDownload(s.configSignedByForeign));
      assert.equal(v.verdict, 'rejected');
      assert.equal(v.rejection, 'signer-not-trusted');
      assert.match(v.phoneConsole!, /errcode 19 \(signer not in CTL\)/);
      assert.match(v.phoneBehaviour, /changes made on the CUCM page do not take effect/);
      assert.match(v.recovery[0].action, /restart the Cisco TFTP service/i);
    });
    it('a SAST-only signer does not sign configuration files: ITLRecovery-signed config asks TVS', () => {
      const cfg = signFile(s.config, { signerCertificate: s.cluster.itlRecovery.der, signerKey: s.cluster.itlRecovery.key, filename: 'SEP001122334455.cnf.xml.sgn' });
      const v = phoneVerdict({ itl: held(s.heldItl) }, signedDownload(cfg, undefined, s.cluster.itlRecovery.der));
      assert.equal(v.verdict, 'accepted-via-tvs');
      assert.ok(v.tvs!.certificate!.equals(s.cluster.itlRecovery.der));
    });
  });
});
