/** A certificate file as found on disk: PEM (one or many blocks, text around them) or DER. */
import { tooLargeToDecodeMessage } from '../decodeLimit';
import { decodeCertificate } from './decodeCertificate';
import { CertificateDecodeResult, CertificateProblem } from './model';
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
  /** problems of the file as a whole (it was not decoded: too large); spans are byte offsets of the file */
  problems: CertificateProblem[];
}

export interface CertificateFileOptions {
  /** larger files are not decoded (the language server passes EDITOR_MAX_DECODED_BYTES; default: no limit) */
  maxBytes?: number;
  /** PEM blocks read at most (default MAX_PEM_BLOCKS) */
  maxBlocks?: number;
}

const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);

/**
 * PEM blocks read at most; the rest of a file that holds more is not read (and a problem says so). Large CA
 * bundles hold a few hundred certificates; the limit bounds the work a crafted file of empty blocks costs.
 */
export const MAX_PEM_BLOCKS = 300;

export function decodeCertificateFile(bytes: Buffer, options: CertificateFileOptions = {}): CertificateFile {
  const format = looksLikePem(bytes) ? 'pem' : 'der';
  const maxBytes = options.maxBytes ?? Infinity;
  if (bytes.length > maxBytes) {
    const problem: CertificateProblem = { code: 'file-too-large-to-decode', message: tooLargeToDecodeMessage(bytes.length, maxBytes), span: { start: 0, end: bytes.length } };
    return { format, entries: [], otherBlocks: [], problems: [problem] };
  }
  if (format === 'pem') {
    const maxBlocks = options.maxBlocks ?? MAX_PEM_BLOCKS;
    const blocks = findPemBlocks(bytes.toString('utf8'), { maxBlocks: maxBlocks + 1 });
    const problems: CertificateProblem[] = [];
    if (blocks.length > maxBlocks) {
      const next = blocks.pop()!;
      problems.push({
        code: 'pem-too-many-blocks',
        message: `ITL Lens read the first ${maxBlocks.toLocaleString('en-US')} PEM blocks and stopped at line ${next.startLine + 1}: the rest of the file was not read. Split the bundle into files of fewer certificates.`,
        span: { start: 0, end: bytes.length },
      });
    }
    return {
      format,
      entries: blocks.filter((b) => CERT_LABELS.has(b.label)).map((pem) => ({ pem, result: decodeCertificate(pem.der) })),
      otherBlocks: blocks.filter((b) => !CERT_LABELS.has(b.label)),
      problems,
    };
  }
  return { format, entries: [{ result: decodeCertificate(bytes) }], otherBlocks: [], problems: [] };
}
