/**
 * Issues X.509 v3 certificates (RSA or EC keys, signed by an RSA or EC key) with our own DER writer and
 * Node's crypto. node-forge cannot issue EC certificates, which the reference ITL holds, hence this module.
 * With `deterministic: true`, ECDSA signatures use RFC 6979 nonces (@noble/curves), so the fixture
 * generator writes the same bytes for the same keys and clock.
 */
import { createHash, createPublicKey, KeyObject, randomBytes, sign as cryptoSign } from 'node:crypto';
import { p256 } from '@noble/curves/p256';
import { p384 } from '@noble/curves/p384';
import { p521 } from '@noble/curves/p521';
import * as w from '../asn1/derWriter';
import { OID } from '../asn1/oids';
import { attributeTypeKey, parseDn } from './distinguishedName';

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export interface ExtensionSpec {
  basicConstraints?: { ca: boolean; pathLength?: number; critical?: boolean };
  keyUsage?: Array<'digitalSignature' | 'nonRepudiation' | 'keyEncipherment' | 'dataEncipherment' | 'keyAgreement' | 'keyCertSign' | 'cRLSign'>;
  keyUsageCritical?: boolean;
  extKeyUsage?: Array<'serverAuth' | 'clientAuth' | 'ipsecEndSystem' | 'codeSigning' | 'emailProtection'>;
  subjectAltName?: string[];
  subjectKeyIdentifier?: boolean;
  /** the issuer's public key, for the authority key identifier */
  authorityKey?: KeyObject;
}

export interface IssueOptions {
  /** most specific first, `;` or `,` separated: "CN=CAPF-1;OU=TAC;O=Cisco Systems;L=Boxborough;ST=MA;C=US" */
  subject: string;
  /** issuer DN; defaults to the subject (self-signed) */
  issuer?: string;
  /** exact issuer Name DER (from the issuing certificate); wins over `issuer` */
  issuerDer?: Buffer;
  publicKey: KeyObject;
  signingKey: KeyObject;
  serial: Buffer;
  notBefore: Date;
  notAfter: Date;
  hash?: HashName;
  extensions?: ExtensionSpec;
  deterministic?: boolean;
}

const KU_BITS = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign'];

/**
 * Parses a written name, most specific first ("CN=a;OU=b;C=US", "CN=a, OU=b, C=US"; see distinguishedName.ts),
 * into a DER Name (least specific first, as certificates store it).
 */
export function encodeName(dn: string): Buffer {
  return w.seq(
    ...parseDn(dn)
      .reverse()
      .map(({ type, value }) => {
        const oid = attributeTypeKey(type);
        if (!/^\d+(?:\.\d+)+$/.test(oid)) throw new Error(`the name ${JSON.stringify(dn)} has an attribute type ${JSON.stringify(type)} that is neither a known name nor an OID`);
        const encoded = oid === OID.country ? w.printable(value) : oid === OID.emailAddress ? w.ia5(value) : w.utf8(value);
        return w.set(w.seq(w.oid(oid), encoded));
      }),
  );
}

function signatureAlgorithm(key: KeyObject, hash: HashName): Buffer {
  if (key.asymmetricKeyType === 'rsa') {
    const oid = { sha1: OID.sha1WithRSA, sha256: OID.sha256WithRSA, sha384: OID.sha384WithRSA, sha512: OID.sha512WithRSA }[hash];
    return w.seq(w.oid(oid), w.nul());
  }
  if (key.asymmetricKeyType === 'ec') {
    const oid = { sha1: OID.ecdsaWithSHA1, sha256: OID.ecdsaWithSHA256, sha384: OID.ecdsaWithSHA384, sha512: OID.ecdsaWithSHA512 }[hash];
    return w.seq(w.oid(oid));
  }
  throw new Error(`unsupported signing key type ${key.asymmetricKeyType}`);
}

function keyIdentifier(key: KeyObject): Buffer {
  const spki = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'der', type: 'spki' });
  return createHash('sha1').update(spki).digest();
}

