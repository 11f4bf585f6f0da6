/**
 * The TVS (Trust Verification Service) wire format, from the facts of reference part F [F tvsd/tvsc]:
 *
 *   header, 10 bytes, big-endian: protocol 0x57 | version 1 | command | pad 0 | u32 session id | u16 body length
 *   body: elements, each tag (u8) | length (u16) | value
 *
 * Commands: 1 VERIFY_REQUEST, 2 VERIFY_RESPONSE (3/4 QUERY exist, unused). Request elements: 1 DEVICE_NAME (one
 * leading byte, 0x01 from tvsc, then `CP-nnnn-SEP<12 hex>`), 2 CERTIFICATE (DER). Response elements: 7 STATUS
 * (0 valid, 1 invalid), 8 ROLES (one byte per role code), 9 TTL (u32 seconds). Decoding never throws.
 */

export const TVS_PROTOCOL_ID = 0x57;
export const TVS_VERSION = 1;
export const TVS_HEADER_SIZE = 10;
/** TCP port of CUCM's TVS [F part F]. */
export const TVS_PORT = 2445;

export const TVS_COMMAND = { VERIFY_REQUEST: 1, VERIFY_RESPONSE: 2, QUERY_REQUEST: 3, QUERY_RESPONSE: 4 } as const;
export const TVS_ELEMENT = { DEVICE_NAME: 1, CERTIFICATE: 2, STATUS: 7, ROLES: 8, TTL: 9 } as const;
export const TVS_STATUS = { VALID: 0, INVALID: 1 } as const;

/** The byte before the device name in DEVICE_NAME: tvsc sends 1, tvsd skips it unread. */
export const DEVICE_NAME_LEAD_BYTE = 0x01;
/** tvsd's check of the name after the leading byte: model number and the phone's device name. */
export const TVS_DEVICE_NAME = /^CP-[0-9]{4}-SEP[0-9A-F]{12}$/;

export interface TvsHeader {
  command: number;
  sessionId: number;
  bodyLength: number;
}

export interface TvsElement {
  tag: number;
  value: Buffer;
}

export interface TvsMessage extends TvsHeader {
  elements: TvsElement[];
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; problem: string };

export function decodeTvsHeader(b: Buffer): Decoded<TvsHeader> {
  if (b.length < TVS_HEADER_SIZE) return { ok: false, problem: `a header of ${b.length} bytes (it has ${TVS_HEADER_SIZE})` };
  if (b[0] !== TVS_PROTOCOL_ID) return { ok: false, problem: `protocol id 0x${b[0].toString(16).padStart(2, '0')}, not 0x57` };
  if (b[1] !== TVS_VERSION) return { ok: false, problem: `protocol version ${b[1]}, not 1` };
  return { ok: true, value: { command: b[2], sessionId: b.readUInt32BE(4), bodyLength: b.readUInt16BE(8) } };
}

export function decodeTvsElements(body: Buffer): Decoded<TvsElement[]> {
  const out: TvsElement[] = [];
  let i = 0;
  while (i < body.length) {
    if (i + 3 > body.length) return { ok: false, problem: `an element header cut short at body offset ${i}` };
    const tag = body[i];
    const len = body.readUInt16BE(i + 1);
    if (i + 3 + len > body.length) return { ok: false, problem: `element ${tag} at body offset ${i} says ${len} bytes, ${body.length - i - 3} remain` };
    out.push({ tag, value: body.subarray(i + 3, i + 3 + len) });
    i += 3 + len;
  }
  return { ok: true, value: out };
}

export function encodeTvsMessage(command: number, sessionId: number, elements: readonly TvsElement[]): Buffer {
  const bodyLength = elements.reduce((n, e) => n + 3 + e.value.length, 0);
  if (bodyLength > 0xffff) throw new RangeError(`a TVS message body of ${bodyLength} bytes does not fit its 16-bit length`);
  const b = Buffer.alloc(TVS_HEADER_SIZE + bodyLength);
  b[0] = TVS_PROTOCOL_ID;
  b[1] = TVS_VERSION;
  b[2] = command;
  b.writeUInt32BE(sessionId >>> 0, 4);
  b.writeUInt16BE(bodyLength, 8);
  let i = TVS_HEADER_SIZE;
  for (const e of elements) {
    if (e.value.length > 0xffff) throw new RangeError(`element ${e.tag} of ${e.value.length} bytes does not fit its 16-bit length`);
    b[i] = e.tag;
    b.writeUInt16BE(e.value.length, i + 1);
    e.value.copy(b, i + 3);
    i += 3 + e.value.length;
  }
  return b;
}

export interface VerifyRequest {
  deviceName: string;
  certificate: Buffer;
}

export function encodeVerifyRequest(sessionId: number, r: VerifyRequest): Buffer {
  return encodeTvsMessage(TVS_COMMAND.VERIFY_REQUEST, sessionId, [
    { tag: TVS_ELEMENT.DEVICE_NAME, value: Buffer.concat([Buffer.from([DEVICE_NAME_LEAD_BYTE]), Buffer.from(r.deviceName, 'latin1')]) },
    { tag: TVS_ELEMENT.CERTIFICATE, value: r.certificate },
  ]);
}

