/** The decoded model of a signed file (.sgn, .sha512, .enc.sgn): the .tlv-style header, then the payload. */
import { ByteRange, TlvProblem, TrustListHeader } from '../tlv/model';

export type SignedFileKind = 'sgn' | 'enc.sgn';

/** The `.enc.sgn` encryption header (reference part E). */
export interface EncryptionHeader {
  range: ByteRange;
  iv?: Buffer;
  /** `\r` bytes appended to the plaintext */
  paddingCount?: number;
  keyBits?: number;
  keyAlgorithm?: number;
  /** the AES key wrapped (RSA PKCS#1 v1.5) to the device certificate */
  wrappedKey?: Buffer;
  contentHashAlgorithm?: number;
  contentHash?: Buffer;
}

export interface XmlElement {
  name: string;
  /** "device/capfList/capf/phonePort" */
  path: string;
  depth: number;
  /** byte range in the file, start tag to end tag */
  range: ByteRange;
  /** trimmed text of an element without children */
  text?: string;
  children: XmlElement[];
}

export interface SignedPayload {
  range: ByteRange;
  bytes: Buffer;
  /** xml: XML text; text: other text; binary: anything else; encrypted: an .enc.sgn payload */
  type: 'xml' | 'text' | 'binary' | 'encrypted';
  sha1: string;
  sha256: string;
  md5: string;
  /** the outline of an XML payload (top-level elements) */
  xml?: XmlElement[];
}

export interface SignedFile {
  kind: SignedFileKind;
  size: number;
  header: TrustListHeader;
  encryption?: EncryptionHeader;
  payload: SignedPayload;
  problems: TlvProblem[];
  /** set when the header held more elements than the decoder reads: the first byte not read (a problem says so) */
  stoppedAt?: number;
}
