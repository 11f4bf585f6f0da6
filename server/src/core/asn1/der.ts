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

/**
 * The node readDerNode returns. `content` and `bytes` are Buffer views made on first read and then kept:
 * a Buffer view costs more than everything else in a node, and most nodes (SEQUENCEs, SETs, context
 * wrappers) are never asked for theirs. Both stay writable, like the plain properties of the interface.
 */
class LazyDerNode implements DerNode {
  offset: number;
  headerLength: number;
  length: number;
  end: number;
  tagClass: DerNode['tagClass'];
  constructed: boolean;
  tagNumber: number;
  children: DerNode[] = [];
  truncated: boolean;
  readonly #buf: Buffer;
  readonly #contentStart: number;
  #content: Buffer | undefined;
  #bytes: Buffer | undefined;

  constructor(buf: Buffer, offset: number, contentStart: number, length: number, limit: number, id: number, tagNumber: number) {
    this.offset = offset;
    this.headerLength = contentStart - offset;
    this.length = length;
    this.end = Math.min(contentStart + length, limit);
    this.tagClass = CLASSES[id >> 6];
    this.constructed = (id & 0x20) !== 0;
    this.tagNumber = tagNumber;
    this.truncated = contentStart + length > limit;
    this.#buf = buf;
    this.#contentStart = contentStart;
  }

  get content(): Buffer {
    return (this.#content ??= this.#buf.subarray(this.#contentStart, this.end));
  }
  set content(value: Buffer) {
    this.#content = value;
  }
  get bytes(): Buffer {
    return (this.#bytes ??= this.#buf.subarray(this.offset, this.end));
  }
  set bytes(value: Buffer) {
    this.#bytes = value;
  }
}

/** Nodes a read makes at most (a certificate holds a few hundred); reads of one certificate share a budget. */
export const MAX_DER_NODES = 20_000;

/** How many more nodes reads may make; `exhausted` is set once a node was left childless for want of them. */
export interface DerBudget {
  nodes: number;
  exhausted?: boolean;
}

/**
 * Reads one node at `offset`, bounded by `limit`. Returns undefined when not even a header fits.
 * Children are read down to `maxDepth` levels below the node (nodes deeper than that are left childless), so
 * crafted nesting cannot exhaust the stack, and while `budget` lasts (nodes past it are left childless too),
 * so that a crafted mass of tiny nodes costs no more than a real certificate. Readers that want a few known
 * fields, not the annotated tree, use readElement.
 */
export function readDerNode(buf: Buffer, offset: number, limit = buf.length, depth = 0, maxDepth = 64, budget: DerBudget = { nodes: MAX_DER_NODES }): DerNode | undefined {
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
  const node = new LazyDerNode(buf, offset, pos, length, limit, id, tagNumber);
  budget.nodes--;
  if (node.constructed && depth < maxDepth) {
    const end = node.end;
    let p = pos;
    while (p < end) {
      if (budget.nodes <= 0) {
        budget.exhausted = true;
        break;
      }
      const child = readDerNode(buf, p, end, depth + 1, maxDepth, budget);
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

/**
 * One element read by readElement: where it starts, its identifier octet, and where its content starts and
 * ends. No views and no children: for readers that walk a structure they know (certificateOutline.ts) and
 * want a few fields' bytes, not the annotated tree readDerNode builds.
 */
export interface DerElement {
  /** offset of the identifier octet */
  offset: number;
  /** the identifier octet (low tag numbers only): class, constructed bit and tag number */
  id: number;
  /** offset of the first content byte */
  start: number;
  /** offset just past the content */
  end: number;
}

/** Identifier octets (universal class, DER's primitive or constructed form) that element readers compare `id` with. */
export const Id = { INTEGER: 0x02, BIT_STRING: 0x03, OBJECT_IDENTIFIER: 0x06, SEQUENCE: 0x30, SET: 0x31 } as const;

/** The element's content bytes (a view of `buf`). */
export function contentOf(buf: Buffer, e: DerElement): Buffer {
  return buf.subarray(e.start, e.end);
}

/**
 * Reads the element at `offset`, which must end at or before `limit`. undefined when its header cannot be
 * read, it has a high tag number (none occurs in a certificate's outline), or its content runs past `limit`.
 */
export function readElement(buf: Buffer, offset: number, limit: number): DerElement | undefined {
  if (offset + 2 > limit) return undefined;
  const id = buf[offset];
  if ((id & 0x1f) === 0x1f) return undefined;
  let pos = offset + 1;
  const first = buf[pos++];
  let length = first;
  if (first >= 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || pos + n > limit) return undefined;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[pos++];
  }
  if (pos + length > limit) return undefined;
  return { offset, id, start: pos, end: pos + length };
}

/** The elements that make up `parent`'s content, in order; undefined unless they fill it exactly. */
export function readElements(buf: Buffer, parent: DerElement): DerElement[] | undefined {
  const out: DerElement[] = [];
  for (let p = parent.start; p < parent.end; ) {
    const e = readElement(buf, p, parent.end);
    if (!e) return undefined;
    out.push(e);
    p = e.end;
  }
  return out;
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

/**
 * OID text by content bytes. Certificates repeat the same few dozen OIDs (DN attributes, algorithms,
 * extensions), so decoding each once pays; the cache is cleared when full, which bounds its memory.
 */
const oidCache = new Map<string, string>();
const OID_CACHE_SIZE = 512;
/** Longer contents are not cached: rare, and their keys would cost as much as decoding them. */
const OID_CACHE_MAX_BYTES = 32;

export function decodeOid(content: Buffer): string {
  if (content.length === 0) return '';
  if (content.length > OID_CACHE_MAX_BYTES) return oidText(content);
  const key = content.toString('latin1');
  let text = oidCache.get(key);
  if (text === undefined) {
    if (oidCache.size >= OID_CACHE_SIZE) oidCache.clear();
    text = oidText(content);
    oidCache.set(key, text);
  }
  return text;
}

/**
 * Dotted text of non-empty OID content: base-128 arcs, high bit = more to come; an unfinished last arc
 * is dropped. The first arc packs two (40 * a + b); with no finished arc at all, the first byte stands in.
 */
function oidText(content: Buffer): string {
  let head = -1;
  let rest = '';
  let value = 0;
  for (let i = 0; i < content.length; i++) {
    const b = content[i];
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (head < 0) head = value;
      else rest += '.' + value;
      value = 0;
    }
  }
  if (head < 0) head = content[0];
  const a = head < 40 ? 0 : head < 80 ? 1 : 2;
  return `${a}.${head - a * 40}${rest}`;
}

/** The text of a string value (only its tag number and content are read). */
export function decodeString(node: Pick<DerNode, 'tagNumber' | 'content'>): string {
  if (node.tagNumber === Tag.BMPString) {
    let s = '';
    for (let i = 0; i + 1 < node.content.length; i += 2) s += String.fromCharCode(node.content.readUInt16BE(i));
    return s;
  }
  if (node.tagNumber === Tag.UTF8String) return node.content.toString('utf8');
  return node.content.toString('latin1');
}

/** UTCTime / GeneralizedTime → Date (undefined when unreadable; only its tag number and content are read). */
export function decodeTime(node: Pick<DerNode, 'tagNumber' | 'content'>): Date | undefined {
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
