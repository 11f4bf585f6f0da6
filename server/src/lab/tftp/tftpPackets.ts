/**
 * TFTP packets (RFC 1350) with the option extension (RFC 2347 OACK) and its options (RFC 2348 blksize,
 * RFC 2349 tsize and timeout): decode never throws (a bad datagram is a `problem`), encode builds one
 * datagram. All numbers are big-endian u16; strings are NUL-terminated bytes.
 */

export const OPCODE = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

/** Error codes: 0–7 RFC 1350, 8 RFC 2347. */
export const TFTP_ERROR = {
  NOT_DEFINED: 0,
  FILE_NOT_FOUND: 1,
  ACCESS_VIOLATION: 2,
  DISK_FULL: 3,
  ILLEGAL_OPERATION: 4,
  UNKNOWN_TID: 5,
  FILE_EXISTS: 6,
  NO_SUCH_USER: 7,
  OPTION_REFUSED: 8,
} as const;

/** RFC 1350's block size, used when blksize is not negotiated. */
export const DEFAULT_BLOCK_SIZE = 512;
/** RFC 2348: "Valid values range between 8 and 65464 octets, inclusive." */
export const MIN_BLOCK_SIZE = 8;
export const MAX_BLOCK_SIZE = 65464;
/** RFC 2349: the timeout option is 1–255 seconds. */
export const MIN_TIMEOUT_S = 1;
export const MAX_TIMEOUT_S = 255;

export type TransferMode = 'netascii' | 'octet' | 'mail';

export interface RequestPacket {
  op: typeof OPCODE.RRQ | typeof OPCODE.WRQ;
  /** raw file name bytes as latin1 (one char per byte, so no byte is lost or merged) */
  filename: string;
  /** lower-cased as sent (RFC 1350: case-insensitive) */
  mode: string;
  /** options in the order sent, names lower-cased (RFC 2347: case-insensitive); values as sent */
  options: Array<{ name: string; value: string }>;
}
export interface DataPacket {
  op: typeof OPCODE.DATA;
  block: number;
  data: Buffer;
}
export interface AckPacket {
  op: typeof OPCODE.ACK;
  block: number;
}
export interface ErrorPacket {
  op: typeof OPCODE.ERROR;
  code: number;
  message: string;
}
export interface OackPacket {
  op: typeof OPCODE.OACK;
  options: Array<{ name: string; value: string }>;
}
export type TftpPacket = RequestPacket | DataPacket | AckPacket | ErrorPacket | OackPacket;

export type DecodeResult = { ok: true; packet: TftpPacket } | { ok: false; problem: string; opcode?: number };

/** Splits NUL-terminated strings from `start`; undefined when the last one has no NUL. */
function cStrings(buf: Buffer, start: number): string[] | undefined {
  const out: string[] = [];
  let i = start;
  while (i < buf.length) {
    const nul = buf.indexOf(0, i);
    if (nul < 0) return undefined;
    out.push(buf.toString('latin1', i, nul));
    i = nul + 1;
  }
  return out;
}

