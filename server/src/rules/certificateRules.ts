/** Certificate files (PEM bundles and DER): readable, in their validity period, strong enough, and CAPF-ready. */
import * as path from 'node:path';
import { CertificateSummary, IndexedCertificate, IndexedCertificateFile } from '../workspace/indexedFile';
import { RULE_CODES } from './codes';
import { RuleContext } from './ruleContext';
import { DiagnosticTarget, RelatedTarget, RuleDiagnostic } from './ruleDiagnostic';
import { recordLabel, recordTarget } from './targets';
import { certName, missingCapfCaFlags, notCaMessage, validityState, when } from './validity';
import { CAPF_ROLE, RecordTag } from '../core/tlv/tags';

export const MIN_RSA_BITS = 2048;

export function certificateRules(file: IndexedCertificateFile, ctx: RuleContext): RuleDiagnostic[] {
  // A file-level problem (not decoded: too large) points at the file's start: the first entry's place.
  const fileProblems = file.problems.map((p): RuleDiagnostic => ({ code: p.code, severity: 'error', message: p.message, target: { in: 'certificate', entry: 0 } }));
  return [...fileProblems, ...file.certificates.flatMap((entry) => [...decoderProblems(file, entry), ...(entry.certificate ? checks(file, entry, entry.certificate, ctx) : [])])];
}

function decoderProblems(file: IndexedCertificateFile, entry: IndexedCertificate): RuleDiagnostic[] {
  const out: RuleDiagnostic[] = [];
  const target: DiagnosticTarget = { in: 'certificate', entry: entry.index };
  const pem = entry.pem;
  if (pem?.unterminated) {
    out.push({ code: 'pem-unterminated', severity: 'error', message: `The PEM block ${pem.label} that starts on line ${pem.startLine + 1} has no -----END ${pem.label}----- line: the file was cut off or pasted incompletely. Copy the certificate again.`, target });
  }
  if (pem?.badBase64) {
    out.push({ code: 'pem-bad-base64', severity: 'error', message: `The PEM block ${pem.label} on lines ${pem.startLine + 1}-${pem.endLine + 1} is not clean base64 (stray characters or a wrong length): the certificate was damaged in transit. Copy it again.`, target });
  }
  for (const p of entry.problems) {
    const again = file.format === 'der' ? 'Download the certificate again (PEM or DER).' : 'Copy the certificate again.';
    out.push({ code: p.code, severity: 'error', message: `${p.message} ${again}`, target });
  }
  return out;
}

function checks(file: IndexedCertificateFile, entry: IndexedCertificate, cert: CertificateSummary, ctx: RuleContext): RuleDiagnostic[] {
  const out: RuleDiagnostic[] = [];
  const capfRecords = ctx.index.recordsCarrying(entry.identity).filter((r) => r.record.record.role === CAPF_ROLE);
  const isCapf = capfRecords.length > 0 || /^capf/i.test(cert.subject.attributes.find((a) => a.name === 'CN')?.value ?? '') || (!!file.path && /^capf/i.test(path.basename(file.path)));
  const related: RelatedTarget[] = capfRecords.map((r) => ({
    uri: r.file.uri,
    target: recordTarget(r.record.record, RecordTag.CERTIFICATE, RecordTag.CERT_HASH),
    message: `Carried by ${recordLabel(r.record.record)} of ${r.file.path ? path.basename(r.file.path) : r.file.uri}`,
  }));
  const name = `${isCapf ? 'The CAPF certificate' : 'The certificate'} ${certName(cert)}`;
  const validity: DiagnosticTarget = { in: 'certificate', entry: entry.index, field: 'validity' };
  switch (validityState(cert, ctx.now, ctx.nearExpiryDays)) {
    case 'expired':
      out.push({
        code: 'cert-expired',
        severity: RULE_CODES['cert-expired'],
        message: `${name} expired on ${when(cert.notAfter, ctx.now)}. ${
          isCapf
            ? 'Do not move forward with LSC installs or upgrades: phones may refuse the TLS connection to an expired CAPF certificate, and LSCs it signs chain to an expired issuer. Regenerate it (Cisco Unified OS Administration > Security > Certificate Management) in a maintenance window — phones are reset when it is regenerated — and replace this file.'
            : 'Phones and servers reject TLS connections that present it. Renew or regenerate it, then replace this file.'
        }`,
        target: validity,
        related: related.length ? related : undefined,
      });
      break;
    case 'near-expiry':
      out.push({
        code: 'cert-near-expiry',
        severity: RULE_CODES['cert-near-expiry'],
        message: `${name} expires on ${when(cert.notAfter, ctx.now)}. ${
          isCapf
            ? 'Regenerate the CAPF certificate before you install or upgrade LSCs, so they need not be reissued soon after; do it in a maintenance window, as phones are reset.'
            : 'Renew or regenerate it before then, and replace this file.'
        }`,
        target: validity,
        related: related.length ? related : undefined,
      });
      break;
    case 'not-yet-valid':
      out.push({
        code: 'cert-not-yet-valid',
        severity: RULE_CODES['cert-not-yet-valid'],
        message: `${name} is not valid until ${when(cert.notBefore, ctx.now)}. Phones and servers reject it until then; check the clock of the system that issued it.`,
        target: validity,
      });
      break;
    default:
      break;
  }
  if (cert.publicKey.type === 'RSA' && cert.publicKey.bits < MIN_RSA_BITS) {
    out.push({
      code: 'cert-weak-key',
      severity: RULE_CODES['cert-weak-key'],
      message: `${name} has a ${cert.publicKey.bits}-bit RSA key. Keys under ${MIN_RSA_BITS} bits are weak, and current CUCM releases use 2048-bit keys by default; regenerate it with a key of ${MIN_RSA_BITS} bits or more.`,
      target: { in: 'certificate', entry: entry.index, field: 'subjectPublicKeyInfo' },
    });
  }
  if (isCapf) {
    const missing = missingCapfCaFlags(cert);
    if (missing.length) {
      const field = cert.basicConstraints ? 'extensions.basicConstraints' : cert.keyUsage ? 'extensions.keyUsage' : undefined;
      out.push({
        code: 'capf-not-ca',
        severity: RULE_CODES['capf-not-ca'],
        message: notCaMessage('This CAPF certificate', cert, missing),
        target: { in: 'certificate', entry: entry.index, field },
        related: related.length ? related : undefined,
      });
    }
  }
  return out;
}
