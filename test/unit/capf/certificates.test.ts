import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { constants, createHash, createPublicKey, publicDecrypt, X509Certificate } from 'node:crypto';
import { issueCertificate } from '../../../server/src/core/cert/issueCertificate';
import { decodeCertificate } from '../../../server/src/core/cert/decodeCertificate';
import { makeIssuer } from '../../../server/src/lab/capf/service/issuer';
import { createCapfCertificate, createManufacturingCa, issueMic } from '../../../server/src/lab/capf/service/labCertificates';
import { buildLsc } from '../../../server/src/lab/capf/service/lscCertificate';
import { issueLsc } from '../../../server/src/lab/capf/service/lscProfile';
import { summarizeCertificate } from '../../../server/src/lab/model/issuedLsc';
import { checkSpki } from '../../../server/src/lab/capf/service/spki';
import { isUniversal, readDerNode, Tag } from '../../../server/src/core/asn1/der';
import * as w from '../../../server/src/core/asn1/derWriter';
import { unsignedInt } from '../../../server/src/core/cert/decodeCertificate';
import { Prng } from '../../helpers/prng';
import { authData, signAuthData, verifyAuthData } from '../../../server/src/lab/capf/protocol/signedData';
import { decodeHashTagged } from '../../../server/src/lab/capf/protocol/codec';
import { LabState } from '../../../server/src/lab/capf/service/labState';
import { lscProfileChecks } from '../../../server/src/lab/scenarios/lscChecks';
import { fixtureKeys, removeTempDirs, tempDir, testKeySource, T0 } from './helpers';
import { fixture } from '../../helpers/fixtures';

