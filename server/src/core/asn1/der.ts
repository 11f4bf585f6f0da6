/**
 * A small DER reader that keeps the byte position of every node, for annotated views.
 * It never throws: a node that runs past its parent is marked `truncated` and cut to what is there.
 */
export interface DerNode {
  /** offset of the identifier octet */
  offset: number;
  /** bytes taken by identifier + length octets */
  headerLength: number;
  /** declared content length */
  length: number;
  /** offset just past the content actually present */
  end: number;
  tagClass: 'universal' | 'application' | 'context' | 'private';
  constructed: boolean;
  tagNumber: number;
  /** content bytes (a view into the input) */
  content: Buffer;
  /** the whole node, identifier to end of content (a view into the input) */
  bytes: Buffer;
  children: DerNode[];
  truncated: boolean;
}

const CLASSES = ['universal', 'application', 'context', 'private'] as const;

/** Reads one node at `offset`, bounded by `limit`. Returns undefined when not even a header fits. */
export function readDerNode(buf: Buffer, offset: number, limit = buf.length, depth = 0): DerNode | undefined {
  if (offset + 2 > limit) return undefined;
  const id = buf[offset];
  let pos = offset + 1;
  let tagNumber = id & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    for (;;) {
      if (pos >= limit) return undefined;
      const b = buf[pos++];
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if (!(b & 0x80)) break;
      if (tagNumber > 0xffffff) return undefined;
    }
  }
  if (pos >= limit) return undefined;
  const first = buf[pos++];
  let length: number;
  if (first < 0x80) length = first;
  else {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || pos + n > limit) return undefined;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[pos++];
  }
  const headerLength = pos - offset;
  const end = Math.min(pos + length, limit);
  const node: DerNode = {
    offset,
    headerLength,
    length,
    end,
    tagClass: CLASSES[id >> 6],
    constructed: (id & 0x20) !== 0,
    tagNumber,
    content: buf.subarray(pos, end),
    bytes: buf.subarray(offset, end),
    children: [],
    truncated: pos + length > limit,
  };
  if (node.constructed && depth < 64) {
    let p = pos;
    while (p < end) {
      const child = readDerNode(buf, p, end, depth + 1);
      if (!child) {
        node.truncated = true;
        break;
      }
      node.children.push(child);
      p = child.end;
      if (child.truncated) break;
    }
  }
  return node;
}

/** Universal tag numbers used here. */
export const Tag = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  UTF8String: 12,
  SEQUENCE: 16,
  SET: 17,
  PrintableString: 19,
  T61String: 20,
  IA5String: 22,
  UTCTime: 23,
  GeneralizedTime: 24,
  BMPString: 30,
} as const;

export function isUniversal(node: DerNode | undefined, tag: number): node is DerNode {
  return !!node && node.tagClass === 'universal' && node.tagNumber === tag;
}

export function decodeOid(content: Buffer): string {
  if (content.length === 0) return '';
  const parts: number[] = [];
  const first = content[0];
  let value = 0;
  for (let i = 0; i < content.length; i++) {
    value = value * 128 + (content[i] & 0x7f);
    if (!(content[i] & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  const head = parts.shift() ?? first;
  const a = head < 40 ? 0 : head < 80 ? 1 : 2;
  return [a, head - a * 40, ...parts].join('.');
}

export function decodeString(node: DerNode): string {
  if (node.tagNumber === Tag.BMPString) {
    let s = '';
    for (let i = 0; i + 1 < node.content.length; i += 2) s += String.fromCharCode(node.content.readUInt16BE(i));
    return s;
  }
  if (node.tagNumber === Tag.UTF8String) return node.content.toString('utf8');
  return node.content.toString('latin1');
}

/** UTCTime / GeneralizedTime → Date (undefined when unreadable). */
export function decodeTime(node: DerNode): Date | undefined {
  const s = node.content.toString('latin1');
  let m: RegExpMatchArray | null;
  if (node.tagNumber === Tag.UTCTime) {
    m = s.match(/^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?Z$/);
    if (!m) return undefined;
    const yy = Number(m[1]);
    const year = yy >= 50 ? 1900 + yy : 2000 + yy;
    return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
  }
  m = s.match(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?(?:\.\d+)?Z$/);
  if (!m) return undefined;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
}
