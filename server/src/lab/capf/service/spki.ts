/**
 * Strict checks of the SubjectPublicKeyInfo a phone sends in KEYGEN_RESP. The LSC carries these bytes as
 * they are (as a CA copies a CSR's key), so they must be canonical DER of what was asked for. RSA keys are
 * checked here (cheaper than a KeyObject, which costs as much as an LSC signature); EC keys go through
 * OpenSSL, which also checks that the point is on the curve.
 */
import { createPublicKey } from 'node:crypto';
import { OID, CURVE_NAMES } from '../../../core/asn1/oids';
import { DerElement, Id, contentOf, decodeOid, readElement, readElements } from '../../../core/asn1/der';
import { KeySpec, describeSpec } from '../../model/keys';
import { CurveName } from '../protocol/constants';

export type SpkiCheck = { ok: true; spec: KeySpec; description: string } | { ok: false; problem: string };

const bad = (problem: string): SpkiCheck => ({ ok: false, problem });

/** AlgorithmIdentifier { rsaEncryption, NULL }, the only DER form of an RSA key's algorithm */
const RSA_ALGORITHM = Buffer.from('300d06092a864886f70d0101010500', 'hex');

/** True when the element's length is written in the fewest octets, as DER requires. */
function minimalLength(e: DerElement): boolean {
  const length = e.end - e.start;
  const octets = length < 0x80 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : length < 0x1000000 ? 4 : 5;
  return e.start - e.offset === 1 + octets;
}

/** True for a DER INTEGER that is positive and has no superfluous leading zero. */
function positiveMinimalInteger(der: Buffer, e: DerElement): boolean {
  if (e.id !== Id.INTEGER || e.end === e.start || !minimalLength(e) || der[e.start] & 0x80) return false;
  return !(der[e.start] === 0 && (e.end - e.start === 1 || !(der[e.start + 1] & 0x80)));
}

export function checkSpki(der: Buffer): SpkiCheck {
  const root = readElement(der, 0, der.length);
  const parts = root?.id === Id.SEQUENCE && root.end === der.length && minimalLength(root) ? readElements(der, root) : undefined;
  if (!parts || parts.length !== 2 || parts[0].id !== Id.SEQUENCE) return bad('PUBLIC_KEY is not a DER SubjectPublicKeyInfo');
  const [alg, bits] = parts;
  const algParts = readElements(der, alg) ?? [];
  const algOid = algParts[0]?.id === Id.OBJECT_IDENTIFIER ? decodeOid(contentOf(der, algParts[0])) : '';
  if (bits.id !== Id.BIT_STRING || bits.end === bits.start || der[bits.start] !== 0 || !minimalLength(bits)) return bad('PUBLIC_KEY has no whole-byte key BIT STRING');
  if (algOid === OID.rsaEncryption) {
    if (RSA_ALGORITHM.compare(der, alg.offset, alg.end) !== 0) return bad('PUBLIC_KEY is not in canonical DER');
    const key = readElement(der, bits.start + 1, bits.end);
    const ne = key?.id === Id.SEQUENCE && key.end === bits.end ? readElements(der, key) : undefined;
    if (!key || !ne || ne.length !== 2 || ne[0].id !== Id.INTEGER || ne[1].id !== Id.INTEGER) return bad('PUBLIC_KEY is not an RSAPublicKey');
    const [n, e] = ne;
    if (der[n.start] & 0x80 || der[e.start] & 0x80) return bad('the RSA modulus or exponent is negative');
    if (!(der[n.end - 1] & 1) || !(der[e.end - 1] & 1) || (e.end - e.start === 1 && der[e.start] < 3)) {
      return bad('the RSA modulus and exponent must be odd, the exponent at least 3');
    }
    if (!minimalLength(key) || !positiveMinimalInteger(der, n) || !positiveMinimalInteger(der, e)) return bad('PUBLIC_KEY is not in canonical DER');
    const first = der[n.start] === 0 ? n.start + 1 : n.start;
    const bitCount = (n.end - first - 1) * 8 + (32 - Math.clz32(der[first]));
    const spec: KeySpec = { type: 'rsa', bits: bitCount };
    return { ok: true, spec, description: describeSpec(spec) };
  }
  if (algOid === OID.ecPublicKey) {
    const curve = algParts[1]?.id === Id.OBJECT_IDENTIFIER ? CURVE_NAMES[decodeOid(contentOf(der, algParts[1]))] : undefined;
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
