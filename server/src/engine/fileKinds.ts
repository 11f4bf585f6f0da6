/** Which decoder a file wants: trust list (.tlv) or certificate (PEM/DER). */
import { looksLikePem } from '../core/cert/pem';

export type FileKind = 'trust-list' | 'certificate' | 'unknown';

/** File extensions (lower case, no dot) of trust lists and of certificate files: the one list everything uses. */
export const TRUST_LIST_EXTENSIONS = ['tlv'] as const;
export const CERTIFICATE_EXTENSIONS = ['pem', 'crt', 'cer', 'der'] as const;

/** The text after the last dot of the name ("ITLFile.tlv" → "tlv", ".cer" → "cer"), lower case. */
function extensionOf(p: string): string {
  return /\.([^./\\]+)$/.exec(p)?.[1].toLowerCase() ?? '';
}

export function isTrustListPath(p: string): boolean {
  return (TRUST_LIST_EXTENSIONS as readonly string[]).includes(extensionOf(p));
}

export function isCertificateFilePath(p: string): boolean {
  return (CERTIFICATE_EXTENSIONS as readonly string[]).includes(extensionOf(p));
}

export function classifyFile(fileName: string, bytes?: Buffer): FileKind {
  if (isTrustListPath(fileName)) return 'trust-list';
  if (isCertificateFilePath(fileName)) return 'certificate';
  if (!bytes || bytes.length === 0) return 'unknown';
  if (looksLikePem(bytes)) return 'certificate';
  // A trust list starts with VERSION (tag 1, length 2); a DER certificate with SEQUENCE 0x30 0x82.
  if (bytes.length >= 5 && bytes[0] === 1 && bytes[1] === 0 && bytes[2] === 2) return 'trust-list';
  if (bytes[0] === 0x30) return 'certificate';
  return 'unknown';
}
