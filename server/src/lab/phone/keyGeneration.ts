/** The phone's key generation for KEYGEN_REQ: fresh keys by default, or keys from a pool (benchmarks, tests). */
import { KeyObject } from 'node:crypto';
import { describeKey, describeSpec, generateKey, keyMatchesSpec, keySpecOf } from '../model/keys';
import { KeyRequest } from '../capf/protocol/messages';

export type PhoneKeyProvider = (req: KeyRequest) => Promise<KeyObject>;

/** RSA sizes a phone will generate (CUCM offers 512 to 4096). */
const RSA_SIZES = new Set([512, 1024, 2048, 3072, 4096]);

export const generatePhoneKey: PhoneKeyProvider = async (req) => {
  if (req.keyType === 'RSA' && !RSA_SIZES.has(req.keySize)) throw new Error(`the phone cannot generate an RSA ${req.keySize} key`);
  return generateKey(keySpecOf(req), 'lsc');
};

/** Hands out pre-generated keys: the first that fits each request (keys may be reused across phones). */
export function keyPool(keys: KeyObject[]): PhoneKeyProvider {
  return async (req) => {
    const spec = keySpecOf(req);
    const key = keys.find((k) => keyMatchesSpec(k, spec));
    if (!key) throw new Error(`no pre-generated ${describeSpec(spec)} key in the pool (it has ${keys.map(describeKey).join(', ') || 'nothing'})`);
    return key;
  };
}
