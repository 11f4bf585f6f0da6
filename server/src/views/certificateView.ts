/** The annotated, openssl-like view of a certificate file (DER, or a PEM bundle): every field with its byte range. */
import { CertificateFile } from '../core/cert/certificateFile';
import { hexColon } from '../core/cert/decodeCertificate';
import { RenderedView, ViewBuilder } from './viewModel';
import { isoDay, validityPhrase } from '../core/time/relativeTime';

export interface CertificateViewOptions {
  fileName: string;
  now: Date;
}

const COLUMNS = 'BYTEPOS  LENGTH  FIELD                               VALUE';
const RULE = '-------  ------  ----------------------------------  -----';

export function renderCertificateView(file: CertificateFile, o: CertificateViewOptions): RenderedView {
  const v = new ViewBuilder();
  const count = file.entries.length;
  v.push({ text: `Certificate file: ${o.fileName} (${file.format.toUpperCase()}, ${count} certificate${count === 1 ? '' : 's'})`, kind: 'title' });
  if (file.otherBlocks.length) {
    v.push({ text: `Also holds: ${file.otherBlocks.map((b) => `${b.label} (lines ${b.startLine + 1}-${b.endLine + 1})`).join(', ')}`, kind: 'summary' });
  }
  for (const p of file.problems) v.push({ text: `Problem [${p.code}]: ${p.message}`, kind: 'problem', range: p.span });
  if (count === 0) v.push({ text: file.problems.length ? 'The file was not decoded.' : 'No certificate found in this file.', kind: 'verdict' });
  file.entries.forEach((entry, i) => {
    const n = i + 1;
    v.blank();
    const where = entry.pem ? ` (PEM lines ${entry.pem.startLine + 1}-${entry.pem.endLine + 1}; byte positions are within the block's DER)` : '';
    if (!entry.result.ok) {
      const s = v.openSection({ name: `Certificate #${n} (unreadable)`, kind: 'certificate', index: n, range: { start: 0, end: entry.pem?.der.length ?? 0 } });
      v.push({ text: `Certificate #${n}${where}`, kind: 'section', section: n });
      for (const p of entry.result.problems) v.push({ text: `Problem [${p.code}]: ${p.message}`, kind: 'problem', range: p.span, section: n });
      v.closeSection(s);
      return;
    }
    const c = entry.result.certificate;
    const cn = c.subject.attributes.find((a) => a.name === 'CN')?.value ?? c.subject.rfc4514;
    const s = v.openSection({ name: `Certificate #${n} ${cn}`, detail: c.subject.rfc4514, kind: 'certificate', index: n, range: { start: 0, end: c.der.length } });
    v.push({ text: `Certificate #${n}: ${c.subject.rfc4514}${where}`, kind: 'section', range: { start: 0, end: c.der.length }, section: n });
    v.push({ text: `    Subject:             ${c.subject.rfc4514}`, kind: 'note', range: c.subject.span, section: n, field: 'subject' });
    v.push({ text: `    Issuer:              ${c.issuer.rfc4514}${c.selfIssued ? '  (self-signed)' : ''}`, kind: 'note', range: c.issuer.span, section: n, field: 'issuer' });
    v.push({ text: `    Validity:            ${c.notBefore ? isoDay(c.notBefore) : '?'} → ${c.notAfter ? isoDay(c.notAfter) : '?'}, ${validityPhrase(c.notBefore, c.notAfter, o.now)}`, kind: 'note', section: n, field: 'validity' });
    const key = c.publicKey.type === 'RSA' ? `RSA ${c.publicKey.bits} bit` : c.publicKey.type === 'EC' ? `EC ${c.publicKey.curve}` : 'unknown';
    v.push({ text: `    Key:                 ${key}; signed with ${c.signatureAlgorithm}`, kind: 'note', range: c.publicKey.span, section: n, field: 'subjectPublicKeyInfo' });
    v.push({ text: `    SHA-1 Fingerprint:   ${hexColon(c.sha1)}  (the trust list's CERTHASH)`, kind: 'note', section: n, field: 'sha1' });
    v.push({ text: `    SHA-256 Fingerprint: ${hexColon(c.sha256)}`, kind: 'note', section: n, field: 'sha256' });
    v.push({ text: COLUMNS, kind: 'columns', section: n });
    v.push({ text: RULE, kind: 'rule', section: n });
    for (const f of c.fields) {
      const text = `${String(f.span.start).padEnd(7)}  ${String(f.span.end - f.span.start).padEnd(6)}  ${f.label.padEnd(34)}  ${f.text}`;
      v.push({ text: text.trimEnd(), kind: 'element', range: f.span, section: n, field: f.path });
    }
    for (const p of entry.result.problems) v.push({ text: `Problem [${p.code}]: ${p.message}`, kind: 'problem', range: p.span, section: n });
    v.closeSection(s);
  });
  return v.build();
}
