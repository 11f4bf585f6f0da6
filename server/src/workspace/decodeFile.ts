/** Turns the bytes of a workspace file into an IndexedFile: decode, verify, and compute certificate identities. */
import { createHash } from 'node:crypto';
import { decodeCertificateFile } from '../core/cert/certificateFile';
import { decodeTrustList, trustListKindFromName } from '../core/tlv/decode';
import { TrustList } from '../core/tlv/model';
import { verifyTrustList } from '../core/tlv/verify';
import { classifyFile } from '../engine/fileKinds';
import { certificateIdentity, recordIdentity } from './identity';
import { decodeCertificateCached } from './certificateCache';
import { IndexedCertificate, IndexedCertificateFile, IndexedFile, IndexedRecord, IndexedTrustList } from './indexedFile';

export interface FileSource {
  /** canonical URI */
  uri: string;
  path?: string;
  /** the name used to tell the kind of file (its path or URI) */
  name: string;
  bytes: Buffer;
  /** files larger than this are not decoded (the language server passes EDITOR_MAX_DECODED_BYTES; default: no limit) */
  maxBytes?: number;
}

/** Decodes a trust list or certificate file; undefined when the file is neither. Never throws. */
export function decodeWorkspaceFile(src: FileSource): IndexedFile | undefined {
  const kind = classifyFile(src.name, src.bytes);
  if (kind === 'trust-list') return decodeTrustListFile(src);
  if (kind === 'certificate') return decodeCertificateSource(src);
  return undefined;
}

/**
 * Decoded trust lists by content (SHA-256) and the ITL/CTL hint of the file name: per-device ITLSEP<MAC>.tlv
 * files are often byte-identical copies of ITLFile.tlv, and are then decoded and verified once.
 */
const MAX_CACHED_TRUST_LISTS = 2_000;
const trustListCache = new Map<string, Pick<IndexedTrustList, 'list' | 'signature' | 'records'>>();

export function decodeTrustListFile(src: FileSource): IndexedTrustList {
  if (src.bytes.length > (src.maxBytes ?? Infinity)) return decodedTrustList(src, decodeTrustList(src.bytes, src.name, { maxBytes: src.maxBytes }));
  // The name's part of the key is the decoder's own fallback rule, so files that decode alike share an entry.
  const key = `${createHash('sha256').update(src.bytes).digest('hex')}:${trustListKindFromName(src.name)}`;
  let decoded = trustListCache.get(key);
  if (!decoded) {
    const { list, signature, records } = decodedTrustList(src, decodeTrustList(src.bytes, src.name, { maxBytes: src.maxBytes }));
    decoded = { list, signature, records };
    if (trustListCache.size >= MAX_CACHED_TRUST_LISTS) trustListCache.delete(trustListCache.keys().next().value!);
    trustListCache.set(key, decoded);
  }
  return { kind: 'trust-list', uri: src.uri, path: src.path, bytes: src.bytes, ...decoded };
}

/** A decoded trust list with its signature check and its records' certificates and identities. */
function decodedTrustList(src: FileSource, list: TrustList): IndexedTrustList {
  const signature = verifyTrustList(src.bytes, list);
  const records: IndexedRecord[] = list.records.map((record) => {
    const cert = record.certificate ? decodeCertificateCached(record.certificate) : undefined;
    return { record, certificate: cert?.result.ok ? cert.result.certificate : undefined, identity: recordIdentity(record, cert?.sha1) };
  });
  return { kind: 'trust-list', uri: src.uri, path: src.path, bytes: src.bytes, list, signature, records };
}

/** Empties the trust-list cache (benchmarks measure decoding content the server has not seen). */
export function clearTrustListCache(): void {
  trustListCache.clear();
}

export function decodeCertificateSource(src: FileSource): IndexedCertificateFile {
  const file = decodeCertificateFile(src.bytes, { maxBytes: src.maxBytes });
  const certificates: IndexedCertificate[] = file.entries.map((entry, index) => {
    const certificate = entry.result.ok ? entry.result.certificate : undefined;
    return { index, pem: entry.pem, certificate, identity: certificate ? certificateIdentity(certificate) : {} };
  });
  return {
    kind: 'certificate',
    uri: src.uri,
    path: src.path,
    bytes: src.bytes,
    text: file.format === 'pem' ? src.bytes.toString('utf8') : undefined,
    file,
    certificates,
  };
}
