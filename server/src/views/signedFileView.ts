/**
 * The decoded view of a signed file (.sgn, .sha512, .enc.sgn): the header with byte positions, as the trust-list
 * view shows it, then the payload — XML as text with its byte offsets (and its elements as the outline), other
 * payloads as size and hashes. Lines are highlighted by syntaxes/itl-view.tmLanguage.json.
 */
import { createHash } from 'node:crypto';
import { TlvElement } from '../core/tlv/model';
import { SignedFile, XmlElement } from '../core/sgn/model';
import { allElements, xmlOutline } from '../core/sgn/xmlOutline';
import { CAPF_AUTH_MODES, configFacts } from '../core/sgn/configFacts';
import { elementLine, elementValueText, pushHeaderSection, pushProblems } from './trustListView';
import { RenderedView, ViewBuilder } from './viewModel';
import { dateAndRelative } from '../core/time/relativeTime';
import { EncryptionTag } from '../core/sgn/tags';

export interface SignedFileViewOptions {
  fileName: string;
  now: Date;
  /** one line: the signature and signer verdict (from the trust model or a plain signature check) */
  verdict: string;
  /** decrypted payload of an .enc.sgn, when the device key was given */
  plaintext?: Buffer;
  /** device certificates (DER) known to the caller: which one the companion's certHash names */
  deviceCertificates?: { name: string; der: Buffer }[];
}

function valueText(e: TlvElement): string {
  if (!e.truncated && (e.tag === EncryptionTag.IV || e.tag === EncryptionTag.CONTENT_HASH)) return e.raw.toString('hex').toUpperCase().match(/../g)?.join(' ') ?? '';
  if (!e.truncated && e.tag === EncryptionTag.ENCRYPTED_KEY) return `${e.raw.length} bytes (RSA-wrapped AES key)`;
  if (!e.truncated && e.tag === EncryptionTag.KEY_SIZE && e.value.kind === 'u16') return `${e.value.value} bits`;
  return elementValueText(e, 'header');
}

/** The payload's lines with the byte offset of each line. */
function textLines(bytes: Buffer, base: number): { offset: number; text: string; end: number }[] {
  const out: { offset: number; text: string; end: number }[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length && out.length < 20000; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      if (i > start || i < bytes.length) out.push({ offset: base + start, end: base + i, text: bytes.subarray(start, i).toString('utf8').replace(/\r$/, '').replace(/\t/g, '  ') });
      start = i + 1;
    }
  }
  return out;
}

export function renderSignedFileView(file: SignedFile, o: SignedFileViewOptions): RenderedView {
  const kind = file.kind === 'enc.sgn' ? 'ENC.SGN' : 'SGN';
  const v = new ViewBuilder();
  v.push({ text: `${kind} File: ${o.fileName}`, kind: 'title', range: { start: 0, end: file.size } });
  v.push({
    text: `Length of ${kind} file: ${file.size} bytes, header ${file.payload.range.start} bytes, payload ${file.payload.bytes.length} bytes${file.header.timestamp !== undefined ? `, signed ${dateAndRelative(new Date(file.header.timestamp * 1000), o.now)}` : ''}`,
    kind: 'summary',
  });
  v.push({ text: `Verdict: ${o.verdict}`, kind: 'verdict', range: file.header.signature?.range });
  pushProblems(v, file.problems);
  v.blank();
  pushHeaderSection(v, kind, file.header, (e, depth) => elementLine(e, 'header', depth, valueText(e)));

  v.blank();
  const p = file.payload;
  const section = v.openSection({ name: 'Payload', kind: 'record', index: 1, range: p.range, detail: `${p.bytes.length} bytes ${p.type}` });
  v.push({ text: `${kind} Payload: ${p.bytes.length} bytes, ${p.type === 'xml' ? 'XML' : p.type}`, kind: 'section', range: p.range, section: 1 });
  v.push({ text: '----', kind: 'rule', section: 1 });
  v.push({ text: `         ; SHA-1 ${p.sha1}`, kind: 'note', range: p.range, section: 1 });
  v.push({ text: `         ; SHA-256 ${p.sha256}`, kind: 'note', range: p.range, section: 1 });
  if (file.encryption) {
    const e = file.encryption;
    v.push({ text: `         ; AES-${e.keyBits ?? '?'}-CBC, IV ${e.iv?.length ?? 0} bytes, ${e.paddingCount ?? '?'} padding bytes, key wrapped to the device certificate (${e.wrappedKey?.length ?? 0} bytes)`, kind: 'note', range: e.range, section: 1 });
  }
  const shown =
    p.type === 'xml' || p.type === 'text' ? { bytes: p.bytes, base: p.range.start, xml: p.xml } : o.plaintext ? { bytes: o.plaintext, base: 0, xml: xmlOutline(o.plaintext) } : undefined;
  if (o.plaintext) v.push({ text: `         ; decrypted with the device key: ${o.plaintext.length} bytes (SHA-1 ${createHash('sha1').update(o.plaintext).digest('hex')}); offsets below are in the decrypted text`, kind: 'note', section: 1 });
  if (shown) {
    for (const l of textLines(shown.bytes, shown.base)) {
      v.push({ text: `${String(l.offset).padEnd(7)}  | ${l.text}`.trimEnd(), kind: 'payload', range: o.plaintext ? p.range : { start: l.offset, end: l.end }, section: 1 });
    }
  }
  v.closeSection(section);
  if (shown?.xml && !o.plaintext) {
    for (const el of allElements(shown.xml).filter((x) => x.depth <= 2)) {
      v.sections.push({ name: el.name, detail: el.text, kind: 'element', index: 1, range: el.range, startLine: lineOf(v, el), endLine: lineOf(v, el) });
    }
  }
  const facts = configFacts(shown?.xml);
  if (facts.isDeviceConfig) {
    v.blank();
    v.push({ text: 'Trust-related configuration', kind: 'section' });
    v.push({ text: '----', kind: 'rule' });
    if (facts.capfAuthMode) v.push({ text: `         ; capfAuthMode ${facts.capfAuthMode.value}: ${CAPF_AUTH_MODES[facts.capfAuthMode.value] ?? 'not a CAPF authentication mode'}`, kind: 'note', range: facts.capfAuthMode.range });
    for (const c of facts.capf) v.push({ text: `         ; CAPF server ${c.host ?? '(no processNodeName)'} port ${c.portText ?? '(none)'}`, kind: 'note', range: c.range });
    if (facts.certHash) {
      const match = o.deviceCertificates?.find((d) => createHash('md5').update(d.der).digest('hex') === facts.certHash!.value);
      v.push({
        text: `         ; encrypted configuration for the device certificate with MD5 ${facts.certHash.value}${match ? `: ${match.name}` : o.deviceCertificates ? ': none of the certificates given' : ''}`,
        kind: 'note',
        range: facts.certHash.range,
      });
    }
  }
  v.blank();
  v.push({ text: o.verdict, kind: 'verdict', range: file.header.signature?.range });
  return v.build();
}

function lineOf(v: ViewBuilder, el: XmlElement): number {
  const i = v.lines.findIndex((l) => l.kind === 'payload' && l.range && l.range.start <= el.range.start && el.range.start <= l.range.end);
  return i < 0 ? 0 : i;
}