/** The request as tvsd reads it: only DEVICE_NAME and CERTIFICATE, each once; a valid device name; a certificate. */
export function parseVerifyRequest(m: TvsMessage): Decoded<VerifyRequest> {
  if (m.command !== TVS_COMMAND.VERIFY_REQUEST) return { ok: false, problem: `command ${m.command}, not VERIFY_REQUEST (1)` };
  let name: Buffer | undefined;
  let certificate: Buffer | undefined;
  for (const e of m.elements) {
    if (e.tag === TVS_ELEMENT.DEVICE_NAME && !name) name = e.value;
    else if (e.tag === TVS_ELEMENT.CERTIFICATE && !certificate) certificate = e.value;
    else return { ok: false, problem: e.tag === TVS_ELEMENT.DEVICE_NAME || e.tag === TVS_ELEMENT.CERTIFICATE ? `element ${e.tag} twice` : `unknown element tag ${e.tag}` };
  }
  if (!name) return { ok: false, problem: 'no DEVICE_NAME element' };
  if (name.length < 2) return { ok: false, problem: 'an empty DEVICE_NAME' };
  const deviceName = name.toString('latin1', 1);
  if (!TVS_DEVICE_NAME.test(deviceName)) return { ok: false, problem: `device name ${JSON.stringify(deviceName.slice(0, 40))} is not CP-<4 digits>-SEP<12 hex digits>` };
  if (!certificate || certificate.length === 0) return { ok: false, problem: 'no CERTIFICATE element' };
  return { ok: true, value: { deviceName, certificate } };
}

export interface VerifyResponse {
  status: 'valid' | 'invalid';
  /** role codes (reference part A); only when valid */
  roles: number[];
  /** seconds the phone may rely on the answer; only when valid */
  ttl?: number;
}

export function encodeVerifyResponse(sessionId: number, r: VerifyResponse): Buffer {
  if (r.status === 'invalid') return encodeTvsMessage(TVS_COMMAND.VERIFY_RESPONSE, sessionId, [{ tag: TVS_ELEMENT.STATUS, value: Buffer.from([TVS_STATUS.INVALID]) }]);
  const ttl = Buffer.alloc(4);
  ttl.writeUInt32BE((r.ttl ?? 0) >>> 0);
  return encodeTvsMessage(TVS_COMMAND.VERIFY_RESPONSE, sessionId, [
    { tag: TVS_ELEMENT.STATUS, value: Buffer.from([TVS_STATUS.VALID]) },
    { tag: TVS_ELEMENT.ROLES, value: Buffer.from(r.roles) },
    { tag: TVS_ELEMENT.TTL, value: ttl },
  ]);
}

export function parseVerifyResponse(m: TvsMessage): Decoded<VerifyResponse> {
  if (m.command !== TVS_COMMAND.VERIFY_RESPONSE) return { ok: false, problem: `command ${m.command}, not VERIFY_RESPONSE (2)` };
  let status: number | undefined;
  let roles: number[] = [];
  let ttl: number | undefined;
  for (const e of m.elements) {
    if (e.tag === TVS_ELEMENT.STATUS) {
      if (e.value.length !== 1) return { ok: false, problem: `a STATUS of ${e.value.length} bytes` };
      status = e.value[0];
    } else if (e.tag === TVS_ELEMENT.ROLES) roles = [...e.value];
    else if (e.tag === TVS_ELEMENT.TTL) {
      if (e.value.length !== 4) return { ok: false, problem: `a TTL of ${e.value.length} bytes` };
      ttl = e.value.readUInt32BE(0);
    } else return { ok: false, problem: `unknown element tag ${e.tag}` };
  }
  if (status === undefined) return { ok: false, problem: 'no STATUS element' };
  if (status !== TVS_STATUS.VALID && status !== TVS_STATUS.INVALID) return { ok: false, problem: `STATUS ${status} (0 valid, 1 invalid)` };
  return { ok: true, value: status === TVS_STATUS.VALID ? { status: 'valid', roles, ttl } : { status: 'invalid', roles: [] } };
}

/** Splits a byte stream into whole messages; a bad header is reported once and ends the stream's use. */
export class TvsFramer {
  private buf: Buffer = Buffer.alloc(0);
  private failed = false;

  /** The whole messages `chunk` completes, or a problem (after which the connection should end). */
  push(chunk: Buffer): { messages: TvsMessage[]; problem?: string } {
    const messages: TvsMessage[] = [];
    if (this.failed) return { messages };
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= TVS_HEADER_SIZE) {
      const h = decodeTvsHeader(this.buf);
      if (!h.ok) {
        this.failed = true;
        return { messages, problem: h.problem };
      }
      const total = TVS_HEADER_SIZE + h.value.bodyLength;
      if (this.buf.length < total) break;
      const body = this.buf.subarray(TVS_HEADER_SIZE, total);
      this.buf = this.buf.subarray(total);
      const els = decodeTvsElements(body);
      if (!els.ok) {
        this.failed = true;
        return { messages, problem: els.problem };
      }
      messages.push({ ...h.value, elements: els.value });
    }
    return { messages };
  }

  /** Bytes of a message begun and not finished. */
  get pending(): number {
    return this.buf.length;
  }
}
