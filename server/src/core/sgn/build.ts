/** Writes signed files (.sgn) and encrypted configuration files (.enc.sgn) with the trust-list header builder. */
import { createCipheriv, createHash, publicEncrypt, constants, KeyObject, X509Certificate, randomBytes } from 'node:crypto';
import { buildSignedFile, DigestName } from '../tlv/build';
import { container, element, u16, u8 } from '../tlv/encode';
import { HASH_ALGORITHMS } from '../tlv/tags';
import { EncryptionTag } from './tags';

export interface SignOptions {
  signerCertificate: Buffer;
  signerKey: KeyObject;
  /** sha1 (the CUCM default) or sha512 (TFTP File Signature Algorithm); sha256 exists but phones' tools reject it */
  digest?: DigestName;
  /** FILENAME: the name phones ask for, default the payload's name + .sgn (the caller passes it) */
  filename: string;
  timestamp?: Date;
}

/** A `.sgn`: VERSION 1.0 header (reference part E), then the payload unchanged. */
export function signFile(payload: Buffer, o: SignOptions): Buffer {
  return buildSignedFile({ ...o, formatVersion: '1.0' }, payload);
}

export interface EncryptOptions extends SignOptions {
  /** the device certificate (LSC or MIC, DER) the AES key is wrapped to */
  deviceCertificate: Buffer;
  /** fixed key and IV for reproducible fixtures; random otherwise */
  key?: Buffer;
  iv?: Buffer;
  /** derive the PKCS#1 v1.5 padding of the key wrap from the key (fixtures only: byte-for-byte reproducible) */
  deterministicWrap?: boolean;
}

/** RSA PKCS#1 v1.5 encryption (type 2 block) with padding bytes derived from the message: for fixtures only. */
function deterministicWrap(publicKey: KeyObject, message: Buffer): Buffer {
  const k = Math.ceil((publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  const ps: number[] = [];
  for (let block = createHash('sha256').update(message).digest(); ps.length < k - 3 - message.length; block = createHash('sha256').update(block).digest()) {
    for (const b of block) if (b !== 0 && ps.length < k - 3 - message.length) ps.push(b);
  }
  const em = Buffer.concat([Buffer.from([0, 2]), Buffer.from(ps), Buffer.from([0]), message]);
  return publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, em);
}

const DIGEST_CODE: Record<DigestName, number> = { sha1: 1, sha256: 2, sha512: 3 };

/**
 * An `.enc.sgn` (reference part E): VERSION 2.0, the encryption container after TIMESTAMP, then the plaintext
 * padded with `\r` to 16 bytes and encrypted with AES-128-CBC; the AES key wrapped with RSA PKCS#1 v1.5 to the
 * device certificate.
 */
export function encryptConfig(plaintext: Buffer, o: EncryptOptions): Buffer {
  const digest = o.digest ?? 'sha1';
  const key = o.key ?? randomBytes(16);
  const iv = o.iv ?? randomBytes(16);
  const padding = 16 - (plaintext.length % 16);
  const cipher = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
  const encrypted = Buffer.concat([cipher.update(Buffer.concat([plaintext, Buffer.alloc(padding, 0x0d)])), cipher.final()]);
  const deviceKey = new X509Certificate(o.deviceCertificate).publicKey;
  const wrapped = o.deterministicWrap ? deterministicWrap(deviceKey, key) : publicEncrypt({ key: deviceKey, padding: constants.RSA_PKCS1_PADDING }, key);
  const trailer = container(EncryptionTag.ENCRYPTION_INFO, [
    container(EncryptionTag.IV_INFO, [element(EncryptionTag.IV_RESERVED, u8(0)), element(EncryptionTag.IV, iv), element(EncryptionTag.IV_PADDING, u16(padding))]),
    container(EncryptionTag.KEY_INFO, [
      element(EncryptionTag.KEY_RESERVED, u8(0)),
      element(EncryptionTag.KEY_SIZE, u16(key.length * 8)),
      element(EncryptionTag.KEY_ALGORITHM, u8(1)),
      element(EncryptionTag.ENCRYPTED_KEY, wrapped),
    ]),
    element(EncryptionTag.CONTENT_HASH_ALGORITHM, u8(DIGEST_CODE[digest])),
    element(EncryptionTag.CONTENT_HASH, createHash(HASH_ALGORITHMS[DIGEST_CODE[digest]].node).update(plaintext).digest()),
  ]);
  return buildSignedFile({ ...o, digest, formatVersion: '2.0', trailer }, encrypted);
}
