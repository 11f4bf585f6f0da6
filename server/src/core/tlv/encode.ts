/** Low-level writers for .tlv elements. */

export function element(tag: number, value: Buffer): Buffer {
  if (value.length > 0xffff) throw new RangeError(`element ${tag} is ${value.length} bytes; the format allows 65535`);
  const head = Buffer.alloc(3);
  head[0] = tag;
  head.writeUInt16BE(value.length, 1);
  return Buffer.concat([head, value]);
}

/** A container element: tag, length of the inline children that follow, then the children. */
export function container(tag: number, children: Buffer[]): Buffer {
  const body = Buffer.concat(children);
  const head = Buffer.alloc(3);
  head[0] = tag;
  head.writeUInt16BE(body.length, 1);
  return Buffer.concat([head, body]);
}

export const u8 = (n: number): Buffer => Buffer.from([n & 0xff]);
export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
}
export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
export const cstring = (s: string): Buffer => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
export function version(v: string): Buffer {
  const [major, minor] = v.split('.').map(Number);
  return Buffer.from([major || 0, minor || 0]);
}
