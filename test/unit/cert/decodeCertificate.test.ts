import 'reflect-metadata';
import * as assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import * as forge from 'node-forge';
import * as x509 from '@peculiar/x509';
import { decodeCertificate } from '../../../server/src/core/cert/decodeCertificate';
import { decodeCertificateFile } from '../../../server/src/core/cert/certificateFile';
import { findPemBlocks, toPem } from '../../../server/src/core/cert/pem';
import { fixture, TEST_NOW } from '../../helpers/fixtures';

function ok(der: Buffer) {
  const r = decodeCertificate(der);
  assert.ok(r.ok, r.ok ? '' : r.problems[0].message);
  return r.certificate;
}

describe('certificate decoder', () => {
  it('writes PEM as OpenSSL does (64-character lines), for any length', () => {
    for (const name of ['valid', 'ec-p256']) {
      const der = fixture(`certs/${name}.der`);
      assert.equal(toPem('CERTIFICATE', der), new X509Certificate(der).toString(), name);
    }
    for (const n of [0, 1, 47, 48, 49, 96]) {
      const pem = toPem('X', Buffer.alloc(n, 7));
      assert.deepEqual(findPemBlocks(pem)[0].der, Buffer.alloc(n, 7), `${n} bytes`);
      assert.ok(pem.split('\n').every((l) => l.length <= 64));
    }
  });

  it('agrees with Node X509Certificate on RSA and EC certificates', () => {
    for (const name of ['valid', 'expired', 'weak-1024', 'ec-p256', 'ec-p384', 'ec-p521', 'capf-no-ca']) {
      const der = fixture(`certs/${name}.der`);
      const c = ok(der);
      const node = new X509Certificate(der);
      assert.equal(c.serialHex.replace(/:/g, ''), node.serialNumber.toUpperCase().replace(/^0+/, ''), name);
      assert.equal(c.notAfter!.getTime(), new Date(node.validTo).getTime(), name);
      assert.equal(c.notBefore!.getTime(), new Date(node.validFrom).getTime(), name);
      assert.equal(c.sha1.toString('hex').toUpperCase(), node.fingerprint.replace(/:/g, ''), name);
      assert.equal(c.sha256.toString('hex').toUpperCase(), node.fingerprint256.replace(/:/g, ''), name);
      const keyType = node.publicKey.asymmetricKeyType;
      assert.equal(c.publicKey.type, keyType === 'rsa' ? 'RSA' : 'EC', name);
      if (c.publicKey.type === 'RSA') assert.equal(c.publicKey.bits, node.publicKey.asymmetricKeyDetails!.modulusLength);
      if (c.publicKey.type === 'EC') {
        const curve = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[node.publicKey.asymmetricKeyDetails!.namedCurve!];
        assert.equal(c.publicKey.curve, curve);
      }
      assert.ok(node.verify(node.publicKey), `${name} is a correctly self-signed certificate`);
    }
  });

  it('agrees with node-forge on RSA certificates (subject, issuer, extensions)', () => {
    const der = fixture('certs/valid.der');
    const c = ok(der);
    const f = forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))));
    assert.equal(f.subject.getField('CN').value, 'valid.example');
    assert.equal(c.subject.attributes.find((a) => a.name === 'CN')!.value, 'valid.example');
    assert.equal(f.serialNumber.toUpperCase(), c.serial.toString('hex').toUpperCase());
    const bc = f.getExtension('basicConstraints') as { cA: boolean };
    assert.equal(bc.cA, c.basicConstraints!.ca);
  });

  it('agrees with @peculiar/x509 on EC certificates (which node-forge cannot read)', () => {
    for (const name of ['ec-p256', 'ec-p384', 'ec-p521']) {
      const der = fixture(`certs/${name}.der`);
      const c = ok(der);
      const p = new x509.X509Certificate(der);
      // @peculiar/x509 prints the DN in DER order; ours is most-specific first (RFC 4514).
      assert.equal(p.subject.split(', ').reverse().join(','), c.subject.rfc4514, name);
      assert.equal(p.serialNumber.toUpperCase(), c.serial.toString('hex').toUpperCase());
      assert.throws(() => forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')))));
    }
  });

  it('decodes the CAPF profile: CA:TRUE pathlen 0, keyCertSign + digitalSignature, EKU', () => {
    const c = ok(fixture('cluster/CAPF.der'));
    assert.deepEqual(c.basicConstraints, { ca: true, pathLength: 0 });
    assert.deepEqual(c.keyUsage, ['digitalSignature', 'keyCertSign']);
    assert.deepEqual(c.extendedKeyUsage, ['serverAuth', 'clientAuth', 'ipsecEndSystem']);
    assert.equal(c.subject.cucm, 'CN=CAPF-7f0ae8d7;OU=TAC;O=Cisco Systems;L=Boxborough;ST=MA;C=US');
    assert.ok(c.selfIssued);
    assert.ok(c.notAfter! > TEST_NOW);
  });

  it('keeps the byte range of every field, inside the DER', () => {
    const der = fixture('certs/ec-p384.der');
    const c = ok(der);
    const paths = c.fields.map((f) => f.path);
    for (const p of ['version', 'serialNumber', 'issuer', 'validity.notBefore', 'validity.notAfter', 'subject', 'subjectPublicKeyInfo', 'signatureValue']) {
      assert.ok(paths.includes(p), p);
    }
    for (const f of c.fields) assert.ok(f.span.start >= 0 && f.span.end <= der.length && f.span.start < f.span.end, f.path);
    const serial = c.fields.find((f) => f.path === 'serialNumber')!;
    assert.equal(der[serial.span.start], 0x02, 'the serial field starts at its INTEGER tag');
  });

  it('decodes subject alternative names', () => {
    const bundle = decodeCertificateFile(fixture('certs/bundle.pem'));
    const leaf = bundle.entries[0].result;
    assert.ok(leaf.ok);
    assert.deepEqual(leaf.certificate.subjectAltNames, ['DNS:phone-proxy.example']);
    assert.deepEqual(leaf.certificate.extendedKeyUsage, ['serverAuth']);
  });

  it('reads PEM bundles with text around the blocks, with line positions', () => {
    const text = fixture('certs/bundle.pem').toString();
    const blocks = findPemBlocks(text);
    assert.equal(blocks.length, 2);
    assert.equal(blocks[0].startLine, 2);
    assert.ok(blocks[1].startLine > blocks[0].endLine);
    const file = decodeCertificateFile(Buffer.from(text));
    assert.equal(file.format, 'pem');
    assert.equal(file.entries.length, 2);
    assert.ok(file.entries.every((e) => e.result.ok));
  });

  it('reports truncated and garbage certificates without throwing', () => {
    const t = decodeCertificate(fixture('certs/truncated.der'));
    assert.equal(t.ok, false);
    assert.equal(t.problems[0].code, 'cert-truncated');
    const g = decodeCertificateFile(fixture('certs/garbage.pem'));
    assert.equal(g.entries.length, 1);
    assert.equal(g.entries[0].result.ok, false);
    for (const bytes of [Buffer.alloc(0), Buffer.from([0x30]), Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), Buffer.from('hello')]) {
      assert.equal(decodeCertificate(bytes).ok, false);
    }
  });

  it('reports an unterminated PEM block', () => {
    const blocks = findPemBlocks('-----BEGIN CERTIFICATE-----\nAAAA\n');
    assert.equal(blocks.length, 1);
    assert.ok(blocks[0].unterminated);
  });
});
