/**
 * What the workspace index keeps per file, and the whole decoded model a view or a hover works on.
 *
 * The index keeps a summary (IndexedFile): only what the rules, the cross-file lookups and the diagnostics'
 * positions read — kinds, names, roles, validity dates, key types, byte ranges of elements and PEM blocks, the
 * signature verdict, each certificate's identity. No file bytes, no element values, no certificate fields'
 * text: a cluster's TFTP export is tens of thousands of files. The whole model (DecodedFile) is decoded again
 * from the file when a view, a hover or a definition needs it (workspace/decodeFile.ts); it is a structural
 * superset of the summary, so every rule also runs on it.
 *
 * A new kind of file: add its summary to the IndexedFile union (with `kind`, `uri`, `path`, `contentKey`),
 * its whole model to DecodedFile, a summariser in fileSummary.ts, and its identities in identitiesOf there.
 */
import { CertificateFile } from '../core/cert/certificateFile';
import { BasicConstraints, ByteSpan, CertificateProblem, DecodedCertificate } from '../core/cert/model';
import { PemBlock } from '../core/cert/pem';
import { ByteRange, TlvProblem, TrustList, TrustRecord } from '../core/tlv/model';
import { SignatureCheck, SignatureStatus } from '../core/tlv/verify';
import { TextPosition } from '../rules/sourceLocation';
import { CertificateIdentity } from './identity';

// ---- trust lists ----

/** An element's place in the file (diagnostics and references point at elements by tag). */
export interface ElementOutline {
  tag: number;
  offset: number;
  range: ByteRange;
  children?: ElementOutline[];
}

export interface RecordOutline {
  /** 1-based, as `show itl` numbers them */
  index: number;
  range: ByteRange;
  elements: ElementOutline[];
  role?: number;
  roleName?: string;
  subject?: string;
  issuer?: string;
  /** a copy (it does not hold the file) */
  serial?: Buffer;
}

export interface TrustListOutline {
  kind: TrustList['kind'];
  size: number;
  header: {
    range: ByteRange;
    elements: ElementOutline[];
    signerName?: string;
    signerSerial?: Buffer;
    signerVersion?: string;
    /** the SIGNATURE element's place, when there is one */
    signature?: { range: ByteRange };
  };
  records: RecordOutline[];
  problems: TlvProblem[];
}

export interface SignatureOutline {
  status: SignatureStatus;
  signer?: RecordOutline;
  hashName?: string;
  message: string;
}

/** A certificate as the rules see it: names, serial, validity, key type and size, CA flags, field spans. */
export interface CertificateSummary {
  der: { length: number };
  serialHex: string;
  signatureAlgorithm: string;
  subject: { rfc4514: string; cucm: string; attributes: Array<{ name: string; value: string }> };
  issuer: { rfc4514: string; cucm: string };
  notBefore?: Date;
  notAfter?: Date;
  publicKey: { type: string; bits: number };
  basicConstraints?: BasicConstraints;
  keyUsage?: string[];
  selfIssued: boolean;
  /** the spans of the fields diagnostics point at (validity, key, CA extensions) */
  fields: Array<{ path: string; span: ByteSpan }>;
}

export interface IndexedRecord {
  record: RecordOutline;
  /** the embedded CERTIFICATE (undefined for hash-only records and unreadable certificates) */
  certificate?: CertificateSummary;
  /** the record carries a whole CERTIFICATE (readable or not) */
  embedsCertificate: boolean;
  /** the record's key is an EC key (its certificate's, or an uncompressed point in PUBLICKEY) */
  ecKey: boolean;
  identity: CertificateIdentity;
}

export interface IndexedTrustList {
  kind: 'trust-list';
  /** canonical source URI */
  uri: string;
  /** file-system path, when the URI is a file: URI */
  path?: string;
  /** SHA-256 of the file's bytes and the name's ITL/CTL hint: equal keys decode alike */
  contentKey: string;
  list: TrustListOutline;
  signature: SignatureOutline;
  records: IndexedRecord[];
}

// ---- certificate files ----

export interface PemOutline extends Pick<PemBlock, 'label' | 'start' | 'end' | 'startLine' | 'endLine' | 'badBase64' | 'unterminated'> {
  /** the block's range in the text */
  position: { start: TextPosition; end: TextPosition };
}

export interface IndexedCertificate {
  /** 0-based position in the file (PEM bundles hold several) */
  index: number;
  /** the PEM block it came from; undefined for DER files */
  pem?: PemOutline;
  /** undefined when the block or file is not a readable certificate */
  certificate?: CertificateSummary;
  /** what the decoder found wrong with it */
  problems: CertificateProblem[];
  identity: CertificateIdentity;
}

export interface IndexedCertificateFile {
  kind: 'certificate';
  uri: string;
  path?: string;
  /** SHA-256 of the file's bytes */
  contentKey: string;
  format: 'pem' | 'der';
  size: number;
  /** problems of the file as a whole (not decoded: too large), from the certificate file decoder */
  problems: CertificateProblem[];
  certificates: IndexedCertificate[];
}

/** What the index keeps per file. */
export type IndexedFile = IndexedTrustList | IndexedCertificateFile;

// ---- the whole decoded model (views, hovers, definitions) ----

export interface DecodedRecord extends IndexedRecord {
  record: TrustRecord;
  certificate?: DecodedCertificate;
}

export interface DecodedTrustList extends IndexedTrustList {
  bytes: Buffer;
  list: TrustList;
  signature: SignatureCheck;
  records: DecodedRecord[];
}

export interface DecodedCertificateEntry extends IndexedCertificate {
  pem?: PemOutline & PemBlock;
  certificate?: DecodedCertificate;
}

export interface DecodedCertificateFile extends IndexedCertificateFile {
  bytes: Buffer;
  /** the file as text, for PEM files (positions of blocks are character offsets into it) */
  text?: string;
  file: CertificateFile;
  certificates: DecodedCertificateEntry[];
}

export type DecodedFile = DecodedTrustList | DecodedCertificateFile;

// ---- what index lookups return ----

/** A certificate found in a certificate file. */
export interface CertificateRef {
  file: IndexedCertificateFile;
  cert: IndexedCertificate & { certificate: CertificateSummary };
}

/** A record found in a trust list. */
export interface RecordRef {
  file: IndexedTrustList;
  record: IndexedRecord;
}

