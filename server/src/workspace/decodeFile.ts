/**
 * Turns the bytes of a workspace file into its whole decoded model (DecodedFile): decode, verify, and compute
 * certificate identities. Views, hovers and definitions use it; the index keeps a summary of it (fileSummary.ts).
 */
import { createHash } from 'node:crypto';
import { decodeCertificateFile } from '../core/cert/certificateFile';
import { decodeTrustList, trustListKindFromName } from '../core/tlv/decode';
import { TrustRecord } from '../core/tlv/model';
import { isUncompressedEcPoint } from '../core/tlv/tags';
import { SignatureCheck, verifyTrustList } from '../core/tlv/verify';
import { classifyFile } from './classifyFile';
import { certificateIdentity, recordIdentity } from './identity';
import { decodeCertificateCached } from './certificateCache';
import { DecodedCertificateEntry, DecodedCertificateFile, DecodedFile, DecodedRecord, DecodedTrustList, IndexedFile, SignatureOutline } from './indexedFile';

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
export function decodeWorkspaceFile(src: FileSource): DecodedFile | undefined {
  const kind = classifyFile(src.name, src.bytes);
  if (kind === 'trust-list') return decodeTrustListFile(src);
  if (kind === 'certificate') return decodeCertificateSource(src);
  return undefined;
}

/** SHA-256 of a file's bytes (a certificate file's content key). */
export function contentHash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The content key of a trust list: its bytes' hash and the ITL/CTL hint of its name (the decoder's fallback). */
export function trustListContentKey(src: Pick<FileSource, 'bytes' | 'name'>): string {
  return `${contentHash(src.bytes)}:${trustListKindFromName(src.name)}`;
}

/**
 * `known`, when given, is the signature check of these same bytes (a summary's), so a view drawn again does not
 * verify again: it returns the check with its signer looked up in the new decode.
 */
export function decodeTrustListFile(src: FileSource, contentKey = trustListContentKey(src), known?: SignatureOutline): DecodedTrustList {
  const list = decodeTrustList(src.bytes, src.name, { maxBytes: src.maxBytes });
  const signature: SignatureCheck = known
    ? { status: known.status, hashName: known.hashName, message: known.message, signer: known.signer && list.records[known.signer.index - 1] }
    : verifyTrustList(src.bytes, list);
  return { kind: 'trust-list', uri: src.uri, path: src.path, contentKey, bytes: src.bytes, list, signature, records: list.records.map(decodeRecord) };
}

/** A record with its embedded certificate decoded and its identity. */
export function decodeRecord(record: TrustRecord): DecodedRecord {
  const cert = record.certificate ? decodeCertificateCached(record.certificate) : undefined;
  const certificate = cert?.result.ok ? cert.result.certificate : undefined;
  const ecKey = certificate ? certificate.publicKey.type === 'EC' : !!record.publicKey && isUncompressedEcPoint(record.publicKey);
  return { record, certificate, embedsCertificate: !!record.certificate, ecKey, identity: recordIdentity(record, cert?.sha1) };
}


export function decodeCertificateSource(src: FileSource, contentKey = contentHash(src.bytes)): DecodedCertificateFile {
  const file = decodeCertificateFile(src.bytes, { maxBytes: src.maxBytes });
  const text = file.format === 'pem' ? src.bytes.toString('utf8') : undefined;
  const certificates: DecodedCertificateEntry[] = file.entries.map((entry, index) => {
    const certificate = entry.result.ok ? entry.result.certificate : undefined;
    const pem = entry.pem && text !== undefined ? { ...entry.pem, position: entry.pem.range } : undefined;
    return { index, pem, certificate, problems: entry.result.problems, identity: certificate ? certificateIdentity(certificate) : {} };
  });
  return { kind: 'certificate', uri: src.uri, path: src.path, contentKey, format: file.format, size: src.bytes.length, problems: file.problems, bytes: src.bytes, text, file, certificates };
}

/**
 * The whole model of an indexed file from its bytes as read again: when they are still the bytes the summary
 * was made of, the summary's signature check is reused (the file is not verified twice).
 */
export function decodeIndexedFile(summary: IndexedFile, bytes: Buffer, maxBytes?: number): DecodedFile | undefined {
  const src: FileSource = { uri: summary.uri, path: summary.path, name: summary.path ?? summary.uri, bytes, maxBytes };
  if (summary.kind !== 'trust-list') return decodeWorkspaceFile(src);
  const key = trustListContentKey(src);
  return decodeTrustListFile(src, key, key === summary.contentKey ? summary.signature : undefined);
}
