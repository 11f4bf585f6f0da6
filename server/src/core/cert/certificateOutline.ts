/**
 * The fields of an X.509 certificate that a relying party checks — signed bytes, signature, issuer, subject,
 * validity, public key — read without decoding the rest (names are kept as DER, extensions are not read).
 *
 * decodeCertificate builds the annotated view of every field, with byte ranges, names in text and each
 * extension's meaning; that is what the editor shows, and it costs about as much as a signature check. The
 * phone emulator checks every LSC it is handed (once per install) and shows none of it: it reads this outline.
 */
import { DerElement, Id, Tag, contentOf, decodeOid, decodeString, decodeTime, readElement, readElements } from '../asn1/der';

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

/** [0] EXPLICIT: the version, first in a v2/v3 tbsCertificate */
const VERSION = 0xa0;
/** content of the commonName attribute type, 2.5.4.3 */
const COMMON_NAME_OID = Buffer.from([0x55, 0x04, 0x03]);

/**
 * The outline of a DER certificate; undefined unless it is one certificate with every field in place. Only
 * the certificate, tbsCertificate, signature algorithm and validity are read element by element (readElement:
 * no tree, no views); names, the key and extensions are kept as bytes.
 */
export function readCertificateOutline(der: Buffer): CertificateOutline | undefined {
  const root = readElement(der, 0, der.length);
  if (!root || root.id !== Id.SEQUENCE || root.end !== der.length) return undefined;
  const parts = readElements(der, root);
  if (!parts || parts.length !== 3) return undefined;
  const [tbs, sigAlg, sig] = parts;
  if (tbs.id !== Id.SEQUENCE || sigAlg.id !== Id.SEQUENCE || sig.id !== Id.BIT_STRING || sig.end === sig.start || der[sig.start] !== 0) return undefined;
  const fields = readElements(der, tbs);
  if (!fields) return undefined;
  const first = fields[0]?.id === VERSION ? 1 : 0;
  const [serial, innerSig, issuer, validity, subject, spki] = fields.slice(first, first + 6);
  if (serial?.id !== Id.INTEGER || innerSig?.id !== Id.SEQUENCE || issuer?.id !== Id.SEQUENCE || validity?.id !== Id.SEQUENCE || subject?.id !== Id.SEQUENCE || spki?.id !== Id.SEQUENCE) return undefined;
  const [sigOid, , ...extra] = readElements(der, sigAlg) ?? [];
  if (sigOid?.id !== Id.OBJECT_IDENTIFIER || extra.length) return undefined; // AlgorithmIdentifier: OID [, parameters]
  const times = readElements(der, validity);
  if (times?.length !== 2) return undefined;
  return {
    tbs: bytesOf(der, tbs),
    signatureAlgorithmOid: decodeOid(contentOf(der, sigOid)),
    signature: der.subarray(sig.start + 1, sig.end),
    issuer: bytesOf(der, issuer),
    subject: bytesOf(der, subject),
    notBefore: readTime(der, times[0]),
    notAfter: readTime(der, times[1]),
    spki: bytesOf(der, spki),
  };
}

/** The whole element, identifier to end of content (a view). */
function bytesOf(der: Buffer, e: DerElement): Buffer {
  return der.subarray(e.offset, e.end);
}

function readTime(der: Buffer, e: DerElement): Date | undefined {
  // primitive, universal: 0x17 UTCTime, 0x18 GeneralizedTime
  return e.id === Tag.UTCTime || e.id === Tag.GeneralizedTime ? decodeTime({ tagNumber: e.id, content: contentOf(der, e) }) : undefined;
}

/** The commonName values of a Name (DER), in order; [] when the Name cannot be read. */
export function commonNames(name: Buffer): string[] {
  const root = readElement(name, 0, name.length);
  const rdns = root?.id === Id.SEQUENCE ? readElements(name, root) : undefined;
  if (!rdns) return [];
  const names: string[] = [];
  for (const rdn of rdns) {
    const atvs = rdn.id === Id.SET ? readElements(name, rdn) : undefined;
    if (!atvs) return [];
    for (const atv of atvs) {
      const typeAndValue = atv.id === Id.SEQUENCE ? readElements(name, atv) : undefined;
      if (!typeAndValue) return [];
      const [type, value] = typeAndValue;
      if (value && type.id === Id.OBJECT_IDENTIFIER && COMMON_NAME_OID.compare(name, type.start, type.end) === 0) {
        names.push(decodeString({ tagNumber: value.id & 0x1f, content: contentOf(name, value) }));
      }
    }
  }
  return names;
}
