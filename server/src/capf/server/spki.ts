/**
 * Strict checks of the SubjectPublicKeyInfo a phone sends in KEYGEN_RESP. The LSC carries these bytes as
 * they are (as a CA copies a CSR's key), so they must be canonical DER of what was asked for. RSA keys are
 * checked here (cheaper than a KeyObject, which costs as much as an LSC signature); EC keys go through
 * OpenSSL, which also checks that the point is on the curve.
 */
import { createPublicKey } from 'node:crypto';
import * as w from '../../core/asn1/derWriter';
import { OID, CURVE_NAMES } from '../../core/asn1/oids';
import { Tag, decodeOid, isUniversal, readDerNode } from '../../core/asn1/der';
import { unsignedInt } from '../../core/cert/decodeCertificate';
import { KeySpec, describeSpec } from '../keys';
import { CurveName } from '../protocol/constants';

export type SpkiCheck = { ok: true; spec: KeySpec; description: string } | { ok: false; problem: string };

const bad = (problem: string): SpkiCheck => ({ ok: false, problem });

export function checkSpki(der: Buffer): SpkiCheck {
  const root = readDerNode(der, 0);
  if (!root || root.truncated || root.end !== der.length || !isUniversal(root, Tag.SEQUENCE) || root.children.length !== 2) {
    return bad('PUBLIC_KEY is not a DER SubjectPublicKeyInfo');
  }
  const [alg, bits] = root.children;
  const algOid = isUniversal(alg.children[0], Tag.OID) ? decodeOid(alg.children[0].content) : '';
  if (!isUniversal(bits, Tag.BIT_STRING) || bits.content[0] !== 0) return bad('PUBLIC_KEY has no whole-byte key BIT STRING');
  if (algOid === OID.rsaEncryption) {
    const key = readDerNode(bits.content, 1);
    const [n, e] = key?.children ?? [];
    if (!key || key.truncated || key.end !== bits.content.length || !isUniversal(n, Tag.INTEGER) || !isUniversal(e, Tag.INTEGER) || key.children.length !== 2) {
      return bad('PUBLIC_KEY is not an RSAPublicKey');
    }
    if (n.content[0] & 0x80 || e.content[0] & 0x80) return bad('the RSA modulus or exponent is negative');
    const modulus = unsignedInt(n.content);
    const exponent = unsignedInt(e.content);
    if (!(modulus[modulus.length - 1] & 1) || !(exponent[exponent.length - 1] & 1) || (exponent.length === 1 && exponent[0] < 3)) {
      return bad('the RSA modulus and exponent must be odd, the exponent at least 3');
    }
    const canonical = w.seq(w.seq(w.oid(OID.rsaEncryption), w.nul()), w.bitString(w.seq(w.uint(modulus), w.uint(exponent))));
    if (!canonical.equals(der)) return bad('PUBLIC_KEY is not in canonical DER');
    const bitCount = (modulus.length - 1) * 8 + (32 - Math.clz32(modulus[0]));
    const spec: KeySpec = { type: 'rsa', bits: bitCount };
    return { ok: true, spec, description: describeSpec(spec) };
  }
  if (algOid === OID.ecPublicKey) {
    const curve = isUniversal(alg.children[1], Tag.OID) ? CURVE_NAMES[decodeOid(alg.children[1].content)] : undefined;
    if (!curve) return bad('the EC key is not on P-256, P-384 or P-521');
    try {
      const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
      if (!key.export({ format: 'der', type: 'spki' }).equals(der)) return bad('PUBLIC_KEY is not in canonical DER');
    } catch {
      return bad('the EC public key is not a valid point on its curve');
    }
    const spec: KeySpec = { type: 'ec', curve: curve as CurveName };
    return { ok: true, spec, description: describeSpec(spec) };
  }
  return bad(`PUBLIC_KEY algorithm ${algOid || '(none)'} is neither RSA nor EC`);
}

export function specMatches(a: KeySpec, b: KeySpec): boolean {
  return a.type === 'rsa' ? b.type === 'rsa' && a.bits === b.bits : b.type === 'ec' && a.curve === b.curve;
}
