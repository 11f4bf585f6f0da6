/**
 * Minimal DER encoder used to issue certificates (fixtures, the lab's CAPF and LSCs). Each element is written
 * into one buffer of its final size (header and content), never assembled from concatenated pieces: the lab
 * server encodes an LSC per install, and allocations were a visible share of its time.
 */

/** Bytes of the length field for a content of `n` bytes (short form below 128, else 0x8k + k bytes). */
function lengthFieldSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x1000000 ? 4 : 5;
}

/** Writes identifier and length at the start of `out`; returns where the content starts. */
function writeHeader(out: Buffer, identifier: number, n: number): number {
  out[0] = identifier;
  const size = lengthFieldSize(n);
  if (size === 1) {
    out[1] = n;
    return 2;
  }
  out[1] = 0x80 | (size - 1);
  for (let i = size; i >= 2; i--) {
    out[i] = n & 0xff;
    n = Math.floor(n / 256);
  }
  return 1 + size;
}

export function tlv(identifier: number, content: Buffer): Buffer {
  return element(identifier, [content]);
}

/** An element whose content is `items`, one after the other, written into one buffer of its final size. */
function element(identifier: number, items: readonly Buffer[]): Buffer {
  let n = 0;
  for (const b of items) n += b.length;
  const out = Buffer.allocUnsafe(1 + lengthFieldSize(n) + n);
  let at = writeHeader(out, identifier, n);
  for (const b of items) at += b.copy(out, at);
  return out;
}

export const seq = (...items: Buffer[]): Buffer => element(0x30, items);
export const set = (...items: Buffer[]): Buffer => element(0x31, items);
export const nul = (): Buffer => Buffer.from([0x05, 0x00]);
export const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
export const octets = (b: Buffer): Buffer => tlv(0x04, b);
/** BIT STRING: the unused-bits octet, then `b`. */
export function bitString(b: Buffer, unusedBits = 0): Buffer {
  return element(0x03, [Buffer.of(unusedBits), b]);
}
export const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
export const printable = (s: string): Buffer => tlv(0x13, Buffer.from(s, 'latin1'));
export const ia5 = (s: string): Buffer => tlv(0x16, Buffer.from(s, 'latin1'));
/** [n] EXPLICIT (constructed) */
export const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 | n, content);
/** [n] IMPLICIT primitive */
export const implicitPrimitive = (n: number, content: Buffer): Buffer => tlv(0x80 | n, content);

/** INTEGER from unsigned big-endian bytes (adds a leading zero when the top bit is set). */
export function uint(bytes: Buffer | number): Buffer {
  let b = typeof bytes === 'number' ? numberBytes(bytes) : bytes;
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  b = b.subarray(i);
  if (b.length === 0) b = Buffer.from([0]);
  return element(0x02, b[0] & 0x80 ? [Buffer.of(0), b] : [b]);
}

function numberBytes(n: number): Buffer {
  const out: number[] = [];
  do {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  } while (n > 0);
  return Buffer.from(out);
}

const oids = new Map<string, Buffer>();

/** OBJECT IDENTIFIER from its dotted text (encoded once per text: the same few OIDs go into every certificate). */
export function oid(dotted: string): Buffer {
  let encoded = oids.get(dotted);
  if (!encoded) {
    encoded = encodeOid(dotted);
    if (oids.size < 1024) oids.set(dotted, encoded);
  }
  return encoded;
}

function encodeOid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [];
    let v = p;
    do {
      chunk.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] |= 0x80;
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime for years 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5). */
export function time(d: Date): Buffer {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const body = `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  const y = d.getUTCFullYear();
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(pad(y % 100) + body, 'latin1'));
  return tlv(0x18, Buffer.from(pad(y, 4) + body, 'latin1'));
}
