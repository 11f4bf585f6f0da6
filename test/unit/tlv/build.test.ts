import * as assert from 'node:assert/strict';
import { createHash, createPrivateKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import * as forge from 'node-forge';
import * as path from 'node:path';
import { buildTrustList, decodeTrustList, verifyTrustList, signedBytes, encodeRecord, roleFromName } from '../../../server/src/core/tlv';
import { TLVFILE_LAYOUT } from '../../../server/src/core/tlv/build';
import { findSigner } from '../../../server/src/core/tlv/verify';
import { decodeCertificate } from '../../../server/src/core/cert/decodeCertificate';
import { makeCluster } from '../../../server/src/lab/cluster/referenceCluster';
import { referenceItlOptions, referenceRecords } from '../../../server/src/lab/cluster/referenceCluster';
import { loadFixtureKeys } from '../../../server/src/lab/cluster/clusterKeys';
import { KEYS_DIR, TEST_NOW } from '../../helpers/fixtures';

describe('tlv build', () => {
  const keys: Record<string, KeyObject> = loadFixtureKeys(KEYS_DIR);
  const cluster = makeCluster(TEST_NOW, keys);

  it('decode(build(x)) round-trips every record field', () => {
    const bytes = buildTrustList(referenceItlOptions(cluster, TEST_NOW));
    const list = decodeTrustList(bytes);
    assert.deepEqual(list.problems, []);
    const specs = referenceRecords(cluster);
    assert.equal(list.records.length, specs.length);
    list.records.forEach((r, i) => {
      const spec = specs[i];
      const cert = decodeCertificate(spec.certificate);
      assert.ok(cert.ok);
      assert.equal(r.role, spec.role);
      assert.equal(r.subject, cert.certificate.subject.cucm);
      assert.equal(r.issuer, cert.certificate.issuer.cucm);
      assert.ok(r.serial!.equals(cert.certificate.serial));
      assert.ok(r.signature!.equals(cert.certificate.signature));
      if (spec.hashOnly) {
        assert.equal(r.certificate, undefined);
        assert.ok(r.certHash!.equals(createHash('sha1').update(spec.certificate).digest()));
      } else assert.ok(r.certificate!.equals(spec.certificate));
      if (spec.dnsName) assert.equal(r.dnsName, spec.dnsName);
    });
    assert.equal(list.header.timestamp, Math.floor((TEST_NOW.getTime() - 86_400_000) / 1000));
  });

  it('is deterministic for the same keys and clock', () => {
    const a = buildTrustList(referenceItlOptions(makeCluster(TEST_NOW, keys), TEST_NOW));
    const b = buildTrustList(referenceItlOptions(makeCluster(TEST_NOW, keys), TEST_NOW));
    assert.ok(a.equals(b));
  });

  for (const digest of ['sha1', 'sha256', 'sha512'] as const) {
    for (const signerVersion of ['1.0', '1.1'] as const) {
      it(`signs with ${digest}, signer version ${signerVersion}, header padded to 4`, () => {
        const bytes = buildTrustList({ ...referenceItlOptions(cluster, TEST_NOW), digest, signerVersion });
        const list = decodeTrustList(bytes);
        assert.deepEqual(list.problems, []);
        assert.equal(list.header.headerLength! % 4, 0);
        assert.equal(list.header.signerVersion, signerVersion);
        assert.equal(verifyTrustList(bytes, list).status, 'valid');
      });
    }
  }

  it('pads the header with 0x0D bytes after TIMESTAMP when needed', () => {
    // A signer DN one character longer shifts the header by one byte, so some padding is needed.
    const paddings = new Set<number>();
    for (const cn of ['a', 'ab', 'abc', 'abcd']) {
      const key = keys['callmanager-sub'];
      const cert = makeCluster(TEST_NOW, keys).callManagerSub.der;
      const list = decodeTrustList(
        buildTrustList({ signerCertificate: cert, signerKey: key, records: [{ role: 0, certificate: cert }], filename: `ITLFile${cn}.tlv` }),
      );
      const pads = list.header.elements.filter((e) => e.tag === 13);
      paddings.add(pads.length);
      assert.equal(list.header.headerLength! % 4, 0);
      if (pads.length) assert.equal(list.header.elements.at(-1)!.tag, 13);
    }
    assert.deepEqual([...paddings].sort(), [0, 1, 2, 3]);
  });

  it('verifies with an independent implementation (node-forge RSA over our signed bytes)', () => {
    const bytes = buildTrustList({ ...referenceItlOptions(cluster, TEST_NOW), digest: 'sha512' });
    const list = decodeTrustList(bytes);
    const signer = list.records[4];
    const forgeCert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(signer.certificate!.toString('binary'))));
    const md = forge.md.sha512.create();
    md.update(signedBytes(bytes, list)!.toString('binary'));
    const pub = forgeCert.publicKey as forge.pki.rsa.PublicKey;
    assert.ok(pub.verify(md.digest().bytes(), list.header.signature!.raw.toString('binary')));
  });

  it('writes CUCM ascending record tags and ;-separated DNs', () => {
    const rec = encodeRecord({ role: 4, certificate: cluster.capf.der, hashOnly: true });
    const l = decodeTrustList(Buffer.concat([buildTrustList({ ...referenceItlOptions(cluster, TEST_NOW), records: [] }), rec]));
    const tags = l.records[0].elements.map((e) => e.tag);
    assert.deepEqual(tags, [...tags].sort((a, b) => a - b));
    assert.match(l.records[0].subject!, /^CN=CAPF-7f0ae8d7;OU=TAC;O=Cisco Systems;L=Boxborough;ST=MA;C=US$/);
  });

  it('writes the tlvfile layout: tags 1, 3, 5, 6, 4, 7, 8, 9 and , names in the certificate\'s order', () => {
    const bytes = buildTrustList({ ...referenceItlOptions(cluster, TEST_NOW), layout: TLVFILE_LAYOUT });
    const l = decodeTrustList(bytes);
    assert.deepEqual(l.problems, []);
    const sast = l.records.find((r) => r.role === 0 && r.certificate)!;
    assert.deepEqual(sast.elements.map((e) => e.tag), [1, 3, 5, 6, 4, 7, 8, 9]);
    assert.deepEqual(l.records[0].elements.map((e) => e.tag), [1, 3, 5, 6, 4, 7, 8, 11, 12], 'a hash-only record: the hash after');
    assert.equal(l.records[0].subject, 'C=US,ST=MA,L=Boxborough,O=Cisco Systems,OU=TAC,CN=CAPF-7f0ae8d7');
    assert.equal(l.header.signerName, 'C=US,ST=MA,L=Boxborough,O=Cisco Systems,OU=TAC,CN=ao115sub');
    assert.deepEqual(l.records[6].elements.map((e) => e.tag), [1, 3, 5, 6, 4, 7, 8, 9, 2], 'a DNS name, when there is one, after the others');
    assert.equal(l.records[6].dnsName, 'ao115sub');
    const check = verifyTrustList(bytes, l);
    assert.equal(check.status, 'valid');
    assert.equal(check.signer?.index, 5);
  });

  it('finds the signer when the header and the records write the issuer differently', () => {
    const l = decodeTrustList(buildTrustList(referenceItlOptions(cluster, TEST_NOW)));
    const cucm = l.header.signerIssuer!;
    for (const issuer of ['C=US,ST=MA,L=Boxborough,O=Cisco Systems,OU=TAC,CN=ao115sub', 'cn=AO115SUB, ou=TAC, o=Cisco Systems, l=Boxborough, st=MA, c=US']) {
      assert.equal(findSigner({ ...l, header: { ...l.header, signerIssuer: issuer } })?.index, 5, issuer);
    }
    assert.equal(findSigner({ ...l, header: { ...l.header, signerIssuer: cucm.replace('CN=ao115sub', 'CN=ao115pub') } }), undefined, 'another issuer');
  });

  it('refuses an EC signer key: the format signs with RSA only', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    assert.throws(() => buildTrustList({ ...referenceItlOptions(cluster, TEST_NOW), signerKey: ec }), /RSA/);
  });

  it('maps role names as CUCM prints them', () => {
    assert.equal(roleFromName('System Administrator Security Token'), 0);
    assert.equal(roleFromName('sast'), 0);
    assert.equal(roleFromName('CCM+TFTP'), 2);
    assert.equal(roleFromName('CAPF'), 4);
    assert.equal(roleFromName('APP-SERVER'), 7);
    assert.equal(roleFromName('TVS'), 21);
    assert.equal(roleFromName('nope'), undefined);
  });

  it('loads the checked-in fixture keys', () => {
    assert.equal(createPrivateKey(keys.capf.export({ format: 'pem', type: 'pkcs8' })).asymmetricKeyType, 'rsa');
    assert.ok(path.isAbsolute(KEYS_DIR));
  });
});
