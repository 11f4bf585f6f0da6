/**
 * What the phone checks before it stores the LSC of STORE_CERT_REQ: signed by the CAPF certificate it
 * trusted for this connection (through the ITL), for the key it generated, naming the phone, valid now.
 * The certificate is read as a phone reads it — its outline (certificateOutline.ts), no names in text and no
 * extensions — since this runs once per install; the full summary is made only when someone asks for it.
 */
import { createPublicKey, KeyObject, verify } from 'node:crypto';
import { OID } from '../../core/asn1/oids';
import { commonNames, readCertificateOutline } from '../../core/cert/certificateOutline';
import { IssuedLscSummary, summarizeCertificate } from '../model/issuedLsc';

export interface LscExpectation {
  /** the key the phone generated for KEYGEN_REQ */
  key: KeyObject;
  /** the CAPF certificate (DER) the phone trusted for this connection */
  capfDer: Buffer;
  deviceName: string;
  now: Date;
}

const spkiCache = new WeakMap<KeyObject, Buffer>();

/** The SubjectPublicKeyInfo DER of a key (cached: pre-generated keys are reused across sessions). */
export function spkiOf(key: KeyObject): Buffer {
  let spki = spkiCache.get(key);
  if (!spki) {
    spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
    spkiCache.set(key, spki);
  }
  return spki;
}

const SIGNATURE_HASHES: Record<string, string> = {
  [OID.sha1WithRSA]: 'sha1',
  [OID.sha256WithRSA]: 'sha256',
  [OID.sha384WithRSA]: 'sha384',
  [OID.sha512WithRSA]: 'sha512',
  [OID.ecdsaWithSHA1]: 'sha1',
  [OID.ecdsaWithSHA256]: 'sha256',
  [OID.ecdsaWithSHA384]: 'sha384',
  [OID.ecdsaWithSHA512]: 'sha512',
};

const trustedCapfs: Array<{ der: Buffer; subject: Buffer; key: KeyObject }> = [];

/** The trusted CAPF certificate's subject DER and public key, read once per certificate (a few are kept). */
function capfFacts(der: Buffer): { subject: Buffer; key: KeyObject } | undefined {
  let facts = trustedCapfs.find((f) => f.der.equals(der));
  if (!facts) {
    const capf = readCertificateOutline(der);
    if (!capf) return undefined;
    try {
      facts = { der: Buffer.from(der), subject: Buffer.from(capf.subject), key: createPublicKey({ key: capf.spki, format: 'der', type: 'spki' }) };
    } catch {
      return undefined;
    }
    if (trustedCapfs.length >= 16) trustedCapfs.pop();
    trustedCapfs.unshift(facts);
  }
  return facts;
}

/** Why the phone refuses the LSC (DER), or undefined when it accepts it. */
export function checkIssuedLsc(der: Buffer, expect: LscExpectation): string | undefined {
  const lsc = readCertificateOutline(der);
  if (!lsc) return 'the LSC is not a readable certificate';
  const capf = capfFacts(expect.capfDer);
  const hash = SIGNATURE_HASHES[lsc.signatureAlgorithmOid];
  let signed = false;
  try {
    signed = !!capf && !!hash && lsc.issuer.equals(capf.subject) && verify(hash, lsc.tbs, capf.key, lsc.signature);
  } catch {
    signed = false;
  }
  if (!signed) return 'the LSC does not chain to the CAPF certificate the phone trusted';
  if (!lsc.spki.equals(spkiOf(expect.key))) return 'the LSC is not for the key the phone generated';
  const cn = commonNames(lsc.subject);
  if (cn.length !== 1 || cn[0] !== expect.deviceName) return `the LSC does not name ${expect.deviceName} (its subject common name: ${cn.join(', ') || 'none'})`;
  const now = expect.now.getTime();
  if (!lsc.notBefore || !lsc.notAfter || now < lsc.notBefore.getTime() || now > lsc.notAfter.getTime()) {
    return `the LSC is not valid now (${lsc.notBefore?.toISOString() ?? '?'} to ${lsc.notAfter?.toISOString() ?? '?'})`;
  }
  return undefined;
}

/** The stored LSC with its summary, made when first read (the CLI and the lab show it; a load test does not). */
export function installedLsc(der: Buffer): { der: Buffer; summary: IssuedLscSummary } {
  let summary: IssuedLscSummary | undefined;
  return {
    der,
    get summary() {
      return (summary ??= summarizeCertificate(der));
    },
  };
}
