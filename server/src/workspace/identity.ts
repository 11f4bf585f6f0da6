/**
 * How certificates are recognised across files: by SHA-1 of the DER (a record's CERTIFICATE or CERTHASH),
 * by issuer + serial number, and by subject. Names are keyed by core/cert/distinguishedName.ts, so that a
 * name written by CUCM (`;`, CN first), by tlvfile (certificate order) or by any other tool compares equal to
 * the certificate's own subject or issuer when it holds the same attributes.
 */
import { dnKeyOfName, dnKeyOfText } from '../core/cert/distinguishedName';
import { DecodedCertificate, DistinguishedName } from '../core/cert/model';
import { TrustRecord } from '../core/tlv/model';

export interface CertificateIdentity {
  /** lower-case hex SHA-1 of the DER, when known */
  sha1?: string;
  /** normalised issuer DN + serial, when both are known */
  issuerSerial?: string;
  /** normalised subject DN */
  subject?: string;
}

const dnKeys = new Map<string, string>();
const MAX_DN_KEYS = 10_000;

/**
 * A DN in a comparable form, written (a trust list's SUBJECTNAME, ISSUERNAME…) or decoded (a certificate's
 * subject or issuer): every spelling of the same set of attributes gives the same key. Written names are
 * memoised: they recur.
 */
export function dnKey(dn: string | DistinguishedName): string {
  if (typeof dn !== 'string') return dnKeyOfName(dn);
  let key = dnKeys.get(dn);
  if (key === undefined) {
    key = dnKeyOfText(dn);
    if (dnKeys.size >= MAX_DN_KEYS) dnKeys.clear();
    dnKeys.set(dn, key);
  }
  return key;
}

/** Serial numbers compare without leading zero bytes (DER INTEGERs may carry one). */
export function serialKey(serial: Buffer): string {
  let i = 0;
  while (i < serial.length - 1 && serial[i] === 0) i++;
  return serial.subarray(i).toString('hex');
}

export function issuerSerialKey(issuer: string | DistinguishedName, serial: Buffer): string {
  return `${dnKey(issuer)}#${serialKey(serial)}`;
}

export function certificateIdentity(cert: DecodedCertificate): CertificateIdentity {
  return {
    sha1: cert.sha1.toString('hex'),
    issuerSerial: issuerSerialKey(cert.issuer, cert.serial),
    subject: dnKey(cert.subject),
  };
}

/**
 * The identity of the certificate a trust-list record carries (whole) or names (by hash, issuer and serial).
 * `certificateSha1` is the lower-case hex SHA-1 of the record's CERTIFICATE, which the caller computes (it
 * decodes that certificate anyway); it is required when the record has one and ignored when it has none.
 */
export function recordIdentity(record: TrustRecord, certificateSha1: string | undefined): CertificateIdentity {
  let sha1: string | undefined;
  if (record.certificate) sha1 = certificateSha1;
  else if (record.certHash && record.certHash.length === 20) sha1 = record.certHash.toString('hex');
  return {
    sha1,
    issuerSerial: record.issuer && record.serial ? issuerSerialKey(record.issuer, record.serial) : undefined,
    subject: record.subject ? dnKey(record.subject) : undefined,
  };
}

/**
 * True when a record and a certificate are the same certificate: by SHA-1 when the record has a hash or the
 * whole certificate, else by issuer + serial.
 */
export function sameCertificate(record: CertificateIdentity, cert: CertificateIdentity): boolean {
  if (record.sha1 && cert.sha1) return record.sha1 === cert.sha1;
  return !!record.issuerSerial && record.issuerSerial === cert.issuerSerial;
}

/** Keys by identity: identities are shared by the files that carry the same record or certificate. */
const keysOf = new WeakMap<CertificateIdentity, string[]>();

/** The index keys an identity is filed under (typed prefixes keep the three key spaces apart). Do not modify. */
export function identityKeys(id: CertificateIdentity): string[] {
  let keys = keysOf.get(id);
  if (!keys) {
    keys = keysFor(id);
    keysOf.set(id, keys);
  }
  return keys;
}

function keysFor(id: CertificateIdentity): string[] {
  const keys: string[] = [];
  if (id.sha1) keys.push(`sha1:${id.sha1}`);
  if (id.issuerSerial) keys.push(`is:${id.issuerSerial}`);
  if (id.subject) keys.push(`subject:${id.subject}`);
  return keys;
}
