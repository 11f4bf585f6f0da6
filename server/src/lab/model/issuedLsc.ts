/**
 * What the lab records about an LSC it issued, as a person reads it (serial, names, validity, key, SHA-1):
 * the server writes it into the device's state, the phone checks the certificate it got against it, and the
 * status rows and hovers show it.
 */
import { decodeCertificate, hexColon } from '../../core/cert/decodeCertificate';
import { DecodedCertificate, PublicKeyInfo } from '../../core/cert/model';

export interface IssuedLscSummary {
  serialNumber: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  publicKey: string;
  sha1: string;
}

/** "RSA 2048", "EC P-256": a certificate's key, named as the device table names key sizes. */
export function describePublicKeyInfo(k: PublicKeyInfo): string {
  return k.type === 'RSA' ? `RSA ${k.bits}` : k.type === 'EC' ? `EC ${k.curve}` : `unknown ${k.algorithmOid}`;
}

export function summarizeDecoded(c: DecodedCertificate): IssuedLscSummary {
  return {
    serialNumber: c.serialHex,
    subject: c.subject.rfc4514,
    issuer: c.issuer.rfc4514,
    notBefore: c.notBefore?.toISOString() ?? '',
    notAfter: c.notAfter?.toISOString() ?? '',
    publicKey: describePublicKeyInfo(c.publicKey),
    sha1: hexColon(c.sha1),
  };
}

export function summarizeCertificate(der: Buffer): IssuedLscSummary {
  const decoded = decodeCertificate(der);
  if (!decoded.ok) throw new Error('not a certificate');
  return summarizeDecoded(decoded.certificate);
}
