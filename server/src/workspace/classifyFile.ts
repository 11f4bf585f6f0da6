/** Which decoder a file wants: trust list (.tlv) or certificate (PEM/DER), by its name, else by its first bytes. */
import { looksLikePem } from '../core/cert/pem';
import { isCertificateFilePath, isSignedFilePath, isTrustListPath } from '../shared/fileKinds';

export type FileKind = 'trust-list' | 'certificate' | 'unknown';

export function classifyFile(fileName: string, bytes?: Buffer): FileKind {
  if (isTrustListPath(fileName)) return 'trust-list';
  if (isCertificateFilePath(fileName)) return 'certificate';
  // a signed file's header looks like a trust list's: it has its own decoder (core/sgn), never this one's
  if (isSignedFilePath(fileName)) return 'unknown';
  if (!bytes || bytes.length === 0) return 'unknown';
  if (looksLikePem(bytes)) return 'certificate';
  // A trust list starts with VERSION (tag 1, length 2); a DER certificate with SEQUENCE 0x30 0x82.
  if (bytes.length >= 5 && bytes[0] === 1 && bytes[1] === 0 && bytes[2] === 2) return 'trust-list';
  if (bytes[0] === 0x30) return 'certificate';
  return 'unknown';
}