function encodeExtensions(spec: ExtensionSpec, subjectKey: KeyObject): Buffer | undefined {
  const exts: Buffer[] = [];
  const ext = (oid: string, critical: boolean, value: Buffer) =>
    exts.push(w.seq(w.oid(oid), ...(critical ? [w.bool(true)] : []), w.octets(value)));
  if (spec.basicConstraints) {
    const bc = spec.basicConstraints;
    const inner: Buffer[] = [];
    if (bc.ca) inner.push(w.bool(true));
    if (bc.ca && bc.pathLength !== undefined) inner.push(w.uint(bc.pathLength));
    ext(OID.basicConstraints, bc.critical ?? true, w.seq(...inner));
  }
  if (spec.keyUsage?.length) {
    let bits = 0;
    let highest = 0;
    for (const name of spec.keyUsage) {
      const i = KU_BITS.indexOf(name);
      bits |= 0x8000 >> i;
      highest = Math.max(highest, i);
    }
    const byteCount = highest >= 8 ? 2 : 1;
    const bytes = byteCount === 2 ? Buffer.from([bits >> 8, bits & 0xff]) : Buffer.from([bits >> 8]);
    const unused = byteCount * 8 - 1 - highest;
    ext(OID.keyUsage, spec.keyUsageCritical ?? true, w.bitString(bytes, unused));
  }
  if (spec.extKeyUsage?.length) ext(OID.extKeyUsage, false, w.seq(...spec.extKeyUsage.map((n) => w.oid(OID[n]))));
  if (spec.subjectAltName?.length) {
    const names = spec.subjectAltName.map((n) => {
      const [type, ...rest] = n.split(':');
      const v = rest.join(':');
      if (type === 'DNS') return w.implicitPrimitive(2, Buffer.from(v, 'latin1'));
      if (type === 'URI') return w.implicitPrimitive(6, Buffer.from(v, 'latin1'));
      if (type === 'IP') return w.implicitPrimitive(7, Buffer.from(v.split('.').map(Number)));
      if (type === 'email') return w.implicitPrimitive(1, Buffer.from(v, 'latin1'));
      throw new Error(`unsupported subjectAltName ${n}`);
    });
    ext(OID.subjectAltName, false, w.seq(...names));
  }
  if (spec.subjectKeyIdentifier) ext(OID.subjectKeyIdentifier, false, w.octets(keyIdentifier(subjectKey)));
  if (spec.authorityKey) ext(OID.authorityKeyIdentifier, false, w.seq(w.implicitPrimitive(0, keyIdentifier(spec.authorityKey))));
  return exts.length ? w.explicit(3, w.seq(...exts)) : undefined;
}

const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

function signBytes(data: Buffer, key: KeyObject, hash: HashName, deterministic: boolean): Buffer {
  if (key.asymmetricKeyType === 'ec' && deterministic) {
    const jwk = key.export({ format: 'jwk' });
    const curve = CURVES[jwk.crv as keyof typeof CURVES];
    if (!curve || !jwk.d) throw new Error(`unsupported EC curve ${jwk.crv}`);
    const digest = createHash(hash).update(data).digest();
    const sig = curve.sign(digest, Buffer.from(jwk.d, 'base64url'), { lowS: true });
    return Buffer.from(sig.toDERRawBytes());
  }
  return cryptoSign(hash, data, key);
}

/** Returns the DER certificate. */
export function issueCertificate(o: IssueOptions): Buffer {
  const hash = o.hash ?? 'sha256';
  const subjectKey = o.publicKey.type === 'public' ? o.publicKey : createPublicKey(o.publicKey);
  const sigAlg = signatureAlgorithm(o.signingKey, hash);
  const spki = subjectKey.export({ format: 'der', type: 'spki' });
  const extensions = o.extensions ? encodeExtensions(o.extensions, subjectKey) : undefined;
  const tbs = w.seq(
    w.explicit(0, w.uint(2)),
    w.uint(o.serial),
    sigAlg,
    o.issuerDer ?? encodeName(o.issuer ?? o.subject),
    w.seq(w.time(o.notBefore), w.time(o.notAfter)),
    encodeName(o.subject),
    spki,
    ...(extensions ? [extensions] : []),
  );
  const signature = signBytes(tbs, o.signingKey, hash, o.deterministic ?? false);
  return w.seq(tbs, sigAlg, w.bitString(signature));
}

/** A positive serial of `bytes` bytes (top bit clear so that DER needs no sign byte), from a seed or at random. */
export function serialFrom(seed: string | undefined, bytes = 16): Buffer {
  const b = seed ? createHash('sha256').update(seed).digest().subarray(0, bytes) : randomBytes(bytes);
  const out = Buffer.from(b);
  out[0] = (out[0] & 0x7f) | 0x40;
  return out;
}