export function decodePacket(buf: Buffer): DecodeResult {
  if (buf.length < 2) return { ok: false, problem: `a ${buf.length}-byte datagram has no opcode` };
  const op = buf.readUInt16BE(0);
  switch (op) {
    case OPCODE.RRQ:
    case OPCODE.WRQ: {
      const fields = cStrings(buf, 2);
      if (!fields) return { ok: false, opcode: op, problem: 'the request is truncated (a field lacks its terminating NUL)' };
      if (fields.length < 2) return { ok: false, opcode: op, problem: 'the request lacks its file name or mode' };
      if (fields.length % 2 !== 0) return { ok: false, opcode: op, problem: 'an option has a name but no value' };
      const options: RequestPacket['options'] = [];
      for (let i = 2; i < fields.length; i += 2) options.push({ name: fields[i].toLowerCase(), value: fields[i + 1] });
      return { ok: true, packet: { op, filename: fields[0], mode: fields[1].toLowerCase(), options } };
    }
    case OPCODE.DATA:
      if (buf.length < 4) return { ok: false, opcode: op, problem: 'a DATA packet shorter than 4 bytes' };
      return { ok: true, packet: { op, block: buf.readUInt16BE(2), data: buf.subarray(4) } };
    case OPCODE.ACK:
      if (buf.length !== 4) return { ok: false, opcode: op, problem: `an ACK of ${buf.length} bytes (it has 4)` };
      return { ok: true, packet: { op, block: buf.readUInt16BE(2) } };
    case OPCODE.ERROR: {
      if (buf.length < 4) return { ok: false, opcode: op, problem: 'an ERROR packet shorter than 4 bytes' };
      const nul = buf.indexOf(0, 4);
      return { ok: true, packet: { op, code: buf.readUInt16BE(2), message: buf.toString('latin1', 4, nul < 0 ? buf.length : nul) } };
    }
    case OPCODE.OACK: {
      const fields = cStrings(buf, 2);
      if (!fields || fields.length % 2 !== 0) return { ok: false, opcode: op, problem: 'the OACK is truncated or has an option without a value' };
      const options: OackPacket['options'] = [];
      for (let i = 0; i < fields.length; i += 2) options.push({ name: fields[i].toLowerCase(), value: fields[i + 1] });
      return { ok: true, packet: { op, options } };
    }
    default:
      return { ok: false, opcode: op, problem: `unknown opcode ${op}` };
  }
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
}

function cString(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'latin1'), Buffer.alloc(1)]);
}

export function encodeRequest(op: RequestPacket['op'], filename: string, mode: string, options: Array<{ name: string; value: string }> = []): Buffer {
  return Buffer.concat([u16(op), cString(filename), cString(mode), ...options.flatMap((o) => [cString(o.name), cString(o.value)])]);
}

export function encodeData(block: number, data: Buffer): Buffer {
  const b = Buffer.allocUnsafe(4 + data.length);
  b.writeUInt16BE(OPCODE.DATA, 0);
  b.writeUInt16BE(block & 0xffff, 2);
  data.copy(b, 4);
  return b;
}

export function encodeAck(block: number): Buffer {
  return Buffer.concat([u16(OPCODE.ACK), u16(block)]);
}

export function encodeError(code: number, message: string): Buffer {
  return Buffer.concat([u16(OPCODE.ERROR), u16(code), cString(message.replace(/\0/g, ''))]);
}

export function encodeOack(options: Array<{ name: string; value: string }>): Buffer {
  return Buffer.concat([u16(OPCODE.OACK), ...options.flatMap((o) => [cString(o.name), cString(o.value)])]);
}

/** A decimal option value (RFC 2347: "a NULL-terminated field ... in ASCII"), or undefined when it is not one. */
export function optionNumber(value: string): number | undefined {
  if (!/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

/**
 * RFC 1350 netascii for sending: a newline (LF) goes as CR LF and a bare CR as CR NUL, so a netascii receiver
 * that translates back gets the bytes we hold exactly.
 */
export function toNetascii(data: Buffer): Buffer {
  let extra = 0;
  for (let i = 0; i < data.length; i++) if (data[i] === 0x0a || data[i] === 0x0d) extra++;
  if (extra === 0) return data;
  const out = Buffer.allocUnsafe(data.length + extra);
  let j = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c === 0x0a) {
      out[j++] = 0x0d;
      out[j++] = 0x0a;
    } else if (c === 0x0d) {
      out[j++] = 0x0d;
      out[j++] = 0x00;
    } else out[j++] = c;
  }
  return out;
}

/** The reverse of toNetascii (CR LF → LF, CR NUL → CR), for a client that asked for netascii. */
export function fromNetascii(data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  let j = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c === 0x0d && i + 1 < data.length && (data[i + 1] === 0x0a || data[i + 1] === 0x00)) {
      out[j++] = data[i + 1] === 0x0a ? 0x0a : 0x0d;
      i++;
    } else out[j++] = c;
  }
  return out.subarray(0, j);
}

export const ERROR_NAMES: Record<number, string> = {
  0: 'not defined',
  1: 'file not found',
  2: 'access violation',
  3: 'disk full',
  4: 'illegal operation',
  5: 'unknown transfer ID',
  6: 'file already exists',
  7: 'no such user',
  8: 'option negotiation refused',
};
