/**
 * The CAPF record of a trust list: is there one, is its certificate (embedded, or found in the workspace for a
 * hash-only record) still valid and a CA, and is it the CAPF certificate the workspace holds for that subject.
 */
import * as path from 'node:path';
import { hexColon } from '../core/cert/decodeCertificate';
import { CAPF_ROLE, RecordTag } from '../core/tlv/tags';
import { sameCertificate } from '../workspace/identity';
import { CertificateRef, CertificateSummary, IndexedRecord, IndexedTrustList } from '../workspace/indexedFile';
import { RULE_CODES } from './codes';
import { inScopeOf, scopeFirst } from './nearestFiles';
import { RuleContext } from './ruleContext';
import { DiagnosticTarget, RelatedTarget, RuleDiagnostic } from './ruleDiagnostic';
import { capitalise, listWord, recordLabel, recordTarget, summaryTarget } from './targets';
import { certName, missingCapfCaFlags, notCaMessage, validityState, when } from './validity';


export function capfRules(file: IndexedTrustList, ctx: RuleContext): RuleDiagnostic[] {
  const capf = file.records.filter((r) => r.record.role === CAPF_ROLE);
  if (capf.length === 0) return file.list.kind === 'CTL' ? [] : [capfMissing(file)];
  return capf.flatMap((r) => capfRecordRules(file, r, ctx));
}

function capfMissing(file: IndexedTrustList): RuleDiagnostic {
  const word = listWord(file.list);
  return {
    code: 'capf-missing',
    severity: RULE_CODES['capf-missing'],
    message: `This ${word} has no CAPF record. Phones that load it cannot trust a CAPF server: LSC installs and upgrades fail and the phone's Status Messages show "No valid CAPF server". Verify that the Cisco Certificate Authority Proxy Function service is activated on the publisher, restart the Cisco TFTP service on all TFTP servers to regenerate the ITL, check that the new file has a CAPF record, then reset the phones.`,
    target: summaryTarget(file.list),
  };
}

function fileName(ref: CertificateRef): string {
  return ref.file.path ? path.basename(ref.file.path) : ref.file.uri;
}

function relatedCert(ref: CertificateRef, message: string): RelatedTarget {
  return { uri: ref.file.uri, target: { in: 'certificate', entry: ref.cert.index }, message };
}

function capfRecordRules(file: IndexedTrustList, r: IndexedRecord, ctx: RuleContext): RuleDiagnostic[] {
  const out: RuleDiagnostic[] = [];
  const target = recordTarget(r.record, RecordTag.CERTIFICATE, RecordTag.CERT_HASH, RecordTag.SERIAL_NUMBER);
  const label = recordLabel(r.record);
  const hashOnly = !r.embedsCertificate;
  if (!hashOnly && !r.certificate) return out; // an unreadable embedded certificate: the view shows why
  const matches = hashOnly ? scopeFirst(file.path, ctx.index.certificatesMatching(r.identity), (m) => m.file.path) : [];
  const cert: CertificateSummary | undefined = r.certificate ?? matches[0]?.cert.certificate;
  const found = matches[0];
  const related = found ? [relatedCert(found, `The CAPF certificate this record names: ${fileName(found)}`)] : undefined;
  const source = found ? `, according to ${fileName(found)} in the workspace` : '';

  const mismatch = capfMismatch(file, r, ctx, cert, target);
  if (mismatch) out.push(mismatch);
  if (!cert) {
    if (!mismatch) {
      out.push({
        code: 'capf-unchecked',
        severity: RULE_CODES['capf-unchecked'],
        message: `${capitalise(label)} carries only a hash of the CAPF certificate, and no certificate file in the workspace matches it, so its expiry and CA flags cannot be checked. Download the CAPF certificate (Cisco Unified OS Administration > Security > Certificate Management, Find where Certificate is exactly CAPF) into the workspace.`,
        target,
      });
    }
    return out;
  }
  const what = `The CAPF certificate in ${label}`;
  switch (validityState(cert, ctx.now, ctx.nearExpiryDays)) {
    case 'expired':
      out.push({
        code: 'capf-expired',
        severity: RULE_CODES['capf-expired'],
        message: `${what} expired on ${when(cert.notAfter, ctx.now)}${source}. Do not move forward with LSC installs or upgrades: phones may refuse the TLS connection to an expired CAPF certificate, and LSCs it signs chain to an expired issuer. Regenerate the CAPF certificate (Cisco Unified OS Administration > Security > Certificate Management) in a maintenance window — phones are reset when it is regenerated — then restart the Cisco TFTP service on all TFTP servers so the ITL carries the new one.`,
        target,
        related,
      });
      break;
    case 'near-expiry':
      out.push({
        code: 'capf-near-expiry',
        severity: RULE_CODES['capf-near-expiry'],
        message: `${what} expires on ${when(cert.notAfter, ctx.now)}${source}. Do not move forward with LSC installs on a CAPF certificate about to expire: LSCs it signs would need to be reissued soon. Regenerate the CAPF certificate first (Cisco Unified OS Administration > Security > Certificate Management), in a maintenance window — phones are reset when it is regenerated.`,
        target,
        related,
      });
      break;
    default:
      break;
  }
  const missing = missingCapfCaFlags(cert);
  if (missing.length) out.push({ code: 'capf-not-ca', severity: RULE_CODES['capf-not-ca'], message: notCaMessage(what, cert, missing), target, related });
  return out;
}