describe('capf: certificates the lab makes', () => {
  const k = fixtureKeys();
  const capf = makeIssuer(createCapfCertificate(k.capf, T0, 'CAPF-7f0ae8d7'), k.capf);
  after(removeTempDirs);

  it('the CAPF certificate: self-signed, CA:TRUE pathlen 0, keyCertSign + digitalSignature, RSA 2048', () => {
    const c = capf.cert;
    assert.deepEqual(c.basicConstraints, { ca: true, pathLength: 0 });
    assert.ok(c.keyUsage?.includes('keyCertSign') && c.keyUsage.includes('digitalSignature'));
    assert.equal(c.publicKey.type === 'RSA' && c.publicKey.bits, 2048);
    assert.ok(c.selfIssued);
    assert.match(c.subject.rfc4514, /^CN=CAPF-7f0ae8d7,OU=ITL Lens Lab,O=ITL Lens,L=Loopback,ST=Lab,C=US$/);
  });

  it('the LSC has the reference profile', () => {
    const lsc = issueLsc(capf, 'SEP001122334455', createPublicKey(k['tvs-pub']), T0);
    const failed = lscProfileChecks(lsc.der, capf, 'SEP001122334455', 'RSA 2048').filter((c) => !c.passed);
    assert.deepEqual(failed, []);
    assert.equal(decodeCertificate(lsc.der).ok && decodeCertificate(lsc.der).problems.length, 0);
  });

  it('its bytes are exactly what core issueCertificate writes for the same inputs', () => {
    const serial = Buffer.from('00c0ffee00112233445566778899aabb', 'hex');
    const notBefore = new Date('2030-03-01T09:00:00Z');
    const notAfter = new Date('2031-03-01T09:00:00Z');
    const pub = createPublicKey(k['ec-p256']);
    const ours = buildLsc(capf, { deviceName: 'SEP001122334455', spki: pub.export({ format: 'der', type: 'spki' }), serial, notBefore, notAfter });
    const core = issueCertificate({
      subject: 'CN=SEP001122334455;OU=ITL Lens Lab;O=ITL Lens;L=Loopback;ST=Lab;C=US',
      issuerDer: capf.cert.subject.der,
      publicKey: pub,
      signingKey: capf.key,
      serial,
      notBefore,
      notAfter,
      hash: 'sha256',
      extensions: {
        basicConstraints: { ca: false, critical: true },
        keyUsage: ['digitalSignature', 'keyEncipherment'],
        keyUsageCritical: true,
        extKeyUsage: ['serverAuth', 'clientAuth', 'ipsecEndSystem'],
        subjectAltName: ['URI:SEP001122334455'],
      },
    });
    assert.ok(ours.equals(core));
  });

  it('the summary recorded at issue equals a decode of the certificate', () => {
    for (const key of [k['tvs-pub'], k['ec-p256'], k['ec-p521'], k['weak-1024']]) {
      const lsc = issueLsc(capf, 'SEP001122334455', createPublicKey(key), new Date('2030-03-01T09:00:00.789Z'));
      assert.deepEqual(lsc.summary, summarizeCertificate(lsc.der));
    }
  });

  it('the issuer is the CAPF SUBJECT even when the CAPF is signed by another CA (capfd copies the issuer)', () => {
    const rootKey = k['callmanager-pub'];
    const root = makeIssuer(createManufacturingCa(rootKey, T0), rootKey);
    const subCapfDer = issueCertificate({
      subject: 'CN=CAPF-sub;OU=Voice;O=Example;L=Town;ST=State;C=NZ',
      issuerDer: root.cert.subject.der,
      publicKey: createPublicKey(k.capf),
      signingKey: rootKey,
      serial: Buffer.from([1, 2, 3]),
      notBefore: new Date(T0.getTime() - 86_400_000),
      notAfter: new Date(T0.getTime() + 365 * 86_400_000),
      extensions: { basicConstraints: { ca: true, pathLength: 0 }, keyUsage: ['digitalSignature', 'keyCertSign'] },
    });
    const sub = makeIssuer(subCapfDer, k.capf);
    const lsc = new X509Certificate(issueLsc(sub, 'SEP001122334455', createPublicKey(k['tvs-pub']), T0).der);
    assert.ok(lsc.checkIssued(sub.x509));
    assert.match(lsc.issuer, /CN=CAPF-sub/);
    assert.match(lsc.subject, /O=Example[\s\S]*CN=SEP001122334455/);
  });

  it('refuses a validity outside 1–3560 days and a bad device name', () => {
    assert.throws(() => issueLsc(capf, 'SEP001122334455', createPublicKey(k['tvs-pub']), T0, 0), /1 to 3560/);
    assert.throws(() => issueLsc(capf, 'SEP001122334455', createPublicKey(k['tvs-pub']), T0, 3561), /1 to 3560/);
    assert.throws(() => issueLsc(capf, 'SEP1', createPublicKey(k['tvs-pub']), T0), /not a phone device name/);
  });

  it('MICs chain to the lab manufacturing CA, name the device and last 10 years', () => {
    const ca = makeIssuer(createManufacturingCa(k.foreign, T0), k.foreign);
    const mic = new X509Certificate(issueMic(ca, 'SEP001122334455', createPublicKey(k['cert-rsa']), T0));
    assert.ok(mic.checkIssued(ca.x509) && mic.verify(ca.x509.publicKey));
    assert.match(mic.subject, /CN=CP-8841-SEP001122334455/);
    assert.equal(Math.round((Date.parse(mic.validTo) - Date.parse(mic.validFrom)) / 86_400_000 / 365), 10);
  });

  describe('the phone key in KEYGEN_RESP', () => {
    const spki = (name: string) => createPublicKey(k[name]).export({ format: 'der', type: 'spki' });
    it('accepts RSA and EC keys and names them', () => {
      assert.deepEqual(checkSpki(spki('tvs-pub')), { ok: true, spec: { type: 'rsa', bits: 2048 }, description: 'RSA 2048' });
      assert.deepEqual(checkSpki(spki('weak-1024')), { ok: true, spec: { type: 'rsa', bits: 1024 }, description: 'RSA 1024' });
      assert.deepEqual(checkSpki(spki('ec-p521')), { ok: true, spec: { type: 'ec', curve: 'P-521' }, description: 'EC P-521' });
    });
    it('refuses what is not canonical DER of a sane key', () => {
      const good = spki('tvs-pub');
      const trailing = Buffer.concat([good, Buffer.from([0])]);
      const longForm = Buffer.concat([Buffer.from([0x30, 0x83, 0x00]), good.subarray(2)]); // a non-minimal length: BER, not DER
      const badPoint = Buffer.from(spki('ec-p256'));
      badPoint[badPoint.length - 1] ^= 1;
      const cert = new X509Certificate(fixture('cluster/CAPF.der')).raw;
      for (const [name, der] of [['trailing', trailing], ['tampered', longForm], ['off-curve', badPoint], ['a certificate', cert], ['empty', Buffer.alloc(0)]] as const) {
        assert.equal(checkSpki(der).ok, false, name);
      }
    });
    /** Canonical DER of an RSA key, by re-encoding what the tree reader finds (written independently of checkSpki). */
    const canonicalRsa = (der: Buffer): boolean => {
      const root = readDerNode(der, 0);
      const bits = root?.children[1];
      if (!root || root.truncated || root.end !== der.length || !isUniversal(bits, Tag.BIT_STRING) || bits.content[0] !== 0) return false;
      const key = readDerNode(bits.content, 1);
      const [n, e] = key?.children ?? [];
      if (!key || key.truncated || !isUniversal(n, Tag.INTEGER) || !isUniversal(e, Tag.INTEGER) || n.content[0] & 0x80 || e.content[0] & 0x80) return false;
      const modulus = unsignedInt(n.content);
      const exponent = unsignedInt(e.content);
      if (!(modulus[modulus.length - 1] & 1) || !(exponent[exponent.length - 1] & 1) || (exponent.length === 1 && exponent[0] < 3)) return false;
      return w.seq(w.seq(w.oid('1.2.840.113549.1.1.1'), w.nul()), w.bitString(w.seq(w.uint(modulus), w.uint(exponent)))).equals(der);
    };
    it('takes an RSA key exactly when re-encoding it gives the same bytes (2,000 damaged keys)', () => {
      const rng = new Prng(5);
      const originals = [spki('tvs-pub'), spki('weak-1024')];
      let accepted = 0;
      for (let i = 0; i < 2000; i++) {
        const der = Buffer.from(originals[i % 2]);
        const kind = rng.int(3);
        if (kind === 0) der[rng.int(24)] ^= 1 << rng.int(8); // the headers, the algorithm and the key's first bytes
        else if (kind === 1) der[der.length - 1 - rng.int(8)] ^= 1 << rng.int(8); // the exponent and the end of the modulus
        else der[rng.int(der.length)] = rng.int(256);
        const verdict = checkSpki(der).ok;
        assert.equal(verdict, canonicalRsa(der), `damaged key ${i}: ${der.toString('hex')}`);
        if (verdict) accepted++;
      }
      assert.ok(accepted > 100 && accepted < 1900, `a mix of accepted and refused keys (${accepted} accepted)`);
      for (const der of originals) assert.ok(checkSpki(der).ok && canonicalRsa(der));
    });
    it('refuses an RSA key with a padded INTEGER, a long-form length or parameters other than NULL', () => {
      const n = Buffer.concat([Buffer.from([0x00, 0xc1]), Buffer.alloc(126, 0x11), Buffer.from([0x01])]); // a 1024-bit modulus: 128 bytes after the sign octet
      const e = Buffer.from([0x01, 0x00, 0x01]);
      const key = (nBytes: Buffer, eBytes: Buffer) => w.seq(w.tlv(0x02, nBytes), w.tlv(0x02, eBytes));
      const spkiOf = (alg: Buffer, k: Buffer) => w.seq(alg, w.bitString(k));
      const rsaAlg = w.seq(w.oid('1.2.840.113549.1.1.1'), w.nul());
      assert.deepEqual(checkSpki(spkiOf(rsaAlg, key(n, e))), { ok: true, spec: { type: 'rsa', bits: 1024 }, description: 'RSA 1024' });
      assert.equal(checkSpki(spkiOf(rsaAlg, key(Buffer.concat([Buffer.from([0]), n]), e))).ok, false, 'modulus with two leading zeros');
      assert.equal(checkSpki(spkiOf(rsaAlg, key(n, Buffer.concat([Buffer.from([0]), e])))).ok, false, 'exponent with a leading zero');
      assert.equal(checkSpki(spkiOf(w.seq(w.oid('1.2.840.113549.1.1.1')), key(n, e))).ok, false, 'no NULL parameters');
      const good = spkiOf(rsaAlg, key(n, e));
      assert.deepEqual([...good.subarray(0, 5)], [0x30, 0x81, good[2], 0x30, 0x0d]);
      const longAlg = Buffer.concat([good.subarray(0, 3), Buffer.from([0x30, 0x81, 0x0d]), good.subarray(5)]);
      longAlg[2] += 1; // the outer length grows by the one byte
      assert.equal(checkSpki(longAlg).ok, false, 'the algorithm length in long form');
    });
  });

  describe('existing-certificate signatures', () => {
    const der = capf.der;
    it('RSA: bare PKCS#1 type-1 blocks over the SHA-1 and SHA-512 digests, no DigestInfo', () => {
      const s = signAuthData('SEP001122334455', der, k.capf);
      const pub = createPublicKey(k.capf);
      const data = authData('SEP001122334455', der);
      assert.ok(publicDecrypt({ key: pub, padding: constants.RSA_PKCS1_PADDING }, s.signedData).equals(createHash('sha1').update(data).digest()));
      const tagged = decodeHashTagged(s.sha2SignedData);
      assert.ok(tagged.ok && tagged.value.hashCode === 3);
      if (tagged.ok) assert.ok(publicDecrypt({ key: pub, padding: constants.RSA_PKCS1_PADDING }, tagged.value.signature).equals(createHash('sha512').update(data).digest()));
      assert.deepEqual(verifyAuthData('SEP001122334455', der, pub, s.signedData, tagged.ok ? tagged.value : undefined), { ok: true });
    });
    it('EC: DER ECDSA; a different name, certificate or hash code fails', () => {
      const s = signAuthData('SEP001122334455', der, k['callmanager-sub-ec']);
      const pub = createPublicKey(k['callmanager-sub-ec']);
      const tagged = decodeHashTagged(s.sha2SignedData);
      assert.ok(tagged.ok);
      if (!tagged.ok) return;
      assert.deepEqual(verifyAuthData('SEP001122334455', der, pub, s.signedData, tagged.value), { ok: true });
      assert.equal(verifyAuthData('SEP001122334456', der, pub, s.signedData, tagged.value).ok, false);
      assert.equal(verifyAuthData('SEP001122334455', Buffer.concat([der, Buffer.from([0])]), pub, s.signedData, tagged.value).ok, false);
      assert.equal(verifyAuthData('SEP001122334455', der, pub, s.signedData, { ...tagged.value, hashCode: 2 }).ok, false);
      assert.equal(verifyAuthData('SEP001122334455', der, pub, undefined, tagged.value).ok, false);
    });
  });

  describe('lab state folder', () => {
    it('creates CAPF and manufacturing CA once, keys 0600, and reloads the same ones', async () => {
      const dir = tempDir();
      const a = await LabState.open(dir, { keySource: testKeySource(), clock: () => T0 });
      const b = await LabState.open(dir, { keySource: async () => assert.fail('no key may be generated on reopen') });
      assert.ok(a.capf.der.equals(b.capf.der) && a.manufacturingCa.der.equals(b.manufacturingCa.der));
      for (const f of [a.paths.capfKey, a.paths.manufacturingCaKey]) assert.equal(fs.statSync(f).mode & 0o777, 0o600);
    });

    it('a half-present CAPF pair is an error that says what to do, never silently replaced', async () => {
      const dir = tempDir();
      const a = await LabState.open(dir, { keySource: testKeySource() });
      fs.rmSync(a.paths.capfKey);
      await assert.rejects(LabState.open(dir, { keySource: testKeySource() }), /CAPF certificate is incomplete: .*capf\.key\.pem is missing/);
    });

    it('imports the user\'s own CAPF certificate and key, refusing a key that does not match', async () => {
      const a = await LabState.open(tempDir(), { keySource: testKeySource() });
      const other = makeIssuer(createCapfCertificate(k['tvs-sub'], T0, 'CAPF-own'), k['tvs-sub']);
      const keyPem = k['tvs-sub'].export({ format: 'pem', type: 'pkcs8' }) as string;
      await assert.rejects(a.importCapf(other.pem, k.capf.export({ format: 'pem', type: 'pkcs8' }) as string), /does not belong to the certificate/);
      const { issuer, warnings } = await a.importCapf(other.pem, keyPem);
      assert.deepEqual(warnings, []);
      assert.match(issuer.cert.subject.rfc4514, /CN=CAPF-own/);
      const noCa = issueCertificate({ subject: 'CN=CAPF-noca', publicKey: createPublicKey(k['tvs-sub']), signingKey: k['tvs-sub'], serial: Buffer.from([9]), notBefore: T0, notAfter: new Date(T0.getTime() + 86_400_000) });
      const r = await a.importCapf(new X509Certificate(noCa).toString(), keyPem);
      assert.equal(r.warnings.length, 3);
      assert.match(r.warnings[0], /CA:TRUE/);
    });
  });
});
