/** The typed model of a decoded .tlv trust list. Every element keeps its byte position. */
import { dnAttribute } from '../cert/distinguishedName';

export interface ByteRange {
  /** first byte (inclusive) */
  start: number;
  /** one past the last byte */
  end: number;
}

export type Severity = 'error' | 'warning' | 'info';

/** Stable codes for structural faults found by the codec. */
export type TlvProblemCode =
  | 'file-empty'
  | 'tlv-truncated'
  | 'tlv-bad-length'
  | 'tlv-unknown-tag'
  | 'tlv-bad-value'
  | 'tlv-duplicate-tag'
  | 'header-length-mismatch'
  | 'header-length-unaligned'
  | 'header-missing-element'
  | 'record-length-mismatch'
  | 'record-missing-element'
  | 'trailing-bytes'
  | 'tlv-too-many-records'
  | 'tlv-too-many-elements'
  | 'file-too-large-to-decode';

export interface TlvProblem {
  code: TlvProblemCode;
  severity: Severity;
  message: string;
  range: ByteRange;
}

export type ElementValue =
  | { kind: 'string'; text: string }
  | { kind: 'u16'; value: number }
  | { kind: 'u32'; value: number }
  | { kind: 'u8'; value: number }
  | { kind: 'version'; major: number; minor: number }
  | { kind: 'bytes' }
  | { kind: 'container' }
  | { kind: 'padding' }
  | { kind: 'role'; code: number; name: string }
  | { kind: 'hashAlgorithm'; code: number; name: string }
  | { kind: 'timestamp'; seconds: number; date: string }
  | { kind: 'ip'; text: string };

export interface TlvElement {
  /** offset of the tag byte */
  offset: number;
  tag: number;
  /** CUCM's name for the tag (e.g. SUBJECTNAME), or UNKNOWN(n) */
  name: string;
  /** the length field as written (1 for PADDING, which has none) */
  length: number;
  /** offset of the value */
  valueOffset: number;
  /** value bytes actually present (shorter than `length` when truncated) */
  raw: Buffer;
  value: ElementValue;
  /** the element's whole range, tag to end of value (cut at end of file) */
  range: ByteRange;
  /** the inline children of a container (SIGNERID, SIGNATUREINFO, SIGNATUREALGOINFO) */
  children?: TlvElement[];
  truncated: boolean;
}

export interface TrustListHeader {
  range: ByteRange;
  elements: TlvElement[];
  version?: string;
  headerLength?: number;
  signerName?: string;
  signerIssuer?: string;
  signerSerial?: Buffer;
  hashAlgorithm?: number;
  signatureAlgorithm?: number;
  signatureModulus?: number;
  signature?: TlvElement;
  filename?: string;
  timestamp?: number;
  signerVersion?: string;
}

export interface TrustRecord {
  /** 1-based, as `show itl` numbers them */
  index: number;
  range: ByteRange;
  elements: TlvElement[];
  recordLength?: number;
  dnsName?: string;
  subject?: string;
  role?: number;
  roleName?: string;
  issuer?: string;
  serial?: Buffer;
  publicKey?: Buffer;
  signature?: Buffer;
  certificate?: Buffer;
  ipAddress?: string;
  certHash?: Buffer;
  certHashAlgorithm?: number;
}

export interface TrustList {
  /** ITL or CTL from the FILENAME element (or the file name as a fallback) */
  kind: 'ITL' | 'CTL' | 'TLV';
  size: number;
  header: TrustListHeader;
  records: TrustRecord[];
  problems: TlvProblem[];
  /**
   * Set when decoding stopped before the end of the file (too large, too many records): the byte offset of
   * the first byte not read. A problem says why; the records after it are missing and the file is not verified.
   */
  stoppedAt?: number;
}

/** Looks up the first element with `tag` (depth-first through containers). */
export function findElement<E extends { tag: number; children?: E[] }>(elements: E[], tag: number): E | undefined {
  for (const e of elements) {
    if (e.tag === tag) return e;
    if (e.children) {
      const c = findElement(e.children, tag);
      if (c) return c;
    }
  }
  return undefined;
}

/** The CN of a record's SUBJECTNAME ("CAPF-7f0ae8d7" of "CN=CAPF-7f0ae8d7;OU=…" or of "C=US,…,CN=CAPF-7f0ae8d7"). */
export function recordCommonName(record: Pick<TrustRecord, 'subject'>): string | undefined {
  return record.subject === undefined ? undefined : dnAttribute(record.subject, 'CN');
}
