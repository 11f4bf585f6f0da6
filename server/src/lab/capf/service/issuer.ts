/** A certificate with its private key, decoded once: the CAPF certificate, the lab manufacturing CA. */
import { createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import { decodeCertificate } from '../../../core/cert/decodeCertificate';
import { DecodedCertificate } from '../../../core/cert/model';
import { toPem } from '../../../core/cert/pem';

export interface Issuer {
  der: Buffer;
  key: KeyObject;
  cert: DecodedCertificate;
  x509: X509Certificate;
  /** PEM of the certificate (what TLS serves) */
  pem: string;
}

export function makeIssuer(der: Buffer, key: KeyObject): Issuer {
  const decoded = decodeCertificate(der);
  if (!decoded.ok) throw new Error(`not a certificate: ${decoded.problems[0]?.message ?? 'unreadable'}`);
  const x509 = new X509Certificate(der);
  const certKey = x509.publicKey.export({ format: 'der', type: 'spki' });
  const privKey = createPublicKey(key).export({ format: 'der', type: 'spki' });
  if (!certKey.equals(privKey)) throw new Error(`the private key does not belong to the certificate ${decoded.certificate.subject.rfc4514}`);
  return { der: decoded.certificate.der, key, cert: decoded.certificate, x509, pem: toPem('CERTIFICATE', decoded.certificate.der) };
}

/** True when `child` names `issuer` as its issuer and its signature verifies with the issuer's key. */
export function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** True when `at` is inside the certificate's validity period. */
export function validAt(cert: X509Certificate, at: Date): boolean {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  return !Number.isNaN(from) && !Number.isNaN(to) && from <= at.getTime() && at.getTime() <= to;
}
