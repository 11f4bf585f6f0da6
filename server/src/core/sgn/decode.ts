/**
 * Decoder for signed files: `.sgn` (SEP<MAC>.cnf.xml.sgn, locale and ring-list files), `.sha512` and `.enc.sgn`.
 * The header is the .tlv header (reference part E: the same TLVs), decoded by core/tlv's header decoder; the
 * payload follows HEADERLENGTH unchanged. Pure and total: it never throws.
 */
import { createHash } from 'node:crypto';
import { decodeHeader, MAX_DECODED_ELEMENTS, Problems, stoppedEarly } from '../tlv/decode';
import { findElement, TlvElement, TrustListHeader } from '../tlv/model';
import { HeaderTag } from '../tlv/tags';
import { EncryptionHeader, SignedFile, SignedFileKind, SignedPayload } from './model';
import { EncryptionTag, SIGNED_FILE_HEADER } from './tags';
import { xmlOutline } from './xmlOutline';

function encryptionHeader(header: TrustListHeader): EncryptionHeader | undefined {
  const info = findElement(header.elements, EncryptionTag.ENCRYPTION_INFO);
  if (!info) return undefined;
  const get = (tag: number): TlvElement | undefined => {
    const e = findElement(header.elements, tag);
    return e && !e.truncated ? e : undefined;
  };
  const num = (tag: number): number | undefined => {
    const v = get(tag)?.value;
    return v && (v.kind === 'u8' || v.kind === 'u16' || v.kind === 'hashAlgorithm') ? (v.kind === 'hashAlgorithm' ? v.code : v.value) : undefined;
  };
  return {
    range: info.range,
    iv: get(EncryptionTag.IV)?.raw,
    paddingCount: num(EncryptionTag.IV_PADDING),
    keyBits: num(EncryptionTag.KEY_SIZE),
    keyAlgorithm: num(EncryptionTag.KEY_ALGORITHM),
    wrappedKey: get(EncryptionTag.ENCRYPTED_KEY)?.raw,
    contentHashAlgorithm: num(EncryptionTag.CONTENT_HASH_ALGORITHM),
    contentHash: get(EncryptionTag.CONTENT_HASH)?.raw,
  };
}

function payloadType(bytes: Buffer, encrypted: boolean): SignedPayload['type'] {
  if (encrypted) return 'encrypted';
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  if (bytes[i] === 0x3c) return 'xml';
  const sample = bytes.subarray(0, 512);
  return sample.length > 0 && sample.every((b) => b === 9 || b === 10 || b === 13 || (b >= 0x20 && b !== 0x7f)) ? 'text' : 'binary';
}

export function describePayload(bytes: Buffer, start: number, encrypted: boolean): SignedPayload {
  const type = payloadType(bytes, encrypted);
  const digest = (alg: string) => createHash(alg).update(bytes).digest('hex');
  return {
    range: { start, end: start + bytes.length },
    bytes,
    type,
    sha1: digest('sha1'),
    sha256: digest('sha256'),
    md5: digest('md5'),
    ...(type === 'xml' ? { xml: xmlOutline(bytes, start) } : {}),
  };
}

function kindOf(header: TrustListHeader, fileName: string | undefined): SignedFileKind {
  if (/\.enc\.sgn$/i.test(fileName ?? '')) return 'enc.sgn';
  if (findElement(header.elements, EncryptionTag.ENCRYPTION_INFO) || header.version?.startsWith('2.')) return 'enc.sgn';
  return 'sgn';
}

export function decodeSignedFile(bytes: Uint8Array, fileName?: string): SignedFile {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const problems = new Problems(buf.length, MAX_DECODED_ELEMENTS);
  if (buf.length === 0) {
    problems.add('file-empty', 'error', 'The file is empty (0 bytes): phones cannot verify it and ignore it. Copy the file again from the TFTP server.', { start: 0, end: 0 });
    return { kind: kindOf({ range: { start: 0, end: 0 }, elements: [] }, fileName), size: 0, header: { range: { start: 0, end: 0 }, elements: [] }, payload: describePayload(buf, 0, false), problems: problems.finish() };
  }
  const header = decodeHeader(buf, problems, SIGNED_FILE_HEADER);
  const kind = kindOf(header, fileName);
  const expected = kind === 'enc.sgn' ? '2.0' : '1.0';
  const versionElement = findElement(header.elements, HeaderTag.VERSION);
  if (header.version && header.version !== expected && versionElement) {
    problems.add('tlv-bad-value', 'warning', `VERSION ${header.version}: a ${kind === 'enc.sgn' ? 'encrypted configuration file (.enc.sgn)' : 'signed file (.sgn)'} carries ${expected}.`, versionElement.range);
  }
  const start = Math.min(buf.length, header.headerLength !== undefined && header.headerLength >= header.range.end ? header.headerLength : header.range.end);
  const encryption = kind === 'enc.sgn' ? encryptionHeader(header) : undefined;
  if (kind === 'enc.sgn' && !encryption?.wrappedKey) {
    problems.add('header-missing-element', 'error', 'The encrypted file has no ENCRYPTEDKEY: no phone can decrypt it.', { start: 0, end: Math.max(1, header.range.end) });
  }
  const list = problems.finish();
  // A header of more elements than the decoder reads: the payload's start is unknown, so no payload is described.
  if (problems.stoppedAt !== undefined) {
    list.push(stoppedEarly('elements', MAX_DECODED_ELEMENTS, problems.stoppedAt, buf.length));
    return { kind, size: buf.length, header, encryption, payload: describePayload(Buffer.alloc(0), problems.stoppedAt, kind === 'enc.sgn'), problems: list, stoppedAt: problems.stoppedAt };
  }
  return { kind, size: buf.length, header, encryption, payload: describePayload(buf.subarray(start), start, kind === 'enc.sgn'), problems: list };
}
