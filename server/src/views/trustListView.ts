/**
 * The annotated `show itl`-style view of a trust list: header and records with BYTEPOS, TAG, LENGTH, VALUE,
 * the meaning of roles, certificate summaries with validity, the signing eToken and a verdict line.
 */
import { createHash } from 'node:crypto';
import { recordCommonName, TrustList, TlvElement, TlvProblem, TrustListHeader, TrustRecord } from '../core/tlv/model';
import { EC_POINT_CURVES, HeaderTag, isUncompressedEcPoint, RecordTag, ROLE_MEANINGS, ROLE_SHORT_NAMES } from '../core/tlv/tags';
import { SignatureCheck } from '../core/tlv/verify';
import { decodeCertificate, hexBytes, hexColon } from '../core/cert/decodeCertificate';
import { CertificateDecodeResult, DecodedCertificate } from '../core/cert/model';
import { RenderedView, ViewBuilder } from './viewModel';
import { dateAndRelative, isoDay, validityPhrase } from '../core/time/relativeTime';

export interface TrustListViewOptions {
  /** shown in the title */
  fileName: string;
  now: Date;
  signature: SignatureCheck;
  /** decodes embedded certificates for their notes; the language server passes its cache (default: decode each) */
  decodeCertificate?: (der: Buffer) => CertificateDecodeResult;
}

const COLUMNS = 'BYTEPOS  TAG                         LENGTH  VALUE';
const RULE = '-------  --------------------------  ------  -----';

const spacedHex = (b: Buffer) => hexBytes(b, ' ');

function keySummary(raw: Buffer): string {
  if (isUncompressedEcPoint(raw)) return `EC ${EC_POINT_CURVES[raw.length]} point (uncompressed)`;
  if (raw[0] === 0x30) {
    const bits = raw.length >= 260 ? Math.round((raw.length - 14) / 128) * 1024 : raw.length >= 130 ? 1024 : raw.length * 8;
    return `RSA ${bits}-bit (PKCS#1 RSAPublicKey)`;
  }
  return `${raw.length} bytes`;
}

/** The VALUE column of an element line: the decoded value, or a summary of raw bytes. */
export function elementValueText(e: TlvElement, ctx: 'header' | 'record'): string {
  if (e.truncated) return `(truncated: ${e.raw.length} of ${e.length} bytes present)`;
  const v = e.value;
  switch (v.kind) {
    case 'string':
      return v.text;
    case 'u16':
    case 'u8':
    case 'u32':
      if (ctx === 'header' && e.tag === HeaderTag.SIGNATURE_ALGORITHM) return v.value === 0 ? 'RSA' : String(v.value);
      if (ctx === 'header' && e.tag === HeaderTag.SIGNATURE_MODULUS) return `${v.value} (${[64, 128, 256, 512][v.value] ?? '?'}-byte signature)`;
      return String(v.value);
    case 'version':
      return `${v.major}.${v.minor}`;
    case 'role':
      return v.name;
    case 'hashAlgorithm':
      return v.name;
    case 'timestamp':
      return isoDay(new Date(v.seconds * 1000));
    case 'ip':
      return v.text;
    case 'container':
      return '';
    case 'padding':
      return '0x0D';
    case 'bytes':
      break;
  }
  if (ctx === 'header') {
    if (e.tag === HeaderTag.SERIAL_NUMBER) return hexColon(e.raw);
    return `${e.raw.length} bytes`;
  }
  switch (e.tag) {
    case RecordTag.SERIAL_NUMBER:
      return hexColon(e.raw);
    case RecordTag.PUBLIC_KEY:
      return keySummary(e.raw);
    case RecordTag.SIGNATURE:
      return `${e.raw.length} bytes`;
    case RecordTag.CERTIFICATE:
      return `${spacedHex(createHash('sha1').update(e.raw).digest())} (SHA1 Hash HEX)`;
    case RecordTag.CERT_HASH:
      return spacedHex(e.raw);
    default:
      return e.raw.length <= 16 ? spacedHex(e.raw) : `${e.raw.length} bytes`;
  }
}

/** One BYTEPOS / TAG / LENGTH / VALUE line; `value` overrides the VALUE column (signed files' extra tags). */
export function elementLine(e: TlvElement, ctx: 'header' | 'record', depth: number, value = elementValueText(e, ctx)): string {
  const tag = `${String(e.tag).padEnd(3)} ${' '.repeat(depth * 2)}${e.name}`;
  const length = e.tag === HeaderTag.PADDING && ctx === 'header' ? '' : String(e.length);
  return `${String(e.offset).padEnd(7)}  ${tag.padEnd(26)}  ${length.padEnd(6)}  ${value}`.trimEnd();
}

/** The decoder's problems, one line each. */
export function pushProblems(v: ViewBuilder, problems: TlvProblem[]): void {
  for (const p of problems) v.push({ text: `Problem [${p.code}] at bytes ${p.range.start}-${p.range.end}: ${p.message}`, kind: 'problem', range: p.range });
}

