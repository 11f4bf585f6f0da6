/** Key generation for the lab (CAPF, manufacturing CA, MICs, cluster) and the phone, injectable for tests. */
import { generateKeyPair, KeyObject } from 'node:crypto';
import { CurveName, NODE_CURVE } from './protocol/constants';

export type KeySpec = { type: 'rsa'; bits: number } | { type: 'ec'; curve: CurveName };

/** Produces a private key for `purpose` (e.g. "capf", "mic:SEP…", "lsc:SEP…"). */
export type KeySource = (spec: KeySpec, purpose: string) => Promise<KeyObject>;

/** Fresh keys from Node's crypto, generated on the libuv thread pool (the event loop stays free). */
export const generateKey: KeySource = (spec) =>
  new Promise((resolve, reject) => {
    const done = (err: Error | null, _pub: KeyObject, priv: KeyObject) => (err ? reject(err) : resolve(priv));
    if (spec.type === 'rsa') generateKeyPair('rsa', { modulusLength: spec.bits, publicExponent: 0x10001 }, done);
    else generateKeyPair('ec', { namedCurve: NODE_CURVE[spec.curve] }, done);
  });

export function describeKey(key: KeyObject): string {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return `RSA ${d?.modulusLength ?? '?'}`;
  if (key.asymmetricKeyType === 'ec') {
    const names: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
    return `EC ${names[d?.namedCurve ?? ''] ?? d?.namedCurve ?? '?'}`;
  }
  return String(key.asymmetricKeyType);
}

/** True when `key` is what `spec` asks for. */
export function keyMatchesSpec(key: KeyObject, spec: KeySpec): boolean {
  const d = key.asymmetricKeyDetails;
  if (spec.type === 'rsa') return key.asymmetricKeyType === 'rsa' && d?.modulusLength === spec.bits;
  return key.asymmetricKeyType === 'ec' && d?.namedCurve === NODE_CURVE[spec.curve];
}
