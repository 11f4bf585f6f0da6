/**
 * CAPF message codec. Header: 0x55 | command u8 | session id u32 | body length u16 (big-endian); body: a run
 * of elements tag u8 | length u16 | value. Encoders build one Buffer per message (so that it can go out in
 * one socket write); decoders are total: bad input gives a typed error, never an exception.
 */
import { ELEMENT_HEADER_LENGTH, HEADER_LENGTH, MAX_BODY_LENGTH, PROTOCOL_ID, elementName } from './constants';

export interface CapfElement {
  tag: number;
  value: Buffer;
}

export interface CapfMessage {
  command: number;
  sessionId: number;
  elements: CapfElement[];
}

export interface CapfHeader {
  command: number;
  sessionId: number;
  bodyLength: number;
}

export type CodecErrorCode =
  | 'truncated-header'
  | 'bad-protocol-id'
  | 'length-mismatch'
  | 'message-too-large'
  | 'truncated-element'
  | 'bad-element-value'
  | 'missing-element'
  | 'duplicate-element'
  | 'bad-certificate-framing';

export interface CodecError {
  code: CodecErrorCode;
  message: string;
  /** byte offset in the message where the fault was found, when known */
  offset?: number;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: CodecError };

export const ok = <T>(value: T): Decoded<T> => ({ ok: true, value });
export const fail = <T = never>(code: CodecErrorCode, message: string, offset?: number): Decoded<T> => ({ ok: false, error: { code, message, offset } });

/** Builds a whole message (header and body) as one Buffer. Throws RangeError only on programming errors. */
export function encodeMessage(msg: CapfMessage): Buffer {
  let bodyLength = 0;
  for (const e of msg.elements) {
    if (!Number.isInteger(e.tag) || e.tag < 0 || e.tag > 0xff) throw new RangeError(`element tag ${e.tag} is not a byte`);
    if (e.value.length > 0xffff) throw new RangeError(`${elementName(e.tag)} value is ${e.value.length} bytes; the limit is 65535`);
    bodyLength += ELEMENT_HEADER_LENGTH + e.value.length;
  }
  if (bodyLength > MAX_BODY_LENGTH) throw new RangeError(`message body is ${bodyLength} bytes; the limit is ${MAX_BODY_LENGTH}`);
  if (!Number.isInteger(msg.command) || msg.command < 0 || msg.command > 0xff) throw new RangeError(`command ${msg.command} is not a byte`);
  if (!Number.isInteger(msg.sessionId) || msg.sessionId < 0 || msg.sessionId > 0xffffffff) throw new RangeError(`session id ${msg.sessionId} is not a u32`);
  const out = Buffer.allocUnsafe(HEADER_LENGTH + bodyLength);
  out.writeUInt8(PROTOCOL_ID, 0);
  out.writeUInt8(msg.command, 1);
  out.writeUInt32BE(msg.sessionId, 2);
  out.writeUInt16BE(bodyLength, 6);
  let at = HEADER_LENGTH;
  for (const e of msg.elements) {
    out.writeUInt8(e.tag, at);
    out.writeUInt16BE(e.value.length, at + 1);
    e.value.copy(out, at + ELEMENT_HEADER_LENGTH);
    at += ELEMENT_HEADER_LENGTH + e.value.length;
  }
  return out;
}

/** Reads the 8-byte header; checks the protocol id. */
export function decodeHeader(buf: Buffer): Decoded<CapfHeader> {
  if (buf.length < HEADER_LENGTH) return fail('truncated-header', `a CAPF header is ${HEADER_LENGTH} bytes; got ${buf.length}`, 0);
  if (buf[0] !== PROTOCOL_ID) return fail('bad-protocol-id', `protocol id 0x${hex2(buf[0])} is not 0x55: this is not a CAPF message`, 0);
  return ok({ command: buf[1], sessionId: buf.readUInt32BE(2), bodyLength: buf.readUInt16BE(6) });
}

/** Decodes exactly one message: the buffer must hold the header and precisely the body it announces. */
export function decodeMessage(buf: Buffer): Decoded<CapfMessage> {
  const header = decodeHeader(buf);
  if (!header.ok) return header;
  const expected = HEADER_LENGTH + header.value.bodyLength;
  if (buf.length !== expected) {
    return fail('length-mismatch', `the header announces a ${header.value.bodyLength}-byte body but ${buf.length - HEADER_LENGTH} bytes follow`, 6);
  }
  const elements = decodeElements(buf.subarray(HEADER_LENGTH), HEADER_LENGTH);
  if (!elements.ok) return elements;
  return ok({ command: header.value.command, sessionId: header.value.sessionId, elements: elements.value });
}

/**
 * Splits a body into elements; every element must fit exactly. `base` shifts reported offsets. Values are
 * views of `body` (not copies): decoded messages are read, never written to.
 */
export function decodeElements(body: Buffer, base = 0): Decoded<CapfElement[]> {
  const out: CapfElement[] = [];
  let at = 0;
  while (at < body.length) {
    if (body.length - at < ELEMENT_HEADER_LENGTH) {
      return fail('truncated-element', `${body.length - at} stray byte(s) where an element header (3 bytes) should be`, base + at);
    }
    const tag = body[at];
    const length = body.readUInt16BE(at + 1);
    const start = at + ELEMENT_HEADER_LENGTH;
    if (start + length > body.length) {
      return fail('truncated-element', `${elementName(tag)} declares ${length} bytes but only ${body.length - start} remain`, base + at);
    }
    out.push({ tag, value: body.subarray(start, start + length) });
    at = start + length;
  }
  return ok(out);
}

