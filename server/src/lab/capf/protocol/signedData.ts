/**
 * Existing-certificate authentication data (reference part B, "Certificate authentication"):
 *   auth data       = device name (UTF-8) + NUL + certificate DER
 *   SIGNED_DATA     = SHA-1 signature of the auth data
 *   SHA2_SIGNED_DATA = 03 LLLL + SHA-512 signature of the auth data
 * RSA signatures are raw PKCS#1 type-1 blocks over the bare digest (no DigestInfo), i.e. RSA
 * "private encrypt" of the hash; EC signatures are ordinary DER ECDSA.
 */
import { constants, createHash, KeyObject, privateEncrypt, publicDecrypt, sign, verify } from 'node:crypto';
import { HashCode } from './constants';
import { HashTagged, encodeHashTagged } from './codec';

export function authData(deviceName: string, certificateDer: Buffer): Buffer {
  return Buffer.concat([Buffer.from(deviceName, 'utf8'), Buffer.from([0]), certificateDer]);
}

function signWith(hash: 'sha1' | 'sha512', data: Buffer, key: KeyObject): Buffer {
  if (key.asymmetricKeyType === 'rsa') {
    return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, createHash(hash).update(data).digest());
  }
  if (key.asymmetricKeyType === 'ec') return sign(hash, data, key);
  throw new Error(`existing-certificate authentication needs an RSA or EC key, not ${key.asymmetricKeyType}`);
}

export interface AuthSignatures {
  signedData: Buffer;
  /** already hash-tagged, ready for the SHA2_SIGNED_DATA element */
  sha2SignedData: Buffer;
}

export function signAuthData(deviceName: string, certificateDer: Buffer, privateKey: KeyObject): AuthSignatures {
  const data = authData(deviceName, certificateDer);
  return {
    signedData: signWith('sha1', data, privateKey),
    sha2SignedData: encodeHashTagged(HashCode.SHA512, signWith('sha512', data, privateKey)),
  };
}

function verifyWith(hash: 'sha1' | 'sha512', data: Buffer, key: KeyObject, signature: Buffer): boolean {
  try {
    if (key.asymmetricKeyType === 'rsa') {
      const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
      return recovered.equals(createHash(hash).update(data).digest());
    }
    if (key.asymmetricKeyType === 'ec') return verify(hash, data, key, signature);
  } catch {
    return false;
  }
  return false;
}

export type AuthCheck = { ok: true } | { ok: false; problem: string };

/** Checks both signatures; both must be present and valid, as capfd requires. */
export function verifyAuthData(deviceName: string, certificateDer: Buffer, publicKey: KeyObject, signedData?: Buffer, sha2?: HashTagged): AuthCheck {
  if (publicKey.asymmetricKeyType !== 'rsa' && publicKey.asymmetricKeyType !== 'ec') {
    return { ok: false, problem: `the certificate's ${publicKey.asymmetricKeyType} key is neither RSA nor EC` };
  }
  if (!signedData) return { ok: false, problem: 'SIGNED_DATA is missing' };
  if (!sha2) return { ok: false, problem: 'SHA2_SIGNED_DATA is missing' };
  if (sha2.hashCode !== HashCode.SHA512) return { ok: false, problem: `SHA2_SIGNED_DATA uses hash code ${sha2.hashCode}; only 3 (SHA-512) is accepted` };
  const data = authData(deviceName, certificateDer);
  if (!verifyWith('sha1', data, publicKey, signedData)) return { ok: false, problem: 'SIGNED_DATA (SHA-1) does not verify with the certificate key' };
  if (!verifyWith('sha512', data, publicKey, sha2.signature)) return { ok: false, problem: 'SHA2_SIGNED_DATA (SHA-512) does not verify with the certificate key' };
  return { ok: true };
}
