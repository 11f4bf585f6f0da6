/**
 * Where a diagnostic lands in its source file. PEM files are text: the whole PEM block, by line. Trust lists
 * and DER certificates are binary: a byte range (shown at line 1 by editors, used by hex editors and the CLI).
 */
import { CertificateSummary, IndexedFile } from '../workspace/indexedFile';
import { ByteRange } from '../core/tlv/model';
import { DiagnosticTarget } from './ruleDiagnostic';

export interface TextPosition {
  line: number;
  character: number;
}

export interface SourceLocation {
  /** line/character range in the text (PEM); line 0 for binary files */
  range: { start: TextPosition; end: TextPosition };
  /** byte range in the file (binary files only) */
  bytes?: ByteRange;
  /** true when `range` is exact (text files) */
  textual: boolean;
}

const START: SourceLocation['range'] = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The byte span of a certificate field (`validity` spans notBefore and notAfter). */
export function fieldSpan(cert: Pick<CertificateSummary, 'der' | 'fields'>, field: string | undefined): ByteRange | undefined {
  if (!field) return { start: 0, end: cert.der.length };
  const exact = cert.fields.filter((f) => f.path === field || f.path.startsWith(`${field}.`));
  if (!exact.length) return undefined;
  return { start: Math.min(...exact.map((f) => f.span.start)), end: Math.max(...exact.map((f) => f.span.end)) };
}

export function positionAt(text: string, offset: number): TextPosition {
  const o = Math.max(0, Math.min(offset, text.length));
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < o; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: o - lineStart };
}

export function sourceLocation(file: IndexedFile, target: DiagnosticTarget): SourceLocation {
  if (file.kind === 'trust-list') {
    return { range: START, bytes: target.in === 'trust-list' ? target.range : undefined, textual: false };
  }
  const entry = target.in === 'certificate' ? file.certificates[target.entry] : undefined;
  if (file.format === 'pem') return { range: entry?.pem ? entry.pem.position : START, textual: true };
  const span = entry?.certificate && target.in === 'certificate' ? fieldSpan(entry.certificate, target.field) : undefined;
  return { range: START, bytes: span ?? { start: 0, end: file.size }, textual: false };
}