// ---- element constructors -------------------------------------------------------------------------

export const el = {
  u8: (tag: number, v: number): CapfElement => ({ tag, value: Buffer.from([v & 0xff]) }),
  u16: (tag: number, v: number): CapfElement => {
    const value = Buffer.alloc(2);
    value.writeUInt16BE(v);
    return { tag, value };
  },
  /** NUL-terminated; the length counts the NUL (an empty string is the single byte 00). */
  cstring: (tag: number, s: string): CapfElement => ({ tag, value: Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]) }),
  bytes: (tag: number, b: Buffer): CapfElement => ({ tag, value: b }),
};

// ---- element readers --------------------------------------------------------------------------------

/** The only element with `tag`; a second one is an error (a phone or server sending two is confused). */
export function single(msg: CapfMessage, tag: number): Decoded<CapfElement | undefined> {
  const found = msg.elements.filter((e) => e.tag === tag);
  if (found.length > 1) return fail('duplicate-element', `${elementName(tag)} appears ${found.length} times`);
  return ok(found[0]);
}

export function required(msg: CapfMessage, tag: number): Decoded<CapfElement> {
  const s = single(msg, tag);
  if (!s.ok) return s;
  return s.value ? ok(s.value) : fail('missing-element', `${elementName(tag)} is missing`);
}

export function readU8(e: CapfElement): Decoded<number> {
  return e.value.length === 1 ? ok(e.value[0]) : fail('bad-element-value', `${elementName(e.tag)} must be 1 byte; it is ${e.value.length}`);
}

export function readU16(e: CapfElement): Decoded<number> {
  return e.value.length === 2 ? ok(e.value.readUInt16BE(0)) : fail('bad-element-value', `${elementName(e.tag)} must be 2 bytes; it is ${e.value.length}`);
}

/** A NUL-terminated UTF-8 string with no NUL inside. */
export function readCString(e: CapfElement): Decoded<string> {
  const v = e.value;
  if (v.length === 0 || v[v.length - 1] !== 0) return fail('bad-element-value', `${elementName(e.tag)} is not NUL-terminated`);
  const text = v.subarray(0, v.length - 1);
  if (text.includes(0)) return fail('bad-element-value', `${elementName(e.tag)} has a NUL inside the string`);
  const s = text.toString('utf8');
  if (!Buffer.from(s, 'utf8').equals(text)) return fail('bad-element-value', `${elementName(e.tag)} is not valid UTF-8`);
  return ok(s);
}

// ---- certificate element framing: 01 MMMM 00 <certtype> <DER>, MMMM = len(DER) + 2 ------------------

export interface FramedCertificate {
  certType: number;
  der: Buffer;
}

export function encodeCertificateValue(certType: number, der: Buffer): Buffer {
  if (der.length + 2 > 0xffff - 3) throw new RangeError(`certificate of ${der.length} bytes does not fit one element`);
  const out = Buffer.allocUnsafe(5 + der.length);
  out.writeUInt8(1, 0);
  out.writeUInt16BE(der.length + 2, 1);
  out.writeUInt8(0, 3);
  out.writeUInt8(certType, 4);
  der.copy(out, 5);
  return out;
}

export function decodeCertificateValue(value: Buffer): Decoded<FramedCertificate> {
  if (value.length < 6) return fail('bad-certificate-framing', `a framed certificate needs 5 framing bytes and a DER body; got ${value.length} bytes`);
  if (value[0] !== 1) return fail('bad-certificate-framing', `certificate framing starts with 0x${hex2(value[0])}, expected 0x01`);
  const inner = value.readUInt16BE(1);
  if (inner !== value.length - 3) return fail('bad-certificate-framing', `certificate framing length ${inner} disagrees with the ${value.length - 3} bytes present`);
  if (value[3] !== 0) return fail('bad-certificate-framing', `certificate framing byte 3 is 0x${hex2(value[3])}, expected 0x00`);
  return ok({ certType: value[4], der: Buffer.from(value.subarray(5)) });
}

// ---- hash-tagged signature (SHA2_SIGNED_DATA): <hash code> LLLL <signature> -------------------------

export interface HashTagged {
  hashCode: number;
  signature: Buffer;
}

export function encodeHashTagged(hashCode: number, signature: Buffer): Buffer {
  const out = Buffer.allocUnsafe(3 + signature.length);
  out.writeUInt8(hashCode, 0);
  out.writeUInt16BE(signature.length, 1);
  signature.copy(out, 3);
  return out;
}

export function decodeHashTagged(value: Buffer): Decoded<HashTagged> {
  if (value.length < 4) return fail('bad-element-value', `SHA2_SIGNED_DATA needs a hash code, a length and a signature; got ${value.length} bytes`);
  const length = value.readUInt16BE(1);
  if (length !== value.length - 3) return fail('bad-element-value', `SHA2_SIGNED_DATA declares ${length} signature bytes but ${value.length - 3} are present`);
  return ok({ hashCode: value[0], signature: Buffer.from(value.subarray(3)) });
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