/** The header section ("Parse ITL File", the columns, every element); `after` adds lines below an element. */
export function pushHeaderSection(v: ViewBuilder, kind: string, header: TrustListHeader, line: (e: TlvElement, depth: number) => string, after?: (e: TlvElement) => void): void {
  const section = v.openSection({ name: 'Header', kind: 'header', index: 0, range: header.range, detail: `${header.range.end} bytes` });
  v.push({ text: `Parse ${kind} File`, kind: 'section', range: header.range });
  v.push({ text: '----------------', kind: 'rule' });
  v.push({ text: COLUMNS, kind: 'columns' });
  v.push({ text: RULE, kind: 'rule' });
  const walk = (elements: TlvElement[], depth: number) => {
    for (const e of elements) {
      v.push({ text: line(e, depth), kind: 'element', range: e.range, tag: e.tag, section: 0 });
      after?.(e);
      if (e.children) walk(e.children, depth + 1);
    }
  };
  walk(header.elements, 0);
  v.closeSection(section);
}

export function certificateNote(cert: DecodedCertificate, now: Date): string {
  const key = cert.publicKey.type === 'RSA' ? `RSA ${cert.publicKey.bits}` : cert.publicKey.type === 'EC' ? `EC ${cert.publicKey.curve}` : 'unknown key';
  return `${key}, ${cert.signatureAlgorithm}, valid ${cert.notBefore ? isoDay(cert.notBefore) : '?'} → ${cert.notAfter ? isoDay(cert.notAfter) : '?'}, ${validityPhrase(cert.notBefore, cert.notAfter, now)}`;
}

function recordTitle(kind: string, r: TrustRecord): string {
  const role = r.role !== undefined ? ROLE_SHORT_NAMES[r.role] ?? `role ${r.role}` : 'no FUNCTION';
  const cn = recordCommonName(r) ?? r.subject ?? '';
  return `${kind} Record #:${r.index}  ${role}${cn ? `  ${cn}` : ''}`;
}

export function renderTrustListView(list: TrustList, o: TrustListViewOptions): RenderedView {
  const kind = list.kind === 'TLV' ? 'TLV' : list.kind;
  const v = new ViewBuilder();
  v.push({ text: `${kind} File: ${o.fileName}`, kind: 'title', range: { start: 0, end: list.size } });
  v.push({
    text: `Length of ${kind} file: ${list.size} bytes, ${list.records.length} records${list.header.timestamp !== undefined ? `, signed ${dateAndRelative(new Date(list.header.timestamp * 1000), o.now)}` : ''}`,
    kind: 'summary',
  });
  v.push({ text: `Verdict: ${o.signature.message}`, kind: 'verdict', range: list.header.signature?.range });
  pushProblems(v, list.problems);
  v.blank();

  pushHeaderSection(
    v,
    kind,
    list.header,
    (e, depth) => elementLine(e, 'header', depth),
    (e) => {
      if (e.tag === HeaderTag.SERIAL_NUMBER && o.signature.signer) {
        v.push({ text: `         ; signed by ${kind} Record #${o.signature.signer.index} (System Administrator Security Token)`, kind: 'note', range: e.range, tag: e.tag, section: 0 });
      }
    },
  );

  for (const r of list.records) {
    v.blank();
    const section = v.openSection({ name: recordTitle(kind, r), kind: 'record', index: r.index, range: r.range, detail: r.subject });
    v.push({ text: recordTitle(kind, r), kind: 'section', range: r.range, section: r.index });
    v.push({ text: '----', kind: 'rule', section: r.index });
    v.push({ text: COLUMNS, kind: 'columns', section: r.index });
    v.push({ text: RULE, kind: 'rule', section: r.index });
    for (const e of r.elements) {
      v.push({ text: elementLine(e, 'record', 0), kind: 'element', range: e.range, tag: e.tag, section: r.index });
      if (e.tag === RecordTag.FUNCTION && e.value.kind === 'role') {
        const meaning = ROLE_MEANINGS[e.value.code];
        if (meaning) v.push({ text: `         ; ${meaning}`, kind: 'note', range: e.range, tag: e.tag, section: r.index });
      }
      if (e.tag === RecordTag.CERTIFICATE && !e.truncated) {
        const decoded = (o.decodeCertificate ?? decodeCertificate)(e.raw);
        v.push({
          text: `         ; ${decoded.ok ? certificateNote(decoded.certificate, o.now) : `not a readable certificate: ${decoded.problems[0]?.message}`}`,
          kind: 'note',
          range: e.range,
          tag: e.tag,
          section: r.index,
        });
      }
      if (e.tag === RecordTag.CERT_HASH && !r.certificate) {
        v.push({
          text: '         ; hash-only record: the certificate is not in the file; its validity comes from a matching certificate file',
          kind: 'note',
          range: e.range,
          tag: e.tag,
          section: r.index,
        });
      }
    }
    if (r.role === 0) {
      const used = o.signature.signer?.index === r.index;
      v.push({ text: `This etoken was ${used ? '' : 'not '}used to sign the ${kind} file.`, kind: 'signer', range: r.range, section: r.index });
    }
    v.closeSection(section);
  }
  v.blank();
  v.push({ text: o.signature.message, kind: 'verdict', range: list.header.signature?.range });
  return v.build();
}
