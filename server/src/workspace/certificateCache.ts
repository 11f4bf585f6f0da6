/**
 * Decoded certificates by content. The same certificates recur across a workspace's trust lists (every
 * ITLSEP<MAC>.tlv of a cluster carries the same SAST and TFTP certificates), so each is decoded once.
 * Keyed by SHA-256, not SHA-1: SHA-1 collisions can be crafted, and a security tool must not show one
 * certificate's decoding for another. Decoded certificates are never modified, so sharing them is safe.
 */
import { createHash } from 'node:crypto';
import { decodeCertificate } from '../core/cert/decodeCertificate';
import { CertificateDecodeResult } from '../core/cert/model';

/** Whole decoded certificates for views and decodes (the index keeps summaries of them: fileSummary.ts). */
const MAX_ENTRIES = 2_000;
const cache = new Map<string, CertificateDecodeResult>();

/** The decoded certificate and the SHA-1 of its DER (a trust list's CERTHASH). */
export function decodeCertificateCached(der: Buffer): { sha1: string; result: CertificateDecodeResult } {
  const key = createHash('sha256').update(der).digest('hex');
  let result = cache.get(key);
  if (!result) {
    result = decodeCertificate(der);
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(key, result);
  }
  const sha1 = result.ok && result.certificate.der.length === der.length ? result.certificate.sha1.toString('hex') : createHash('sha1').update(der).digest('hex');
  return { sha1, result };
}

/** Empties the cache (benchmarks measure the cold path with it). */
export function clearCertificateCache(): void {
  cache.clear();
}
