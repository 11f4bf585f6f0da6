import * as assert from 'node:assert/strict';
import { commonNames, readCertificateOutline } from '../../../server/src/core/cert/certificateOutline';
import { readDerNode } from '../../../server/src/core/asn1/der';
import { decodeCertificate } from '../../../server/src/core/cert/decodeCertificate';
import { fixture } from '../../helpers/fixtures';

describe('certificate outline', () => {
  it('reads the same fields as the full decoder, for RSA and EC certificates', () => {
    for (const name of ['valid', 'expired', 'weak-1024', 'ec-p256', 'ec-p384', 'ec-p521', 'capf-no-ca']) {
      const der = fixture(`certs/${name}.der`);
      const full = decodeCertificate(der);
      assert.ok(full.ok, name);
      const c = full.certificate;
      const o = readCertificateOutline(der);
      assert.ok(o, name);
      assert.deepEqual(o.tbs, readDerNode(der, 0)?.children[0].bytes, name);
      assert.equal(o.signatureAlgorithmOid, c.signatureAlgorithmOid, name);
      assert.deepEqual(o.signature, c.signature, name);
      assert.deepEqual(o.issuer, c.issuer.der, name);
      assert.deepEqual(o.subject, c.subject.der, name);
      assert.equal(o.notBefore?.getTime(), c.notBefore?.getTime(), name);
      assert.equal(o.notAfter?.getTime(), c.notAfter?.getTime(), name);
      assert.deepEqual(o.spki, der.subarray(c.publicKey.span.start, c.publicKey.span.end), name);
      assert.deepEqual(commonNames(o.subject), c.subject.attributes.filter((a) => a.name === 'CN').map((a) => a.value), name);
    }
  });

  it('is undefined for anything but one whole certificate', () => {
    const der = fixture('certs/valid.der');
    assert.equal(readCertificateOutline(der.subarray(0, der.length - 1)), undefined, 'truncated');
    assert.equal(readCertificateOutline(Buffer.concat([der, Buffer.from([0])])), undefined, 'a trailing byte');
    assert.equal(readCertificateOutline(Buffer.alloc(0)), undefined, 'empty');
    assert.equal(readCertificateOutline(Buffer.from('3003020101', 'hex')), undefined, 'a SEQUENCE of one INTEGER');
    const noSignature = Buffer.from(der);
    noSignature[der.length - 261] = 0x04; // the signature BIT STRING (RSA 2048: tag, 82 01 01, then 257 bytes) made an OCTET STRING
    assert.equal(readCertificateOutline(noSignature), undefined, 'no BIT STRING signature');
  });

  it('lists every common name of a Name, and none of an unreadable one', () => {
    // Name: CN=A, O=B, CN=C
    const atv = (oid: string, v: string) => Buffer.concat([Buffer.from([0x31, v.length + 9, 0x30, v.length + 7, 0x06, 0x03]), Buffer.from(oid, 'hex'), Buffer.from([0x0c, v.length]), Buffer.from(v)]);
    const rdns = Buffer.concat([atv('550403', 'A'), atv('55040a', 'B'), atv('550403', 'C')]);
    assert.deepEqual(commonNames(Buffer.concat([Buffer.from([0x30, rdns.length]), rdns])), ['A', 'C']);
    assert.deepEqual(commonNames(Buffer.from('3005', 'hex')), []);
    // one malformed RDN makes the whole Name unreadable, the readable CN before it included: a phone does not
    // accept a subject it cannot read
    const setOfInteger = Buffer.from('3103020101', 'hex');
    const overrunningAtv = Buffer.from('3103300506', 'hex'); // an AttributeTypeAndValue longer than its RDN
    for (const bad of [setOfInteger, overrunningAtv]) {
      const name = Buffer.concat([atv('550403', 'A'), bad]);
      assert.deepEqual(commonNames(Buffer.concat([Buffer.from([0x30, name.length]), name])), [], bad.toString('hex'));
    }
  });
});
