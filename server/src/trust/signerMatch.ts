/**
 * How the trust model recognises a certificate: a header's signer against a record (issuer + serial, then the
 * key verifies), and two records as the same certificate (SHA-1 of the DER, else issuer + serial).
 * Name comparison lives in one function, sameDistinguishedName, so that a canonical-name function from
 * core/cert can replace it in one place.
 */
import { createHash, KeyObject, X509Certificate } from 'node:crypto';
import { sameDn } from '../core/cert/distinguishedName';
import { TrustListHeader, TrustRecord } from '../core/tlv/model';

/** CUCM's `;`-separated and tlvfile's `,`-separated spellings of a DN compare equal (case-insensitive types). */
export function sameDistinguishedName(a: string, b: string): boolean {
  return sameDn(a, b);
}

/** Serial numbers compare without leading zero bytes (DER INTEGERs may carry one). */
export function sameSerial(a: Buffer, b: Buffer): boolean {
  const strip = (x: Buffer) => {
    let i = 0;
    while (i < x.length - 1 && x[i] === 0) i++;
    return x.subarray(i);
  };
  return strip(a).equals(strip(b));
}

/** The record the header names: same serial, and same issuer when both carry one. */
export function headerNamesRecord(header: TrustListHeader, record: TrustRecord): boolean {
  if (!header.signerSerial || !record.serial || !sameSerial(header.signerSerial, record.serial)) return false;
  return !header.signerIssuer || !record.issuer || sameDistinguishedName(header.signerIssuer, record.issuer);
}

/** The lower-case hex SHA-1 of the certificate a record carries or names (CERTHASH of a hash-only record). */
export function recordCertificateSha1(record: TrustRecord): string | undefined {
  if (record.certificate) return createHash('sha1').update(record.certificate).digest('hex');
  if (record.certHash && record.certHash.length === 20) return record.certHash.toString('hex');
  return undefined;
}

/** Whether two records hold the same certificate: by SHA-1, else by issuer + serial. */
export function sameCertificate(a: TrustRecord, b: TrustRecord): boolean {
  const ha = recordCertificateSha1(a);
  const hb = recordCertificateSha1(b);
  if (ha && hb) return ha === hb;
  return !!(a.serial && b.serial && sameSerial(a.serial, b.serial) && a.issuer && b.issuer && sameDistinguishedName(a.issuer, b.issuer));
}

/** Whether a certificate (DER) is the one a record carries or names. */
export function recordHoldsCertificate(record: TrustRecord, der: Buffer): boolean {
  const sha1 = createHash('sha1').update(der).digest('hex');
  return recordCertificateSha1(record) === sha1;
}

/** The public key of a certificate (DER), or undefined when it is not a readable certificate. */
export function certificateKey(der: Buffer | undefined): KeyObject | undefined {
  if (!der) return undefined;
  try {
    return new X509Certificate(der).publicKey;
  } catch {
    return undefined;
  }
}
