/**
 * DER assembly of the LSC (the profile is in lscProfile.ts). Everything but the device name, key, serial and
 * validity is the same for every LSC a CAPF issues, so it is encoded once per CAPF certificate; an issue then
 * costs little more than its one signature, which matters when hundreds of phones enrol at once. The bytes
 * are those core/cert/issueCertificate would write for the same inputs (a unit test holds them equal); this
 * path also copies the CAPF subject attributes exactly, which issueCertificate's DN text cannot always express.
 */
import { sign } from 'node:crypto';
import * as w from '../../../core/asn1/derWriter';
import { OID } from '../../../core/asn1/oids';
import { DistinguishedName, DnAttribute } from '../../../core/cert/model';
import { Issuer } from './issuer';

interface Template {
  signatureAlgorithm: Buffer;
  issuer: Buffer;
  /** the CAPF subject's O, OU, L, ST, C as RDN SETs, in their order */
  copiedRdns: Buffer[];
  /** the same attributes as the end of the subject's RFC 4514 text (",OU=…,O=…", last RDN first) */
  copiedText: string;
  /** basicConstraints, keyUsage and extendedKeyUsage extensions, encoded */
  fixedExtensions: Buffer[];
}

const COPIED: ReadonlySet<string> = new Set([OID.organization, OID.organizationalUnit, OID.locality, OID.state, OID.country]);

/** The CAPF subject attributes an LSC subject copies (O, OU, L, ST, C), in DER order. */
function copiedCapfAttributes(capfSubject: DistinguishedName): DnAttribute[] {
  return capfSubject.attributes.filter((a) => COPIED.has(a.oid));
}
const templates = new WeakMap<Issuer, Template>();

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return w.seq(w.oid(oid), ...(critical ? [w.bool(true)] : []), w.octets(value));
}

function templateFor(capf: Issuer): Template {
  let t = templates.get(capf);
  if (t) return t;
  const type = capf.key.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ec') throw new Error(`the CAPF key must be RSA or EC, not ${type}`);
  const copied = copiedCapfAttributes(capf.cert.subject);
  t = {
    signatureAlgorithm: type === 'rsa' ? w.seq(w.oid(OID.sha256WithRSA), w.nul()) : w.seq(w.oid(OID.ecdsaWithSHA256)),
    issuer: capf.cert.subject.der,
    copiedRdns: copied.map((a) => w.set(w.seq(w.oid(a.oid), a.oid === OID.country ? w.printable(a.value) : w.utf8(a.value)))),
    copiedText: copied
      .map((a) => `,${a.name}=${a.value}`)
      .reverse()
      .join(''),
    fixedExtensions: [
      extension(OID.basicConstraints, true, w.seq()), // CA:FALSE
      extension(OID.keyUsage, true, w.bitString(Buffer.from([0xa0]), 5)), // digitalSignature, keyEncipherment
      extension(OID.extKeyUsage, false, w.seq(w.oid(OID.serverAuth), w.oid(OID.clientAuth), w.oid(OID.ipsecEndSystem))),
    ],
  };
  templates.set(capf, t);
  return t;
}

/** The subject Name: the copied CAPF attributes, then CN = device name. */
export function lscSubjectDer(capf: Issuer, deviceName: string): Buffer {
  return w.seq(...templateFor(capf).copiedRdns, w.set(w.seq(w.oid(OID.commonName), w.utf8(deviceName))));
}

/** The subject Name as RFC 4514 text, as decoders print it: CN = device name first, then the copied attributes. */
export function lscSubjectText(capf: Issuer, deviceName: string): string {
  return `CN=${deviceName}${templateFor(capf).copiedText}`;
}

export interface LscFields {
  deviceName: string;
  /** SubjectPublicKeyInfo DER of the phone's key */
  spki: Buffer;
  serial: Buffer;
  notBefore: Date;
  notAfter: Date;
}

/** The tbsCertificate of the LSC, DER. */
function lscTbs(capf: Issuer, t: Template, f: LscFields): Buffer {
  const san = extension(OID.subjectAltName, false, w.seq(w.implicitPrimitive(6, Buffer.from(f.deviceName, 'latin1'))));
  return w.seq(
    w.explicit(0, w.uint(2)),
    w.uint(f.serial),
    t.signatureAlgorithm,
    t.issuer,
    w.seq(w.time(f.notBefore), w.time(f.notAfter)),
    lscSubjectDer(capf, f.deviceName),
    f.spki,
    w.explicit(3, w.seq(...t.fixedExtensions, san)),
  );
}

/** The signed LSC, DER. */
export function buildLsc(capf: Issuer, f: LscFields): Buffer {
  const t = templateFor(capf);
  const tbs = lscTbs(capf, t, f);
  return w.seq(tbs, t.signatureAlgorithm, w.bitString(sign('sha256', tbs, capf.key)));
}

/**
 * buildLsc with the signature made on libuv's thread pool: the same bytes, but the event loop that serves
 * every other session's TLS keeps running on its core while the RSA private-key operation runs on another.
 */
export function buildLscAsync(capf: Issuer, f: LscFields): Promise<Buffer> {
  const t = templateFor(capf);
  const tbs = lscTbs(capf, t, f);
  return new Promise((resolve, reject) =>
    sign('sha256', tbs, capf.key, (e, signature) => (e ? reject(e) : resolve(w.seq(tbs, t.signatureAlgorithm, w.bitString(signature))))),
  );
}
