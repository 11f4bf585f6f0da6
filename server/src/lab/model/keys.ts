/** Key generation for the lab (CAPF, manufacturing CA, MICs, cluster) and the phone, injectable for tests. */
import { generateKeyPair, KeyObject } from 'node:crypto';
import { CurveName, NODE_CURVE } from '../capf/protocol/constants';
import type { KeyRequest } from '../capf/protocol/messages';

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

/** The key a KEYGEN_REQ asks for. */
export function keySpecOf(req: KeyRequest): KeySpec {
  return req.keyType === 'RSA' ? { type: 'rsa', bits: req.keySize } : { type: 'ec', curve: req.curve };
}

/** "RSA 2048", "EC P-256": how keys are named in statuses, logs and the device table. */
export function describeSpec(s: KeySpec): string {
  return s.type === 'rsa' ? `RSA ${s.bits}` : `EC ${s.curve}`;
}

const CURVE_BY_NODE_NAME: Record<string, string> = Object.fromEntries(Object.entries(NODE_CURVE).map(([curve, node]) => [node, curve]));

export function describeKey(key: KeyObject): string {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return `RSA ${d?.modulusLength ?? '?'}`;
  if (key.asymmetricKeyType === 'ec') return `EC ${CURVE_BY_NODE_NAME[d?.namedCurve ?? ''] ?? d?.namedCurve ?? '?'}`;
  return String(key.asymmetricKeyType);
}

/** True when `key` is what `spec` asks for. */
export function keyMatchesSpec(key: KeyObject, spec: KeySpec): boolean {
  const d = key.asymmetricKeyDetails;
  if (spec.type === 'rsa') return key.asymmetricKeyType === 'rsa' && d?.modulusLength === spec.bits;
  return key.asymmetricKeyType === 'ec' && d?.namedCurve === NODE_CURVE[spec.curve];
}
