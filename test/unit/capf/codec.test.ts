import * as assert from 'node:assert/strict';
import {
  Command,
  Element,
  decodeCertificateValue,
  decodeElements,
  decodeHashTagged,
  decodeHeader,
  decodeMessage,
  el,
  encodeCertificateValue,
  encodeHashTagged,
  encodeMessage,
  readCString,
  readU16,
  readU8,
  required,
  single,
  authRequest,
  parseAuthResponse,
  parseKeygenRequest,
  keygenRequest,
} from '../../../server/src/lab/capf/protocol';
import { prng } from './helpers';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('capf: message codec', () => {
  it('encodes AUTH_REQ exactly as the reference transcript', () => {
    assert.equal(encodeMessage(authRequest(0x01020304)).toString('hex'), '550101020304000807000103080001' + '00');
  });

  it('round-trips a message with every element kind', () => {
    const msg = {
      command: Command.AUTH_RESP,
      sessionId: 0xfffffffe,
      elements: [el.u8(Element.REASON, 1), el.u16(Element.KEY_SIZE, 2048), el.cstring(Element.DEVICE_NAME, 'SEP001122334455'), el.bytes(Element.PUBLIC_KEY, Buffer.alloc(300, 7))],
    };
    const decoded = decodeMessage(encodeMessage(msg));
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.value, msg);
  });

  it('an empty body is 8 bytes', () => {
    const bytes = encodeMessage({ command: Command.REQUEST_IN_PROGRESS, sessionId: 7, elements: [] });
    assert.equal(bytes.toString('hex'), '5511000000070000');
  });

  it('refuses to encode what the framing cannot carry', () => {
    assert.throws(() => encodeMessage({ command: 1, sessionId: 1, elements: [el.bytes(4, Buffer.alloc(70_000))] }), RangeError);
    assert.throws(() => encodeMessage({ command: 1, sessionId: 1, elements: [el.bytes(4, Buffer.alloc(40_000)), el.bytes(4, Buffer.alloc(40_000))] }), RangeError);
    assert.throws(() => encodeMessage({ command: 256, sessionId: 1, elements: [] }), RangeError);
    assert.throws(() => encodeMessage({ command: 1, sessionId: -1, elements: [] }), RangeError);
  });

  describe('strict decoding: a typed error, never an exception', () => {
    const cases: Array<[string, Buffer, string]> = [
      ['empty input', Buffer.alloc(0), 'truncated-header'],
      ['a 7-byte header', hex('55 01 00000001 00'), 'truncated-header'],
      ['a wrong protocol id', hex('56 01 00000001 0000'), 'bad-protocol-id'],
      ['a body shorter than announced', hex('55 01 00000001 0004 070001'), 'length-mismatch'],
      ['a body longer than announced', hex('55 01 00000001 0004 07000103 00'), 'length-mismatch'],
      ['stray bytes after the last element', hex('55 01 00000001 0006 07000103 0700'), 'truncated-element'],
      ['an element longer than the body', hex('55 01 00000001 0004 07000503'), 'truncated-element'],
    ];
    for (const [name, bytes, code] of cases) {
      it(name, () => {
        const r = decodeMessage(bytes);
        assert.equal(r.ok, false);
        if (!r.ok) assert.equal(r.error.code, code);
      });
    }

    it('reports offsets of faults', () => {
      const r = decodeElements(hex('07000103 0b0009 41'), 8);
      assert.ok(!r.ok);
      assert.equal(r.error.offset, 12);
    });

    it('value readers check sizes, NUL termination and UTF-8', () => {
      assert.equal(readU8({ tag: 1, value: hex('0102') }).ok, false);
      assert.equal(readU16({ tag: 10, value: hex('08') }).ok, false);
      assert.equal(readCString({ tag: 13, value: Buffer.from('SEP') }).ok, false);
      assert.equal(readCString({ tag: 13, value: hex('41004200') }).ok, false);
      assert.equal(readCString({ tag: 13, value: hex('ff00') }).ok, false);
      assert.deepEqual(readCString({ tag: 11, value: hex('00') }), { ok: true, value: '' });
    });

    it('duplicate and missing elements', () => {
      const m = { command: 2, sessionId: 1, elements: [el.u8(7, 3), el.u8(7, 3)] };
      assert.equal(single(m, 7).ok, false);
      const missing = required(m, Element.DEVICE_NAME);
      assert.ok(!missing.ok);
      assert.equal(missing.error.code, 'missing-element');
    });

    it('decodes thousands of seeded random inputs without throwing', () => {
      const r = prng(0xc0ffee);
      for (let i = 0; i < 5000; i++) {
        const len = r.int(64);
        const bytes = r.bytes(len);
        if (r.int(2)) bytes[0] = 0x55;
        if (len >= 8 && r.int(2)) bytes.writeUInt16BE(len - 8, 6);
        const d = decodeMessage(bytes);
        if (d.ok) {
          parseAuthResponse(d.value);
          parseKeygenRequest(d.value);
        }
        decodeHeader(bytes);
        decodeCertificateValue(bytes);
        decodeHashTagged(bytes);
      }
    });
  });

  describe('certificate element framing 01 MMMM 00 <certtype> <DER>', () => {
    const der = hex('3003020101');
    it('encodes with MMMM = len(DER) + 2', () => {
      assert.equal(encodeCertificateValue(1, der).toString('hex'), '010007' + '0001' + '3003020101');
      assert.equal(encodeCertificateValue(2, der).subarray(3, 5).toString('hex'), '0002');
    });
    it('decodes and checks every framing byte', () => {
      assert.deepEqual(decodeCertificateValue(encodeCertificateValue(2, der)), { ok: true, value: { certType: 2, der } });
      for (const bad of ['020007000130030201 01', '010006000130030201 01', '010007010130030201 01', '0100030001']) {
        assert.equal(decodeCertificateValue(hex(bad)).ok, false, bad);
      }
    });
  });

  it('SHA2_SIGNED_DATA framing: hash code, length, signature', () => {
    const v = encodeHashTagged(3, Buffer.alloc(4, 9));
    assert.equal(v.toString('hex'), '03000409090909');
    assert.deepEqual(decodeHashTagged(v), { ok: true, value: { hashCode: 3, signature: Buffer.alloc(4, 9) } });
    assert.equal(decodeHashTagged(hex('0300060909090909')).ok, false);
  });

  it('KEYGEN_REQ: RSA carries KEY_SIZE then KEY_TYPE; EC carries KEY_TYPE 1 and CURVE', () => {
    assert.equal(encodeMessage(keygenRequest(1, { keyType: 'RSA', keySize: 2048 })).subarray(8).toString('hex'), '0a00020800' + '11000100');
    assert.equal(encodeMessage(keygenRequest(1, { keyType: 'EC', curve: 'P-384' })).subarray(8).toString('hex'), '11000101' + '12000101');
    const unknownCurve = parseKeygenRequest({ command: 3, sessionId: 1, elements: [el.u8(17, 1), el.u8(18, 9)] });
    assert.equal(unknownCurve.ok, false);
  });
});
