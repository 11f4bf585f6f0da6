import * as assert from 'node:assert/strict';
import { createHash, createPublicKey } from 'node:crypto';
import { decodeCertificate } from '../../../server/src/core/cert/decodeCertificate';
import { CAPF_ROLE, TrustRecord } from '../../../server/src/core/tlv';
import { matchCapfCertificate } from '../../../server/src/lab/phone/trustedCapf';
import { makeIssuer } from '../../../server/src/lab/capf/service/issuer';
import { createCapfCertificate } from '../../../server/src/lab/capf/service/labCertificates';
import { issueLsc } from '../../../server/src/lab/capf/service/lscProfile';
import { summarizeCertificate } from '../../../server/src/lab/model/issuedLsc';
import { checkIssuedLsc, installedLsc } from '../../../server/src/lab/phone/lscCheck';
import { fixtureKeys, T0 } from './helpers';

describe('capf: the phone checks the LSC it is handed', () => {
  const k = fixtureKeys();
  const capf = makeIssuer(createCapfCertificate(k.capf, T0, 'CAPF-7f0ae8d7'), k.capf);
  // same subject, another key: what a CAPF regenerated after the ITL was built looks like
  const regenerated = makeIssuer(createCapfCertificate(k['capf-regenerated'], T0, 'CAPF-7f0ae8d7'), k['capf-regenerated']);
  const phoneKey = k['tvs-pub'];
  const device = 'SEP001122334455';
  const expect = { key: phoneKey, capfDer: capf.der, deviceName: device, now: new Date(T0.getTime() + 60_000) };
  const lsc = issueLsc(capf, device, createPublicKey(phoneKey), T0).der;

  it('accepts an LSC from the trusted CAPF, for its key and name, valid now', () => {
    assert.equal(checkIssuedLsc(lsc, expect), undefined);
  });

  it('refuses an LSC signed by another CAPF key, even under the same name', () => {
    const other = issueLsc(regenerated, device, createPublicKey(phoneKey), T0).der;
    assert.equal(checkIssuedLsc(other, expect), 'the LSC does not chain to the CAPF certificate the phone trusted');
  });

  it('refuses an LSC whose signature does not cover its bytes', () => {
    const tampered = Buffer.from(lsc);
    tampered[tampered.indexOf(Buffer.from(device)) + 3] ^= 1; // one bit of the subject
    assert.equal(checkIssuedLsc(tampered, expect), 'the LSC does not chain to the CAPF certificate the phone trusted');
  });

  it('refuses an LSC for another key or another device', () => {
    assert.equal(checkIssuedLsc(issueLsc(capf, device, createPublicKey(k['cert-rsa']), T0).der, expect), 'the LSC is not for the key the phone generated');
    assert.equal(
      checkIssuedLsc(issueLsc(capf, 'SEP00112233AABB', createPublicKey(phoneKey), T0).der, expect),
      'the LSC does not name SEP001122334455 (its subject common name: SEP00112233AABB)',
    );
  });

  it('refuses an LSC that is not valid now, and bytes that are not a certificate', () => {
    assert.match(checkIssuedLsc(lsc, { ...expect, now: new Date(T0.getTime() - 1000) }) ?? '', /^the LSC is not valid now \(/);
    assert.match(checkIssuedLsc(lsc, { ...expect, now: new Date(T0.getTime() + 366 * 86_400_000) }) ?? '', /^the LSC is not valid now \(/);
    assert.equal(checkIssuedLsc(lsc.subarray(0, 100), expect), 'the LSC is not a readable certificate');
  });

  it('keeps the LSC with the summary the server recorded, made when first read', () => {
    const installed = installedLsc(lsc);
    assert.deepEqual(installed.summary, summarizeCertificate(lsc));
    assert.equal(installed.summary, installed.summary, 'made once');
  });
});

describe('capf: the phone matches the presented CAPF certificate to the ITL', () => {
  const k = fixtureKeys();
  const capf = makeIssuer(createCapfCertificate(k.capf, T0, 'CAPF-7f0ae8d7'), k.capf);
  const regenerated = makeIssuer(createCapfCertificate(k['capf-regenerated'], T0, 'CAPF-7f0ae8d7'), k['capf-regenerated']);
  const record = (r: Partial<TrustRecord>) => ({ role: CAPF_ROLE, ...r }) as TrustRecord;
  const sha = (alg: string, der: Buffer) => createHash(alg).update(der).digest();
  const rsaPoint = (der: Buffer) => {
    const d = decodeCertificate(der);
    assert.ok(d.ok && d.certificate.publicKey.type === 'RSA');
    return d.certificate.publicKey.pkcs1;
  };

  it('by certificate, by SHA-1 or SHA-256 hash, by public key', () => {
    const byCertificate = matchCapfCertificate([record({ certificate: capf.der })], capf.der);
    assert.ok(byCertificate.matched && byCertificate.by === 'certificate');
    const byHash = matchCapfCertificate([record({ certHash: sha('sha1', capf.der) })], capf.der);
    assert.ok(byHash.matched && byHash.by === 'certificate hash');
    const bySha256 = matchCapfCertificate([record({ certHash: sha('sha256', capf.der), certHashAlgorithm: 2 })], capf.der);
    assert.ok(bySha256.matched && bySha256.by === 'certificate hash');
    const byKey = matchCapfCertificate([record({ publicKey: rsaPoint(capf.der) })], capf.der);
    assert.ok(byKey.matched && byKey.by === 'public key');
  });

  it('refuses a regenerated CAPF certificate, also right after the old one matched the same records', () => {
    const records = [record({ certHash: sha('sha1', capf.der), publicKey: rsaPoint(capf.der) })];
    assert.ok(matchCapfCertificate(records, capf.der).matched);
    const m = matchCapfCertificate(records, regenerated.der);
    assert.ok(!m.matched);
    assert.match(m.problem, /^the server presented CN=CAPF-7f0ae8d7,.* \(SHA-1 [0-9A-F]{40}\), which matches no CAPF record of the ITL/);
    assert.ok(matchCapfCertificate(records, capf.der).matched, 'and the old one still matches');
  });
});
