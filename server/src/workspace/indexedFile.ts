/** What the workspace index keeps per file: the decoded model, the signature check and each certificate's identity. */
import { CertificateFile } from '../core/cert/certificateFile';
import { DecodedCertificate } from '../core/cert/model';
import { PemBlock } from '../core/cert/pem';
import { TrustList, TrustRecord } from '../core/tlv/model';
import { SignatureCheck } from '../core/tlv/verify';
import { CertificateIdentity } from './identity';

export interface IndexedRecord {
  record: TrustRecord;
  /** the embedded CERTIFICATE, decoded (undefined for hash-only records and unreadable certificates) */
  certificate?: DecodedCertificate;
  identity: CertificateIdentity;
}

export interface IndexedTrustList {
  kind: 'trust-list';
  /** canonical source URI */
  uri: string;
  /** file-system path, when the URI is a file: URI */
  path?: string;
  bytes: Buffer;
  list: TrustList;
  signature: SignatureCheck;
  records: IndexedRecord[];
}

export interface IndexedCertificate {
  /** 0-based position in the file (PEM bundles hold several) */
  index: number;
  /** the PEM block it came from; undefined for DER files */
  pem?: PemBlock;
  /** undefined when the block or file is not a readable certificate */
  certificate?: DecodedCertificate;
  identity: CertificateIdentity;
}

export interface IndexedCertificateFile {
  kind: 'certificate';
  uri: string;
  path?: string;
  bytes: Buffer;
  /** the file as text, for PEM files (positions of blocks are character offsets into it) */
  text?: string;
  file: CertificateFile;
  certificates: IndexedCertificate[];
}

export type IndexedFile = IndexedTrustList | IndexedCertificateFile;

/** A certificate found in a certificate file. */
export interface CertificateRef {
  file: IndexedCertificateFile;
  cert: IndexedCertificate & { certificate: DecodedCertificate };
}

/** A record found in a trust list. */
export interface RecordRef {
  file: IndexedTrustList;
  record: IndexedRecord;
}
