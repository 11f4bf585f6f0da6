/** Hover on any line of a decoded view (tag meaning, full value, certificate summary) and on PEM blocks. */
import { createPublicKey } from 'node:crypto';
import { Hover, MarkupKind, Position, Range } from 'vscode-languageserver-protocol';
import { TlvElement } from '../../core/tlv/model';
import { HEADER_TAG_MEANINGS, HeaderTag, RECORD_TAG_MEANINGS, RecordTag, ROLE_MEANINGS } from '../../core/tlv/tags';
import { elementValueText } from '../../views/trustListView';
import { dateAndRelative, relativeDays } from '../../core/time/relativeTime';
import { DecodedCertificateEntry, DecodedRecord, DecodedTrustList } from '../../workspace/indexedFile';
import { ResolvedDocument } from '../workspaceSession';
import { CERTIFICATE_FIELD_MEANINGS, SUMMARY_FIELD_LABELS } from './certificateFieldMeanings';
import { FeatureContext, lineRange } from './featureContext';
import { LineSubject, subjectOfPemLine, subjectOfViewLine } from './lineSubject';
import { bytePosition, carriedBy, certificateTable, fileLabel, hexDump, md } from './markdown';

export function hover(doc: ResolvedDocument, position: Position, ctx: FeatureContext): Hover | null {
  if (doc.kind === 'pem') {
    const s = subjectOfPemLine(doc.file, position.line);
    if (s?.kind !== 'certificate' || !s.entry.pem) return null;
    const text = certificateHover(s.entry, ctx);
    const range = Range.create(s.entry.pem.range.start, s.entry.pem.range.end);
    return text ? { contents: { kind: MarkupKind.Markdown, value: text }, range } : null;
  }
  const s = subjectOfViewLine(doc.file, doc.view, position.line);
  const text = s && subjectHover(s, ctx);
  return text ? { contents: { kind: MarkupKind.Markdown, value: text }, range: lineRange(doc.view, position.line) } : null;
}

function subjectHover(s: LineSubject, ctx: FeatureContext): string | undefined {
  switch (s.kind) {
    case 'file':
      return fileHover(s.file, ctx);
    case 'problem':
      return `**Problem \`${s.problem.code}\`** (${s.problem.severity})\n\n${md(s.problem.message)}\n\n${bytePosition(s.problem.range)}`;
    case 'header':
      return s.element ? headerElementHover(s.file, s.element, ctx) : `**Header** of ${md(fileLabel(s.file, ctx))}\n\n${bytePosition(s.file.list.header.range)}\n\n${md(s.file.signature.message)}`;
    case 'record':
      return s.element ? recordElementHover(s.file, s.record, s.element, ctx) : recordHover(s.file, s.record, ctx);
    case 'certificate':
      return certificateHover(s.entry, ctx, s.field);
    case 'certificate-file':
      return `**${md(fileLabel(s.file, ctx))}**: ${s.file.file.format.toUpperCase()}, ${s.file.certificates.length} certificate(s)`;
  }
}

function fileHover(file: DecodedTrustList, ctx: FeatureContext): string {
  const l = file.list;
  const signer = file.signature.signer;
  const parts = [
    `**${l.kind === 'TLV' ? 'Trust list' : `${l.kind} file`}** ${md(fileLabel(file, ctx))}: ${l.size} bytes, ${l.records.length} records`,
    `Signature: **${file.signature.status}**${file.signature.hashName ? ` (${file.signature.hashName})` : ''}. ${md(file.signature.message)}`,
  ];
  if (signer) parts.push(`Signed by record #${signer.index} (${md(signer.subject ?? '?')})`);
  if (l.header.timestamp !== undefined) {
    const t = new Date(l.header.timestamp * 1000);
    parts.push(`Signed at ${dateAndRelative(t, ctx.now)}`);
  }
  return parts.join('\n\n');
}

function headerElementHover(file: DecodedTrustList, e: TlvElement, ctx: FeatureContext): string {
  const parts = [`**${e.name}** · header tag ${e.tag}`, HEADER_TAG_MEANINGS[e.tag] ?? 'A tag this format does not define.'];
  parts.push(valueBlock(e, 'header'));
  if (e.tag === HeaderTag.SIGNER_NAME || e.tag === HeaderTag.SERIAL_NUMBER || e.tag === HeaderTag.ISSUER_NAME || e.tag === HeaderTag.SIGNER_INFO) {
    const signer = file.signature.signer;
    parts.push(signer ? `Signed by record #${signer.index} (SAST ${md(signer.subject ?? '')}): go to definition to jump there.` : 'No SAST record of this file carries the signer.');
  }
  if (e.tag === HeaderTag.SIGNATURE) parts.push(`Verdict: **${file.signature.status}**. ${md(file.signature.message)}`);
  if (e.tag === HeaderTag.TIMESTAMP && e.value.kind === 'timestamp') parts.push(`Signed ${relativeDays(new Date(e.value.seconds * 1000), ctx.now)}.`);
  parts.push(bytePosition(e.range));
  return parts.join('\n\n');
}

