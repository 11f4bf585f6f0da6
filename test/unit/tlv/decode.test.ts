import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeTrustList, verifyTrustList, HeaderTag, RecordTag, findElement, TrustList } from '../../../server/src/core/tlv';
import { fixture } from '../../helpers/fixtures';

const codes = (l: TrustList) => l.problems.map((p) => p.code);

describe('tlv decode: the reference-shaped ITL', () => {
  const bytes = fixture('cluster/ITLFile.tlv');
  const list = decodeTrustList(bytes, 'ITLFile.tlv');

  it('decodes without problems and verifies', () => {
    assert.deepEqual(list.problems, []);
    assert.equal(list.kind, 'ITL');
    assert.equal(list.size, bytes.length);
    assert.equal(verifyTrustList(bytes, list).status, 'valid');
  });

  it('decodes every header element with its position', () => {
    const h = list.header;
    assert.equal(h.version, '1.2');
    assert.equal(h.headerLength, h.range.end);
    assert.equal(h.headerLength! % 4, 0);
    assert.equal(h.signerVersion, '1.1');
    assert.equal(h.signerName, 'CN=ao115sub;OU=TAC;O=Cisco Systems;L=Boxborough;ST=MA;C=US');
    assert.equal(h.signerIssuer, h.signerName);
    assert.equal(h.signerSerial!.length, 16);
    assert.equal(h.hashAlgorithm, 1);
    assert.equal(h.signatureAlgorithm, 0);
    assert.equal(h.signatureModulus, 2);
    assert.equal(h.signature!.length, 256);
    assert.equal(h.filename, 'ITLFile.tlv');
    assert.ok(h.timestamp! > 0);
    const version = h.elements[0];
    assert.deepEqual([version.offset, version.tag, version.length, version.name], [0, 1, 2, 'VERSION']);
    assert.equal(bytes[version.offset], version.tag);
    const signerInfo = findElement(h.elements, HeaderTag.SIGNER_INFO)!;
    assert.deepEqual(signerInfo.children!.map((c) => c.tag), [4, 6, 5]);
    const sigInfo = findElement(h.elements, HeaderTag.SIGNATURE_INFO)!;
    assert.equal(sigInfo.length, 15);
    assert.equal(findElement(h.elements, HeaderTag.SIGNATURE_ALGORITHM_INFO)!.length, 8);
    for (const e of [signerInfo, sigInfo, ...signerInfo.children!]) {
      assert.equal(bytes[e.offset], e.tag);
      assert.equal(bytes.readUInt16BE(e.offset + 1), e.length);
    }
  });

  it('decodes the seven records as the reference shows them', () => {
    assert.deepEqual(
      list.records.map((r) => r.roleName),
      ['CAPF', 'TVS', 'System Administrator Security Token', 'TVS', 'System Administrator Security Token', 'TFTP', 'TFTP'],
    );
    const capf = list.records[0];
    assert.equal(capf.subject, 'CN=CAPF-7f0ae8d7;OU=TAC;O=Cisco Systems;L=Boxborough;ST=MA;C=US');
    assert.equal(capf.recordLength, 727, 'same length as the reference CAPF record');
    assert.equal(capf.certificate, undefined);
    assert.equal(capf.certHash!.length, 20);
    assert.equal(capf.certHashAlgorithm, 1);
    assert.equal(capf.publicKey!.length, 270);
    assert.equal(capf.signature!.length, 256);
    assert.deepEqual(capf.elements.map((e) => e.tag), [1, 2, 3, 4, 5, 6, 7, 8, 11, 12]);
    assert.equal(list.records[1].recordLength, 717, 'same length as the reference TVS record');
    const ec = list.records[6];
    assert.equal(ec.dnsName, 'ao115sub');
    assert.equal(ec.publicKey!.length, 97, 'EC P-384 point, as in the reference');
    assert.deepEqual(ec.elements.map((e) => e.tag), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(createHash('sha1').update(ec.certificate!).digest().length, 20);
    for (const r of list.records) {
      assert.equal(r.range.end - r.range.start, r.recordLength);
      for (const e of r.elements) {
        assert.equal(bytes[e.offset], e.tag);
        assert.equal(e.range.end, e.valueOffset + e.length);
      }
    }
  });

  it('finds the signer: the SAST record with the header serial and issuer', () => {
    const check = verifyTrustList(bytes, list);
    assert.equal(check.signer?.index, 5);
    assert.equal(check.hashName, 'SHA1');
    assert.match(check.message, /ITL file was verified successfully/);
  });
});

describe('tlv decode: other valid files', () => {
  it('SHA-512 signed ITL verifies with hash code 3', () => {
    const b = fixture('sha512/ITLFile.tlv');
    const l = decodeTrustList(b);
    assert.equal(l.header.hashAlgorithm, 3);
    assert.equal(verifyTrustList(b, l).status, 'valid');
    assert.equal(verifyTrustList(b, l).hashName, 'SHA512');
  });
  it('CTL with IP addresses and CCM+TFTP roles', () => {
    const b = fixture('ctl/CTLFile.tlv');
    const l = decodeTrustList(b);
    assert.equal(l.kind, 'CTL');
    assert.deepEqual(l.problems, []);
    assert.equal(l.records[1].roleName, 'CCM+TFTP');
    assert.equal(l.records[1].ipAddress, '10.122.138.102');
    assert.equal(findElement(l.records[1].elements, RecordTag.IP_ADDRESS)!.length, 4);
    assert.equal(verifyTrustList(b, l).status, 'valid');
  });
  it('per-device ITLSEP file keeps the ITLFile.tlv FILENAME', () => {
    const l = decodeTrustList(fixture('cluster/ITLSEP001122334455.tlv'), 'ITLSEP001122334455.tlv');
    assert.equal(l.header.filename, 'ITLFile.tlv');
    assert.equal(l.kind, 'ITL');
  });
});

describe('tlv decode: signature faults', () => {
  it('a record changed after signing: invalid', () => {
    const b = fixture('tampered/ITLFile.tlv');
    const l = decodeTrustList(b);
    assert.deepEqual(l.problems, []);
    assert.equal(verifyTrustList(b, l).status, 'invalid');
  });
  it('a signer in no SAST record: signer-missing', () => {
    const b = fixture('foreign-signer/ITLFile.tlv');
    assert.equal(verifyTrustList(b, decodeTrustList(b)).status, 'signer-missing');
  });
  it('an unknown digest code: unsupported-algorithm', () => {
    const b = Buffer.from(fixture('cluster/ITLFile.tlv'));
    const l0 = decodeTrustList(b);
    const digest = findElement(l0.header.elements, HeaderTag.HASH_ALGORITHM)!;
    b[digest.valueOffset] = 9;
    const l = decodeTrustList(b);
    assert.ok(codes(l).includes('tlv-bad-value'));
    assert.equal(verifyTrustList(b, l).status, 'unsupported-algorithm');
  });
  it('no signature at all: unsigned', () => {
    const l = decodeTrustList(Buffer.alloc(0));
    assert.equal(verifyTrustList(Buffer.alloc(0), l).status, 'unsigned');
  });
});

describe('tlv decode: structural faults never throw and carry byte ranges', () => {
  const good = fixture('cluster/ITLFile.tlv');
  const headerLength = good.readUInt16BE(8);

  const inside = (l: TrustList) => {
    for (const p of l.problems) {
      assert.ok(p.range.start >= 0 && p.range.start <= p.range.end && p.range.end <= l.size, `${p.code} range ${p.range.start}-${p.range.end} in ${l.size}`);
    }
  };

  it('empty file', () => {
    const l = decodeTrustList(Buffer.alloc(0));
    assert.deepEqual(codes(l), ['file-empty']);
  });
  it('truncated inside the header', () => {
    const l = decodeTrustList(fixture('truncated/ITLFile-in-header.tlv'));
    assert.ok(codes(l).includes('tlv-truncated'));
    assert.ok(codes(l).includes('header-length-mismatch'), 'HEADERLENGTH points past the end');
    inside(l);
  });
  it('truncated inside a record keeps the records before it', () => {
    const l = decodeTrustList(fixture('truncated/ITLFile-in-record.tlv'));
    assert.ok(codes(l).includes('tlv-truncated'));
    assert.equal(l.records.length, 1);
    assert.equal(l.records[0].roleName, 'CAPF');
    inside(l);
  });
  it('last byte missing: six whole records and a truncated one', () => {
    const l = decodeTrustList(fixture('truncated/ITLFile-last-byte.tlv'));
    assert.deepEqual(codes(l), ['tlv-truncated']);
    assert.equal(l.records.length, 7);
    assert.ok(l.records.slice(0, 6).every((r) => r.certificate || r.certHash));
    const p = l.problems[0];
    assert.equal(p.range.end, l.size);
  });
  it('a RECORDLENGTH that disagrees with its contents; the next records still decode', () => {
    const l = decodeTrustList(fixture('malformed/bad-record-length.tlv'));
    assert.deepEqual(codes(l), ['record-length-mismatch']);
    assert.equal(l.records.length, 7);
    assert.equal(l.records[1].roleName, 'TVS');
    assert.equal(l.problems[0].range.start, headerLength);
  });
  it('a HEADERLENGTH that is wrong and not a multiple of 4', () => {
    const l = decodeTrustList(fixture('malformed/bad-header-length.tlv'));
    assert.ok(codes(l).includes('header-length-unaligned'));
    assert.ok(codes(l).includes('header-length-mismatch'));
    assert.ok(l.records.length >= 6, 'the later records still decode');
    inside(l);
  });
  it('a HEADERLENGTH shorter than the header elements', () => {
    const b = Buffer.from(good);
    b.writeUInt16BE(8, 8);
    const l = decodeTrustList(b);
    assert.ok(codes(l).includes('header-length-mismatch'));
    assert.equal(l.records.length, 7, 'falls back to finding the first record');
    inside(l);
  });
  it('an unknown tag inside a record is skipped with a warning', () => {
    const l = decodeTrustList(fixture('malformed/unknown-tag.tlv'));
    assert.deepEqual(codes(l), ['tlv-unknown-tag']);
    assert.equal(l.problems[0].severity, 'warning');
    assert.equal(l.records.length, 7);
    assert.equal(l.records[0].elements.at(-1)!.tag, 99);
  });
  it('an element length past the end of its container', () => {
    const b = Buffer.from(good);
    const l0 = decodeTrustList(b);
    const digest = findElement(l0.header.elements, HeaderTag.HASH_ALGORITHM)!;
    b.writeUInt16BE(40, digest.offset + 1);
    const l = decodeTrustList(b);
    assert.ok(codes(l).includes('tlv-bad-length'));
    inside(l);
  });
  it('a fixed-size element with the wrong length', () => {
    const b = Buffer.from(good);
    const fn = findElement(decodeTrustList(b).records[0].elements, RecordTag.FUNCTION)!;
    const patched = Buffer.concat([b.subarray(0, fn.offset), Buffer.from([4, 0, 3, 0, 0, 4]), b.subarray(fn.offset + 5)]);
    patched.writeUInt16BE(patched.readUInt16BE(headerLength + 3) + 1, headerLength + 3);
    const l = decodeTrustList(patched);
    assert.ok(codes(l).includes('tlv-bad-length'));
    assert.ok(codes(l).includes('record-missing-element'), 'the record has no usable FUNCTION');
    assert.equal(l.records.length, 7);
  });
  it('garbage', () => {
    const l = decodeTrustList(fixture('malformed/garbage.tlv'));
    assert.ok(l.problems.length > 0);
    inside(l);
  });
  it('a file of one byte, of two bytes, of padding only', () => {
    for (const b of [Buffer.from([1]), Buffer.from([1, 0]), Buffer.alloc(9, 0x0d)]) {
      const l = decodeTrustList(b);
      assert.ok(l.problems.length > 0);
      inside(l);
    }
  });
  it('a duplicated header element is reported', () => {
    const b = Buffer.from(good);
    const l0 = decodeTrustList(b);
    const fileName = findElement(l0.header.elements, HeaderTag.FILENAME)!;
    b[fileName.offset] = HeaderTag.VERSION;
    b.writeUInt16BE(2, fileName.offset + 1);
    const l = decodeTrustList(b);
    assert.ok(l.problems.length > 0);
    inside(l);
  });
});
