/**
 * The fields of an X.509 certificate that a relying party checks — signed bytes, signature, issuer, subject,
 * validity, public key — read without decoding the rest (names are kept as DER, extensions are not read).
 *
 * decodeCertificate builds the annotated view of every field, with byte ranges, names in text and each
 * extension's meaning; that is what the editor shows, and it costs about as much as a signature check. The
 * phone emulator checks every LSC it is handed (once per install) and shows none of it: it reads this outline.
 */
import { DerNode, Tag, decodeOid, decodeString, decodeTime, isUniversal, readDerNode } from '../asn1/der';
import { OID } from '../asn1/oids';

export interface CertificateOutline {
  /** the signed bytes: tbsCertificate, DER */
  tbs: Buffer;
  signatureAlgorithmOid: string;
  /** the signature value (the BIT STRING's bytes after its unused-bits octet) */
  signature: Buffer;
  /** issuer and subject Name, DER */
  issuer: Buffer;
  subject: Buffer;
  /** undefined when the time cannot be read */
  notBefore?: Date;
  notAfter?: Date;
  /** SubjectPublicKeyInfo, DER */
  spki: Buffer;
}

/**
 * Levels read below the certificate: certificate → tbsCertificate and signature algorithm → their fields.
 * Names, the key and extensions stay unread; validity is read on its own (its two times).
 */
const OUTLINE_DEPTH = 2;
/** Name → RDN SETs → AttributeTypeAndValue → type and value. */
const NAME_DEPTH = 3;

/** The outline of a DER certificate; undefined unless it is one certificate with every field in place. */
export function readCertificateOutline(der: Buffer): CertificateOutline | undefined {
  const root = readDerNode(der, 0, der.length, 0, OUTLINE_DEPTH);
  if (!root || root.truncated || root.end !== der.length || !isUniversal(root, Tag.SEQUENCE) || root.children.length !== 3) return undefined;
  const [tbs, sigAlg, sig] = root.children;
  if (!isUniversal(tbs, Tag.SEQUENCE) || !isUniversal(sigAlg, Tag.SEQUENCE) || !isUniversal(sig, Tag.BIT_STRING) || sig.content[0] !== 0) return undefined;
  const t = tbs.children;
  const first = t[0]?.tagClass === 'context' && t[0].tagNumber === 0 ? 1 : 0; // after the [0] version, if any
  const [serial, innerSig, issuer, validity, subject, spki] = t.slice(first, first + 6);
  if (!isUniversal(serial, Tag.INTEGER) || !isUniversal(innerSig, Tag.SEQUENCE) || !isUniversal(spki, Tag.SEQUENCE)) return undefined;
  if (!isUniversal(issuer, Tag.SEQUENCE) || !isUniversal(subject, Tag.SEQUENCE) || !isUniversal(validity, Tag.SEQUENCE)) return undefined;
  const sigOid = sigAlg.children[0];
  if (!isUniversal(sigOid, Tag.OID)) return undefined;
  const times = readDerNode(der, validity.offset, validity.end, 0, 1)?.children ?? [];
  if (times.length !== 2) return undefined;
  const [notBefore, notAfter] = times.map(readTime);
  return {
    tbs: tbs.bytes,
    signatureAlgorithmOid: decodeOid(sigOid.content),
    signature: sig.content.subarray(1),
    issuer: issuer.bytes,
    subject: subject.bytes,
    notBefore,
    notAfter,
    spki: spki.bytes,
  };
}

function readTime(node: DerNode): Date | undefined {
  return node.tagClass === 'universal' && (node.tagNumber === Tag.UTCTime || node.tagNumber === Tag.GeneralizedTime) ? decodeTime(node) : undefined;
}

/** The commonName values of a Name (DER), in order; [] when the Name cannot be read. */
export function commonNames(name: Buffer): string[] {
  const root = readDerNode(name, 0, name.length, 0, NAME_DEPTH);
  if (!root || root.truncated || !isUniversal(root, Tag.SEQUENCE)) return [];
  const names: string[] = [];
  for (const rdn of root.children) {
    for (const atv of rdn.children) {
      const [type, value] = atv.children;
      if (value && isUniversal(type, Tag.OID) && decodeOid(type.content) === OID.commonName) names.push(decodeString(value));
    }
  }
  return names;
}
