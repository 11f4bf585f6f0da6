/** The decoded form of an X.509 certificate, with the DER byte range of each field. */

export interface ByteSpan {
  /** first byte (inclusive) */
  start: number;
  /** one past the last byte */
  end: number;
}

export interface DnAttribute {
  oid: string;
  /** CN, OU, O, L, ST, C… or the dotted OID when unnamed */
  name: string;
  value: string;
  span: ByteSpan;
}

export interface DistinguishedName {
  /** attributes in DER order (C first for most certificates) */
  attributes: DnAttribute[];
  /** RFC 4514 style, most specific first: "CN=a,OU=b,O=c" */
  rfc4514: string;
  /** the form CUCM writes in trust lists: "CN=a;OU=b;O=c" */
  cucm: string;
  /** DER of the Name (for issuer/subject comparisons) */
  der: Buffer;
  span: ByteSpan;
}

export type PublicKeyInfo =
  | { type: 'RSA'; bits: number; exponent: number; modulus: Buffer; /** PKCS#1 RSAPublicKey DER, as in trust lists */ pkcs1: Buffer; span: ByteSpan }
  | { type: 'EC'; curve: 'P-256' | 'P-384' | 'P-521' | string; bits: number; /** X9.62 point */ point: Buffer; span: ByteSpan }
  | { type: 'unknown'; algorithmOid: string; bits: number; span: ByteSpan };

export interface CertExtension {
  oid: string;
  name: string;
  critical: boolean;
  span: ByteSpan;
  /** human text, openssl-like */
  text: string;
}

export interface BasicConstraints {
  ca: boolean;
  pathLength?: number;
}

export interface CertificateField {
  /** e.g. "version", "serialNumber", "issuer", "validity.notBefore" */
  path: string;
  label: string;
  span: ByteSpan;
  text: string;
}

export interface DecodedCertificate {
  der: Buffer;
  version: number;
  serial: Buffer;
  /** colon-separated upper-case hex, as CUCM prints serials */
  serialHex: string;
  signatureAlgorithm: string;
  signatureAlgorithmOid: string;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  notBefore?: Date;
  notAfter?: Date;
  publicKey: PublicKeyInfo;
  extensions: CertExtension[];
  basicConstraints?: BasicConstraints;
  keyUsage?: string[];
  extendedKeyUsage?: string[];
  subjectAltNames?: string[];
  signature: Buffer;
  /** SHA-1 of the DER: the trust list's CERTHASH */
  sha1: Buffer;
  sha256: Buffer;
  selfIssued: boolean;
  /** every field with its byte range, in DER order */
  fields: CertificateField[];
}

export interface CertificateProblem {
  code: 'cert-malformed' | 'cert-truncated' | 'pem-bad-base64' | 'pem-unterminated' | 'pem-too-many-blocks' | 'file-too-large-to-decode';
  message: string;
  span: ByteSpan;
}

export type CertificateDecodeResult =
  | { ok: true; certificate: DecodedCertificate; problems: CertificateProblem[] }
  | { ok: false; problems: CertificateProblem[] };
