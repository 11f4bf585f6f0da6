/** Text and JSON forms of a verdict and of a comparison (the CLI's output; the editor can show the same lines). */
import { createHash } from 'node:crypto';
import { toPlainJson } from '../core/plainJson';
import { PhoneVerdict, RecordInfo } from './model';
import { TrustListComparison, TrustListChange } from './compareTrustLists';
import { describeRecord } from './records';

/** "accepted", "accepted-via-tvs (unresolved)", "accepted (TVS vouched)", "rejected (signer-not-trusted)". */
export function verdictWord(v: PhoneVerdict): string {
  if (v.verdict === 'accepted') return v.basis === 'tvs' ? 'accepted (TVS vouched)' : v.basis === 'first-use' ? 'accepted (trust on first use)' : 'accepted';
  if (v.verdict === 'accepted-via-tvs') return 'accepted-via-tvs (unresolved: TVS must know the signer)';
  return `rejected (${v.rejection})`;
}

export function renderVerdict(v: PhoneVerdict, held: string, download: string): string[] {
  const lines = [`Verdict: ${verdictWord(v)} — phones that hold ${held} and download ${download}`, `  ${v.reason}`];
  if (v.tvs) {
    lines.push(`  TVS the phone asks (TCP 2445): ${v.tvs.ask.map(describeRecord).join(', ')}`);
    lines.push(`  Certificate TVS must know: ${v.tvs.certificateLabel}${v.tvs.certificate ? `, SHA-1 ${createHash('sha1').update(v.tvs.certificate).digest('hex')}` : ''}`);
    if (v.verdict === 'accepted-via-tvs') lines.push('  Resolve it with --tvs-knows CERT.pem (the certificates the TVS holds, e.g. from Bulk Certificate Export).');
    else if (v.tvs.answer) lines.push(`  TVS answer: ${v.tvs.answer.known ? 'known' : 'not known'}${v.tvs.answer.roles ? ` (roles ${v.tvs.answer.roles.join(', ')})` : ''}`);
  }
  const phone = [v.phoneStatus ? `"${v.phoneStatus}"` : undefined, v.phoneConsole ? `console: ${v.phoneConsole}` : undefined].filter(Boolean).join('; ');
  lines.push(`  Phone: ${phone ? `${phone}. ` : ''}${v.phoneBehaviour}`);
  return lines;
}

function recordShort(r: RecordInfo | undefined): string {
  if (!r) return '—';
  return describeRecord(r);
}

function changeLines(c: TrustListChange): string[] {
  const head =
    c.kind === 'added'
      ? `added        ${recordShort(c.new)}`
      : c.kind === 'removed'
        ? `removed      ${recordShort(c.held)}`
        : `${c.kind.padEnd(12)} ${recordShort(c.held)} -> ${recordShort(c.new)}`;
  return [`  ${head}`, `               ${c.meaning}`];
}

export function renderRecovery(v: PhoneVerdict): string[] {
  if (!v.recovery.length) return [];
  return ['What to do:', ...v.recovery.flatMap((s, i) => [`  ${i + 1}. ${s.action}`, `     When: ${s.when}`])];
}

export function renderComparison(c: TrustListComparison, held: string, download: string): string {
  const lines = renderVerdict(c.verdict, held, download);
  lines.push('');
  lines.push(c.changes.length ? `Changes (${c.changes.length}):` : 'Changes: none (the same records).');
  for (const ch of c.changes) lines.push(...changeLines(ch));
  const recovery = renderRecovery(c.verdict);
  if (recovery.length) lines.push('', ...recovery);
  return lines.join('\n') + '\n';
}

/** The verdict as JSON: the certificate TVS must know by SHA-1 (not its DER). */
export function verdictJson(v: PhoneVerdict): Record<string, unknown> {
  const { tvs, ...rest } = v;
  const out: Record<string, unknown> = { ...rest };
  if (tvs) {
    const { certificate, ...t } = tvs;
    out.tvs = { ...t, ...(certificate ? { certificateSha1: createHash('sha1').update(certificate).digest('hex') } : {}) };
  }
  return toPlainJson(out) as Record<string, unknown>;
}

export function comparisonJson(c: TrustListComparison, held: string, download: string): Record<string, unknown> {
  return { held, new: download, ...verdictJson(c.verdict), changes: toPlainJson(c.changes) };
}
