/** Decrypts an `.enc.sgn` payload with the device's private key (the key its LSC or MIC belongs to). */
import { constants, createDecipheriv, createHash, KeyObject, privateDecrypt } from 'node:crypto';
import { HASH_ALGORITHMS } from '../tlv/tags';
import { SignedFile } from './model';

export type DecryptResult =
  | { ok: true; plaintext: Buffer; digestMatches: boolean | undefined }
  | { ok: false; message: string };

/**
 * RSA PKCS#1 v1.5 decryption of the wrapped key. Node refuses RSA_PKCS1_PADDING for private decryption
 * (CVE-2023-46809, a padding oracle for servers); an offline file decoder is no oracle, so the type 2 block
 * is opened here from the raw RSA result.
 */
function unwrapKey(privateKey: KeyObject, wrapped: Buffer): Buffer | undefined {
  let em: Buffer;
  try {
    em = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, wrapped);
  } catch {
    return undefined;
  }
  if (em[0] !== 0 || em[1] !== 2) return undefined;
  const sep = em.indexOf(0, 2);
  return sep >= 10 ? em.subarray(sep + 1) : undefined;
}

export function decryptSignedFile(file: SignedFile, privateKey: KeyObject): DecryptResult {
  const enc = file.encryption;
  if (!enc?.wrappedKey || !enc.iv || enc.iv.length !== 16) return { ok: false, message: 'The file has no complete encryption header (ENCRYPTEDKEY and a 16-byte IV).' };
  const key = unwrapKey(privateKey, enc.wrappedKey);
  if (!key) return { ok: false, message: "The key was not wrapped to this device's certificate: this private key cannot decrypt the file." };
  if (key.length !== 16 || file.payload.bytes.length % 16 !== 0) return { ok: false, message: `The content key (${key.length * 8} bits) or the payload length (${file.payload.bytes.length}) is not AES-128-CBC.` };
  let padded: Buffer;
  try {
    const d = createDecipheriv('aes-128-cbc', key, enc.iv).setAutoPadding(false);
    padded = Buffer.concat([d.update(file.payload.bytes), d.final()]);
  } catch (e) {
    return { ok: false, message: `Decryption failed: ${(e as Error).message}` };
  }
  const cut = enc.paddingCount !== undefined && enc.paddingCount <= padded.length ? enc.paddingCount : 0;
  const plaintext = padded.subarray(0, padded.length - cut);
  const hash = enc.contentHashAlgorithm !== undefined ? HASH_ALGORITHMS[enc.contentHashAlgorithm] : undefined;
  const digestMatches = hash && enc.contentHash ? createHash(hash.node).update(plaintext).digest().equals(enc.contentHash) : undefined;
  return { ok: true, plaintext, digestMatches };
}
