/** A certificate file as found on disk: PEM (one or many blocks, text around them) or DER. */
import { decodeCertificate } from './decodeCertificate';
import { CertificateDecodeResult } from './model';
import { findPemBlocks, looksLikePem, PemBlock } from './pem';

export interface CertificateFileEntry {
  /** the PEM block it came from (undefined for DER files) */
  pem?: PemBlock;
  result: CertificateDecodeResult;
}

export interface CertificateFile {
  format: 'pem' | 'der';
  entries: CertificateFileEntry[];
  /** PEM blocks that are not certificates (private keys, CSRs…) */
  otherBlocks: PemBlock[];
}

const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);

export function decodeCertificateFile(bytes: Buffer): CertificateFile {
  if (looksLikePem(bytes)) {
    const text = bytes.toString('utf8');
    const blocks = findPemBlocks(text);
    return {
      format: 'pem',
      entries: blocks.filter((b) => CERT_LABELS.has(b.label)).map((pem) => ({ pem, result: decodeCertificate(pem.der) })),
      otherBlocks: blocks.filter((b) => !CERT_LABELS.has(b.label)),
    };
  }
  return { format: 'der', entries: [{ result: decodeCertificate(bytes) }], otherBlocks: [] };
}
