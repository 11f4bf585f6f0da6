/**
 * Builds and signs a .tlv trust list the way CUCM lays it out (ascending record tags, `;` DNs most specific
 * first, header padded to 4), or the way usecallmanagernz tlvfile does (TLVFILE_LAYOUT).
 */
import { createHash, KeyObject, sign as cryptoSign, createPublicKey } from 'node:crypto';
import { decodeCertificate } from '../cert/decodeCertificate';
import { DecodedCertificate } from '../cert/model';
import { CUCM_DN_STYLE, DnStyle, formatDn } from '../cert/distinguishedName';
import { HeaderTag, RecordTag } from './tags';
import { container, cstring, element, u16, u32, u8, version } from './encode';

export type DigestName = 'sha1' | 'sha256' | 'sha512';
const DIGEST_CODES: Record<DigestName, number> = { sha1: 1, sha256: 2, sha512: 3 };

export interface RecordSpec {
  /** FUNCTION code (0 SAST, 1 CCM, 2 CCM+TFTP, 3 TFTP, 4 CAPF, 7 APP-SERVER, 21 TVS) */
  role: number;
  /** DER certificate */
  certificate: Buffer;
  /** write PUBLICKEY/SIGNATURE/CERTHASH without the CERTIFICATE, as CUCM does for CAPF and TVS */
  hashOnly?: boolean;
  dnsName?: string;
  /** dotted IPv4 */
  ipAddress?: string;
  /** hash code written in HASH ALGORITHM of a hash-only record (default 1 = SHA-1) */
  certHashAlgorithm?: number;
}

/** How a builder writes names and orders record elements. */
export interface TlvLayout {
  /** how SUBJECTNAME, ISSUERNAME, SIGNERNAME and CANAME are written */
  names: DnStyle;
  /** 'ascending' (CUCM: tags 1, 2, 3 … 12) or 'tlvfile' (1, 3, 5, 6, 4, 7, 8, 9, then any others ascending) */
  recordTagOrder: 'ascending' | 'tlvfile';
  /** a record without a DNS name: 'two-nul' (CUCM's empty DNSNAME, as the reference shows) or 'omit' (tlvfile) */
  emptyDnsName: 'two-nul' | 'omit';
}

export const CUCM_LAYOUT: TlvLayout = { names: CUCM_DN_STYLE, recordTagOrder: 'ascending', emptyDnsName: 'two-nul' };

/**
 * The reference's account of tlvfile (formats-and-protocol.md part A): record tags 1, 3, 5, 6, 4, 7, 8, 9 and
 * comma-separated names; the issue that asked for this layout says the names are in the certificate's own
 * order (C first). Values are escaped as RFC 4514 says, as the tlvfile source writes each attribute, and it
 * writes no DNSNAME [F tlvfile].
 */
export const TLVFILE_LAYOUT: TlvLayout = { names: { separator: ',', order: 'certificate', escape: true }, recordTagOrder: 'tlvfile', emptyDnsName: 'omit' };

/** The layouts by the name the CLI's --layout takes. */
export const TLV_LAYOUTS = { cucm: CUCM_LAYOUT, tlvfile: TLVFILE_LAYOUT } as const;
export type TlvLayoutName = keyof typeof TLV_LAYOUTS;

export function isTlvLayoutName(name: string): name is TlvLayoutName {
  return Object.hasOwn(TLV_LAYOUTS, name);
}

const TLVFILE_TAG_ORDER: number[] = [
  RecordTag.SUBJECT_NAME,
  RecordTag.ISSUER_NAME,
  RecordTag.SERIAL_NUMBER,
  RecordTag.FUNCTION,
  RecordTag.PUBLIC_KEY,
  RecordTag.SIGNATURE,
  RecordTag.CERTIFICATE,
];

export interface BuildOptions {
  signerCertificate: Buffer;
  signerKey: KeyObject;
  records: RecordSpec[];
  digest?: DigestName;
  signerVersion?: '1.0' | '1.1';
  /** FILENAME element, default ITLFile.tlv */
  filename?: string;
  timestamp?: Date;
  formatVersion?: string;
  /** default CUCM_LAYOUT */
  layout?: TlvLayout;
}

function mustDecode(der: Buffer, what: string): DecodedCertificate {
  const r = decodeCertificate(der);
  if (!r.ok) throw new Error(`${what}: ${r.problems[0]?.message ?? 'not a certificate'}`);
  return r.certificate;
}

export function encodeRecord(spec: RecordSpec, layout: TlvLayout = CUCM_LAYOUT): Buffer {
  const cert = mustDecode(spec.certificate, `record certificate (role ${spec.role})`);
  const key = cert.publicKey.type === 'RSA' ? cert.publicKey.pkcs1 : cert.publicKey.type === 'EC' ? cert.publicKey.point : Buffer.alloc(0);
  const parts = new Map<number, Buffer>([
    [RecordTag.SUBJECT_NAME, cstring(formatDn(cert.subject, layout.names))],
    [RecordTag.FUNCTION, u16(spec.role)],
    [RecordTag.ISSUER_NAME, cstring(formatDn(cert.issuer, layout.names))],
    [RecordTag.SERIAL_NUMBER, cert.serial],
    [RecordTag.PUBLIC_KEY, key],
    [RecordTag.SIGNATURE, cert.signature],
  ]);
  if (spec.dnsName) parts.set(RecordTag.DNS_NAME, cstring(spec.dnsName));
  else if (layout.emptyDnsName === 'two-nul') parts.set(RecordTag.DNS_NAME, Buffer.from([0, 0]));
  if (!spec.hashOnly) parts.set(RecordTag.CERTIFICATE, cert.der);
  if (spec.ipAddress) parts.set(RecordTag.IP_ADDRESS, Buffer.from(spec.ipAddress.split('.').map(Number)));
  if (spec.hashOnly) {
    parts.set(RecordTag.CERT_HASH, createHash('sha1').update(cert.der).digest());
    parts.set(RecordTag.HASH_ALGORITHM, u8(spec.certHashAlgorithm ?? 1));
  }
  const ascending = [...parts.keys()].sort((a, b) => a - b);
  const order = layout.recordTagOrder === 'tlvfile' ? [...TLVFILE_TAG_ORDER.filter((t) => parts.has(t)), ...ascending.filter((t) => !TLVFILE_TAG_ORDER.includes(t))] : ascending;
  const body = Buffer.concat(order.map((tag) => element(tag, parts.get(tag)!)));
  return Buffer.concat([element(RecordTag.RECORD_LENGTH, u16(body.length + 5)), body]);
}

