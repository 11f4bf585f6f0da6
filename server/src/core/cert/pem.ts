/**
 * PEM blocks: finds every `-----BEGIN …-----` block in a text with its character and line positions. Never throws.
 * One pass: every search moves forward only, and line numbers are carried along, so the time is linear in the
 * text whatever it holds (a file of BEGIN lines without END lines took minutes when each searched to the end).
 */

/** A place in the text: 0-based line and character (UTF-16 code units, as LSP counts them by default). */
export interface PemPosition {
  line: number;
  character: number;
}

export interface PemBlock {
  label: string;
  /** character offsets of the BEGIN line start and just past the END line */
  start: number;
  end: number;
  startLine: number;
  endLine: number;
  /** `start` and `end` as line and character */
  range: { start: PemPosition; end: PemPosition };
  der: Buffer;
  /** set when the base64 body is not clean */
  badBase64: boolean;
  /** no END line */
  unterminated: boolean;
}

export interface PemScanOptions {
  /** stop after this many blocks (the rest of the text is not read) */
  maxBlocks?: number;
}

const BEGIN = '-----BEGIN ';
const END = '-----END ';
const DASHES = '-----';
const EMPTY = Buffer.alloc(0);

/** The next occurrence of `needle` at or after a position. Positions asked for never decrease, so no byte is searched twice. */
class ForwardSearch {
  private found = -2;
  constructor(
    private readonly text: string,
    private readonly needle: string,
  ) {}
  next(from: number): number {
    if (this.found === -1 || this.found >= from) return this.found;
    this.found = this.text.indexOf(this.needle, from);
    return this.found;
  }
}

/** Line and character of offsets asked for in increasing order: each newline is found and counted once. */
class LineCounter {
  private offset = 0;
  private line = 0;
  private lineStart = 0;
  private readonly newlines: ForwardSearch;
  constructor(private readonly text: string) {
    this.newlines = new ForwardSearch(text, '\n');
  }
  at(offset: number): PemPosition {
    const o = Math.min(offset, this.text.length);
    for (let i = this.newlines.next(this.offset); i >= 0 && i < o; i = this.newlines.next(i + 1)) {
      this.line++;
      this.lineStart = i + 1;
    }
    this.offset = Math.max(this.offset, o);
    return { line: this.line, character: o - this.lineStart };
  }
}

/** A label character: A-Z, 0-9 or space. */
function isLabelChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 32;
}

/** End of the label of a marker whose label starts at `from` (the label is followed by five dashes), or -1. */
function labelEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && isLabelChar(text.charCodeAt(i))) i++;
  return i > from && text.startsWith(DASHES, i) ? i : -1;
}

/** A base64 character: A-Z, a-z, 0-9, + or /. */
function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

const HEADER_LINE = /^[A-Za-z-]+:/;

/**
 * The DER of a block body: its lines trimmed and joined, header lines (`Proc-Type: …`) skipped. The body is bad
 * base64 unless the joined text is base64 characters, then at most two `=`, in groups of four; the DER is then
 * read from its base64 characters and `=` alone. One pass over the body, its base64 copied once.
 */
function decodeBody(text: string, start: number, end: number): { der: Buffer; badBase64: boolean } {
  const out = Buffer.allocUnsafe(end - start);
  let n = 0;
  let joined = 0;
  let foreign = false;
  let firstPad = -1;
  for (let lineStart = start; lineStart < end; ) {
    const nl = text.indexOf('\n', lineStart);
    const lineEnd = nl < 0 || nl >= end ? end : nl;
    const line = text.slice(lineStart, lineEnd).trim();
    lineStart = lineEnd + 1;
    if (!line || HEADER_LINE.test(line)) continue;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (c === 61) {
        if (firstPad < 0) firstPad = joined + i;
        out[n++] = c;
      } else if (isBase64Char(c)) {
        if (firstPad >= 0) foreign = true; // base64 after padding
        out[n++] = c;
      } else foreign = true;
    }
    joined += line.length;
  }
  if (joined === 0) return { der: EMPTY, badBase64: false };
  const badBase64 = foreign || joined % 4 !== 0 || (firstPad >= 0 && joined - firstPad > 2);
  return { der: Buffer.from(out.toString('latin1', 0, n), 'base64'), badBase64 };
}

/**
 * Every block, in order. A block ends at the END line of its own label; a BEGIN line before it (or the end of
 * the text) ends it unterminated. END lines of another label are part of the body (and make it bad base64).
 */
export function findPemBlocks(text: string, options: PemScanOptions = {}): PemBlock[] {
  const maxBlocks = options.maxBlocks ?? Infinity;
  const blocks: PemBlock[] = [];
  const begins = new ForwardSearch(text, BEGIN);
  const ends = new ForwardSearch(text, END);
  const lines = new LineCounter(text);
  let pos = 0;
  while (blocks.length < maxBlocks) {
    const start = begins.next(pos);
    if (start < 0) break;
    const labelStop = labelEnd(text, start + BEGIN.length);
    if (labelStop < 0) {
      pos = start + 1;
      continue;
    }
    const label = text.slice(start + BEGIN.length, labelStop);
    const bodyStart = labelStop + DASHES.length;
    const nextBegin = begins.next(bodyStart);
    const limit = nextBegin < 0 ? text.length : nextBegin;
    const endMarker = `${END}${label}${DASHES}`;
    let endIdx = -1;
    for (let e = ends.next(bodyStart); e >= 0 && e < limit; e = ends.next(e + 1)) {
      if (text.startsWith(endMarker, e)) {
        endIdx = e;
        break;
      }
    }
    const unterminated = endIdx < 0;
    const bodyEnd = unterminated ? limit : endIdx;
    const end = unterminated ? bodyEnd : endIdx + endMarker.length;
    const startPosition = lines.at(start);
    const endLine = lines.at(Math.max(start, end - 1)).line;
    const endPosition = lines.at(end);
    blocks.push({
      label,
      start,
      end,
      startLine: startPosition.line,
      endLine,
      range: { start: startPosition, end: endPosition },
      ...decodeBody(text, bodyStart, bodyEnd),
      unterminated,
    });
    pos = end;
  }
  return blocks;
}

export function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64');
  let pem = `-----BEGIN ${label}-----\n`;
  for (let i = 0; i < b64.length; i += 64) pem += `${b64.slice(i, i + 64)}\n`; // slices: twice as fast as a regex replace
  return `${pem}-----END ${label}-----\n`;
}

/** True when the bytes look like PEM text rather than DER. */
export function looksLikePem(bytes: Buffer): boolean {
  return bytes.subarray(0, 4096).toString('latin1').includes('-----BEGIN ');
}