/**
 * The workspace holds the CAPF certificate for this record's subject and it is not the one the trust list
 * carries: CAPF was regenerated after the ITL was built. Certificates in the trust list's own folder tree
 * decide (the newest of them must be the record's); without any there, a mismatch needs every same-subject
 * certificate in the workspace to differ from the record's.
 */
function capfMismatch(file: IndexedTrustList, r: IndexedRecord, ctx: RuleContext, cert: CertificateSummary | undefined, target: DiagnosticTarget): RuleDiagnostic | undefined {
  const subject = r.identity.subject;
  if (!subject) return undefined;
  const all = ctx.index.certificatesWithSubject(subject);
  if (!all.length) return undefined;
  const near = inScopeOf(file.path, all, (c) => c.file.path);
  const newestOf = (list: CertificateRef[]) => list.reduce((a, b) => ((b.cert.certificate.notBefore?.getTime() ?? 0) > (a.cert.certificate.notBefore?.getTime() ?? 0) ? b : a));
  let newest: CertificateRef;
  if (near.length) {
    newest = newestOf(near);
    if (sameCertificate(r.identity, newest.cert.identity)) return undefined;
  } else {
    if (all.some((c) => sameCertificate(r.identity, c.cert.identity))) return undefined;
    newest = newestOf(all);
  }
  const ws = newest.cert.certificate;
  const carried = cert ? `serial ${cert.serialHex}, valid from ${when(cert.notBefore, ctx.now)}` : r.record.serial ? `serial ${hexColon(r.record.serial)}` : 'another certificate';
  return {
    code: 'capf-mismatch',
    severity: RULE_CODES['capf-mismatch'],
    message: `The workspace's CAPF certificate for ${certName(ws)} (${fileName(newest)}: serial ${ws.serialHex}, valid from ${when(ws.notBefore, ctx.now)}) is not the one this ${listWord(file.list)} carries in ${recordLabel(r.record)}, ${carried}. If ${fileName(newest)} is the certificate the CAPF service uses now, phones that load this file cannot trust it: the LSC fails to install and the phone's Status Messages show "LSC: Connection Failed". Restart the Cisco TFTP service on all TFTP servers so the ITL carries the current CAPF certificate, reset the phones to pick up the new ITL, then retry the certificate operation.`,
    target,
    related: [relatedCert(newest, `The CAPF certificate in the workspace: ${fileName(newest)}`)],
  };
}