/** What signs a file: the signer certificate and key, the digest, and the header fields around the signature. */
export interface SignedHeaderOptions {
  signerCertificate: Buffer;
  signerKey: KeyObject;
  digest?: DigestName;
  /** VERSION: 1.2 for trust lists, 1.0 for .sgn, 2.0 for .enc.sgn */
  formatVersion: string;
  /** SIGNERVERSION (trust lists only; signed files have none) */
  signerVersion?: string;
  filename: string;
  timestamp?: Date;
  /** elements written after TIMESTAMP, before the padding (the .enc.sgn encryption container) */
  trailer?: Buffer;
  /** how names are written (default CUCM's) */
  layout?: TlvLayout;
}

/**
 * Builds the signed header and returns the whole file: header, then `body` (records or payload) unchanged.
 * The layout of reference parts A and E: VERSION, HEADERLENGTH, [SIGNERVERSION], SIGNERID, SIGNATUREINFO,
 * SIGNATURE, FILENAME, TIMESTAMP, [trailer], PADDING to a multiple of 4; the RSA PKCS#1 v1.5 signature covers
 * the whole file with the SIGNATURE element cut out.
 */
export function buildSignedFile(opts: SignedHeaderOptions, body: Buffer): Buffer {
  const digest = opts.digest ?? 'sha1';
  const signer = mustDecode(opts.signerCertificate, 'signer certificate');
  const pub = opts.signerKey.type === 'public' ? opts.signerKey : createPublicKey(opts.signerKey);
  if (pub.asymmetricKeyType !== 'rsa') throw new Error('the signer key must be RSA: the .tlv format signs with RSA PKCS#1 v1.5 only');
  const modulusBytes = Math.ceil((pub.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  const modulusIndex = [64, 128, 256, 512].indexOf(modulusBytes);
  if (modulusIndex < 0) throw new Error(`the signer key is ${modulusBytes * 8} bits; the format allows 512, 1024, 2048 or 4096`);
  const layout = opts.layout ?? CUCM_LAYOUT;
  const timestamp = Math.floor((opts.timestamp ?? new Date()).getTime() / 1000);

  const before = (headerLength: number) =>
    Buffer.concat([
      element(HeaderTag.VERSION, version(opts.formatVersion)),
      element(HeaderTag.HEADER_LENGTH, u16(headerLength)),
      ...(opts.signerVersion ? [element(HeaderTag.SIGNER_VERSION, version(opts.signerVersion))] : []),
      container(HeaderTag.SIGNER_INFO, [
        element(HeaderTag.SIGNER_NAME, cstring(formatDn(signer.subject, layout.names))),
        element(HeaderTag.ISSUER_NAME, cstring(formatDn(signer.issuer, layout.names))),
        element(HeaderTag.SERIAL_NUMBER, signer.serial),
      ]),
      container(HeaderTag.SIGNATURE_INFO, [
        element(HeaderTag.HASH_ALGORITHM, u8(DIGEST_CODES[digest])),
        container(HeaderTag.SIGNATURE_ALGORITHM_INFO, [element(HeaderTag.SIGNATURE_ALGORITHM, u8(0)), element(HeaderTag.SIGNATURE_MODULUS, u8(modulusIndex))]),
      ]),
    ]);
  const after = Buffer.concat([element(HeaderTag.FILENAME, cstring(opts.filename)), element(HeaderTag.TIMESTAMP, u32(timestamp)), opts.trailer ?? Buffer.alloc(0)]);
  const unpadded = before(0).length + 3 + modulusBytes + after.length;
  const padding = (4 - (unpadded % 4)) % 4;
  const headerLength = unpadded + padding;
  if (headerLength > 0xffff) throw new RangeError(`the header would be ${headerLength} bytes; HEADERLENGTH allows 65535`);
  const pre = before(headerLength);
  const post = Buffer.concat([after, Buffer.alloc(padding, HeaderTag.PADDING)]);
  const signature = cryptoSign(digest, Buffer.concat([pre, post, body]), opts.signerKey);
  return Buffer.concat([pre, element(HeaderTag.SIGNATURE, signature), post, body]);
}

export function buildTrustList(opts: BuildOptions): Buffer {
  return buildSignedFile(
    {
      signerCertificate: opts.signerCertificate,
      signerKey: opts.signerKey,
      digest: opts.digest,
      formatVersion: opts.formatVersion ?? '1.2',
      signerVersion: opts.signerVersion ?? '1.0',
      filename: opts.filename ?? 'ITLFile.tlv',
      timestamp: opts.timestamp,
      layout: opts.layout,
    },
    Buffer.concat(opts.records.map((r) => encodeRecord(r, opts.layout))),
  );
}
