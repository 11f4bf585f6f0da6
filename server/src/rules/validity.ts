/** Validity of a certificate at a given time, and the phrases messages use for it. */
import { CertificateSummary } from '../workspace/indexedFile';
import { dateAndRelative } from '../core/time/relativeTime';
import { DAY_MS } from './ruleContext';

export type ValidityState = 'expired' | 'near-expiry' | 'not-yet-valid' | 'valid' | 'unknown';

export function validityState(cert: CertificateSummary, now: Date, nearExpiryDays: number): ValidityState {
  if (!cert.notAfter || !cert.notBefore) return 'unknown';
  if (now.getTime() > cert.notAfter.getTime()) return 'expired';
  if (now.getTime() < cert.notBefore.getTime()) return 'not-yet-valid';
  if (cert.notAfter.getTime() - now.getTime() <= nearExpiryDays * DAY_MS) return 'near-expiry';
  return 'valid';
}

/** "2030-06-14 12:00:00 UTC (1 day ago)" */
export function when(date: Date | undefined, now: Date): string {
  return date ? dateAndRelative(date, now) : 'an unreadable date';
}

/** "CN=CAPF-7f0ae8d7" — the CN, else the whole subject. */
export function certName(cert: CertificateSummary): string {
  const cn = cert.subject.attributes.find((a) => a.name === 'CN')?.value;
  return cn ? `CN=${cn}` : cert.subject.rfc4514 || '(empty subject)';
}

/** What a CAPF certificate lacks for CUCM 14SU2 and later: CA:TRUE and keyCertSign. */
export function missingCapfCaFlags(cert: CertificateSummary): string[] {
  const missing: string[] = [];
  if (!cert.basicConstraints?.ca) missing.push('basicConstraints CA:TRUE');
  if (!cert.keyUsage?.includes('keyCertSign')) missing.push('keyUsage keyCertSign');
  return missing;
}

export function notCaMessage(what: string, cert: CertificateSummary, missing: string[]): string {
  return `${what} (${certName(cert)}) lacks ${missing.join(' and ')}. From CUCM 14SU2 on, the CAPF certificate must carry basicConstraints CA:TRUE (pathlen:0) and keyUsage digitalSignature and keyCertSign; without them the TLS connection to CAPF fails and phones cannot install or upgrade their LSC. Regenerate the CAPF certificate on a current release (Cisco Unified OS Administration > Security > Certificate Management), then restart the Cisco TFTP service on all TFTP servers so the ITL carries the new one.`;
}