function valueBlock(e: TlvElement, where: 'header' | 'record'): string {
  if (e.truncated) return `Truncated: ${e.raw.length} of ${e.length} bytes present.`;
  switch (e.value.kind) {
    case 'container':
      return `Container of ${e.length} bytes.`;
    case 'padding':
      return 'One 0x0D byte.';
    case 'bytes':
      return hexDump(e.raw);
    default:
      return `Value: \`${elementValueText(e, where).replace(/`/g, "'")}\``;
  }
}

function rsaDetails(raw: Buffer): string | undefined {
  try {
    const key = createPublicKey({ key: raw, format: 'der', type: 'pkcs1' });
    const d = key.asymmetricKeyDetails;
    return d?.modulusLength ? `RSA ${d.modulusLength} bit, exponent ${d.publicExponent}` : undefined;
  } catch {
    return undefined;
  }
}

function recordElementHover(file: DecodedTrustList, r: DecodedRecord, e: TlvElement, ctx: FeatureContext): string {
  const parts = [`**${e.name}** · tag ${e.tag} · ${file.list.kind} record #${r.record.index} (${md(r.record.roleName ?? 'no FUNCTION')})`, RECORD_TAG_MEANINGS[e.tag] ?? 'A tag this format does not define.'];
  if (e.tag === RecordTag.FUNCTION && e.value.kind === 'role') parts.push(md(ROLE_MEANINGS[e.value.code] ?? `Role ${e.value.code} is not one CUCM writes.`));
  if (e.tag === RecordTag.CERTIFICATE) {
    parts.push(r.certificate ? certificateTable(r.certificate, ctx.now) : 'Not a readable certificate.');
  } else {
    parts.push(valueBlock(e, 'record'));
  }
  if (e.tag === RecordTag.PUBLIC_KEY && !e.truncated) {
    const rsa = rsaDetails(e.raw);
    if (rsa) parts.push(rsa);
  }
  if (e.tag === RecordTag.CERT_HASH || e.tag === RecordTag.CERTIFICATE || e.tag === RecordTag.SERIAL_NUMBER) parts.push(matchesText(r, ctx));
  parts.push(bytePosition(e.range));
  return parts.join('\n\n');
}

function matchesText(r: DecodedRecord, ctx: FeatureContext): string {
  const matches = ctx.index.certificatesMatching(r.identity);
  if (!matches.length) return r.record.certificate ? 'No certificate file in the workspace holds this certificate.' : 'No certificate file in the workspace matches this record: its certificate is not available to check.';
  const lines = matches.slice(0, 10).map((m) => `- ${md(fileLabel(m.file, ctx))}${m.file.certificates.length > 1 ? ` (certificate #${m.cert.index + 1})` : ''}`);
  const found = matches[0];
  const decoded = r.record.certificate ? undefined : ctx.decode(found.file);
  const cert = decoded?.kind === 'certificate' ? decoded.certificates[found.cert.index]?.certificate : undefined;
  return `**Matching certificate file${matches.length > 1 ? 's' : ''}** (go to definition):\n${lines.join('\n')}${cert ? `\n\n${certificateTable(cert, ctx.now)}` : ''}`;
}

function recordHover(file: DecodedTrustList, r: DecodedRecord, ctx: FeatureContext): string {
  const rec = r.record;
  const parts = [`**${file.list.kind} record #${rec.index}** · ${md(rec.roleName ?? 'no FUNCTION')}`];
  if (rec.role !== undefined && ROLE_MEANINGS[rec.role]) parts.push(md(ROLE_MEANINGS[rec.role]));
  if (rec.role === 0) parts.push(file.signature.signer?.index === rec.index ? 'This SAST signed the file.' : 'This SAST did not sign the file.');
  if (r.certificate) parts.push(certificateTable(r.certificate, ctx.now));
  else parts.push(`Subject: ${md(rec.subject ?? '?')}\n\nHash-only record.\n\n${matchesText(r, ctx)}`);
  parts.push(bytePosition(rec.range));
  return parts.join('\n\n');
}

function certificateHover(entry: DecodedCertificateEntry, ctx: FeatureContext, field?: string): string | undefined {
  const cert = entry.certificate;
  if (!cert) return `**Certificate #${entry.index + 1}**: not a readable certificate.`;
  const parts: string[] = [];
  const f = field ? cert.fields.find((x) => x.path === field) : undefined;
  if (field && CERTIFICATE_FIELD_MEANINGS[field]) {
    parts.push(`**${md(f?.label ?? SUMMARY_FIELD_LABELS[field] ?? field)}**${f ? `: ${md(f.text)}` : ''}`, CERTIFICATE_FIELD_MEANINGS[field]);
    if (f) parts.push(`Bytes ${f.span.start}–${f.span.end - 1} of the certificate's DER`);
  }
  parts.push(`**Certificate #${entry.index + 1}** ${md(cert.subject.rfc4514)}`, certificateTable(cert, ctx.now));
  const refs = carriedBy(ctx.index.recordsCarrying(entry.identity), ctx);
  if (refs) parts.push(refs);
  return parts.join('\n\n');
}
