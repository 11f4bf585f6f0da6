/** Markdown pieces the hovers share: certificate summaries, hex dumps, byte positions. */
import * as path from 'node:path';
import { hexBytes, hexColon } from '../../core/cert/decodeCertificate';
import { DecodedCertificate } from '../../core/cert/model';
import { ByteRange } from '../../core/tlv/model';
import { isoDay, validityPhrase } from '../../core/time/relativeTime';
import { IndexedFile, RecordRef } from '../../workspace/indexedFile';
import { FeatureContext } from './featureContext';

const MAX_HEX_BYTES = 512;

/** Escapes text for Markdown (DNs contain `=`, `,`, `;` and sometimes `*` or `_`). */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>]/g, '\\$&');
}

export function hexDump(raw: Buffer): string {
  const shown = raw.subarray(0, MAX_HEX_BYTES);
  const rows: string[] = [];
  for (let i = 0; i < shown.length; i += 32) rows.push(hexBytes(shown.subarray(i, i + 32), ' '));
  const more = raw.length > MAX_HEX_BYTES ? `\n… ${raw.length - MAX_HEX_BYTES} more bytes` : '';
  return '```\n' + rows.join('\n') + more + '\n```';
}

export function bytePosition(range: ByteRange): string {
  const hex = (n: number) => `0x${n.toString(16).toUpperCase()}`;
  const n = range.end - range.start;
  return `Bytes ${range.start}–${range.end - 1} (${hex(range.start)}–${hex(Math.max(range.start, range.end - 1))}), ${n} byte${n === 1 ? '' : 's'}`;
}

export function keyText(cert: DecodedCertificate): string {
  const k = cert.publicKey;
  return k.type === 'RSA' ? `RSA ${k.bits} bit, exponent ${k.exponent}` : k.type === 'EC' ? `EC ${k.curve}` : `unknown (${k.algorithmOid})`;
}

export function certificateTable(cert: DecodedCertificate, now: Date): string {
  const rows: Array<[string, string]> = [
    ['Subject', cert.subject.rfc4514],
    ['Issuer', `${cert.issuer.rfc4514}${cert.selfIssued ? ' (self-signed)' : ''}`],
    ['Serial', cert.serialHex],
    ['Valid', `${cert.notBefore ? isoDay(cert.notBefore) : '?'} → ${cert.notAfter ? isoDay(cert.notAfter) : '?'}: ${validityPhrase(cert.notBefore, cert.notAfter, now)}`],
    ['Key', keyText(cert)],
    ['Signed with', cert.signatureAlgorithm],
  ];
  if (cert.basicConstraints) rows.push(['Basic constraints', `CA:${cert.basicConstraints.ca ? 'TRUE' : 'FALSE'}${cert.basicConstraints.pathLength !== undefined ? `, pathlen:${cert.basicConstraints.pathLength}` : ''}`]);
  if (cert.keyUsage) rows.push(['Key usage', cert.keyUsage.join(', ')]);
  if (cert.extendedKeyUsage) rows.push(['Extended key usage', cert.extendedKeyUsage.join(', ')]);
  if (cert.subjectAltNames) rows.push(['Subject alt names', cert.subjectAltNames.join(', ')]);
  rows.push(['SHA-1', hexColon(cert.sha1)], ['SHA-256', hexColon(cert.sha256)]);
  return ['| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${md(v)} |`)].join('\n');
}

export function fileLabel(file: IndexedFile, ctx: FeatureContext): string {
  return ctx.views.displayName(file) || (file.path ? path.basename(file.path) : file.uri);
}

/** "Carried by: ITLFile.tlv record #1 (CAPF)" lines. */
export function carriedBy(refs: RecordRef[], ctx: FeatureContext): string | undefined {
  if (!refs.length) return undefined;
  const lines = refs.slice(0, 20).map((r) => `- ${md(fileLabel(r.file, ctx))}: ${r.file.list.kind} record #${r.record.record.index} (${r.record.record.roleName ?? 'no FUNCTION'})`);
  if (refs.length > 20) lines.push(`- … and ${refs.length - 20} more`);
  return `**In trust lists of the workspace:**\n${lines.join('\n')}`;
}
