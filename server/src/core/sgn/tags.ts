/**
 * Tags of signed files (.sgn, .sha512, .enc.sgn): the .tlv header tags (reference part A) plus the encryption
 * tags 16–27 of `.enc.sgn` (reference part E, from certutils enccnf: facts only).
 */
import { HEADER_TAG_NAMES, HEADER_TAG_MEANINGS, HASH_ALGORITHMS } from '../tlv/tags';
import { HeaderDialect } from '../tlv/decode';
import { ElementValue } from '../tlv/model';

export const EncryptionTag = {
  ENCRYPTION_INFO: 16,
  IV_INFO: 17,
  IV_RESERVED: 18,
  IV: 19,
  IV_PADDING: 20,
  KEY_INFO: 21,
  KEY_RESERVED: 22,
  KEY_SIZE: 23,
  KEY_ALGORITHM: 24,
  ENCRYPTED_KEY: 25,
  CONTENT_HASH_ALGORITHM: 26,
  CONTENT_HASH: 27,
} as const;

export const SIGNED_FILE_TAG_NAMES: Record<number, string> = {
  ...HEADER_TAG_NAMES,
  16: 'ENCRYPTIONINFO',
  17: 'IVINFO',
  18: 'IVRESERVED',
  19: 'IV',
  20: 'IVPADDING',
  21: 'KEYINFO',
  22: 'KEYRESERVED',
  23: 'KEYSIZE',
  24: 'KEYALGORITHM',
  25: 'ENCRYPTEDKEY',
  26: 'CONTENTDIGESTALGORITHM',
  27: 'CONTENTDIGEST',
};

export const SIGNED_FILE_TAG_MEANINGS: Record<number, string> = {
  ...HEADER_TAG_MEANINGS,
  1: 'Format version: 1.0 for a signed file (.sgn), 2.0 for an encrypted one (.enc.sgn).',
  2: 'Total size of the header in bytes: everything before the payload, including the signature and padding; a multiple of 4.',
  5: 'Serial number of the certificate that signed this file: phones look for a TFTP or CCM+TFTP record with it in their CTL/ITL.',
  14: 'File name the TFTP server gave the file; phones ask for this name (e.g. SEP<MAC>.cnf.xml.sgn).',
  16: 'Encryption information: a container for the IV and the wrapped key (.enc.sgn).',
  17: 'IV information: a container.',
  19: 'AES-128-CBC initialisation vector (16 bytes).',
  20: 'Number of \\r bytes appended to the plaintext before encryption.',
  21: 'Key information: a container for the key size, algorithm and the wrapped key.',
  23: 'Size of the content key in bits (128 for AES-128).',
  25: "The AES key, encrypted (RSA PKCS#1 v1.5) to the phone's certificate (LSC or MIC): only that phone can read the file.",
  26: 'Digest of the plaintext: 1 = SHA-1, 3 = SHA-512.',
  27: 'Digest of the plaintext configuration, checked after decryption.',
};

const CONTAINERS = new Set<number>([3, 7, 9, EncryptionTag.ENCRYPTION_INFO, EncryptionTag.IV_INFO, EncryptionTag.KEY_INFO]);

/** The header dialect of signed files: the trust-list header plus the encryption tags. */
export const SIGNED_FILE_HEADER: HeaderDialect = {
  containers: CONTAINERS,
  known: (tag) => (tag >= 1 && tag <= 27) || tag === 28,
  fixedLengths: { 1: 2, 2: 2, 8: 1, 10: 1, 11: 1, 15: 4, 28: 2, 18: 1, 20: 2, 22: 1, 23: 2, 24: 1, 26: 1 },
  names: SIGNED_FILE_TAG_NAMES,
  extraValue(tag: number, raw: Buffer): ElementValue | undefined {
    switch (tag) {
      case EncryptionTag.IV_RESERVED:
      case EncryptionTag.KEY_RESERVED:
      case EncryptionTag.KEY_ALGORITHM:
        return { kind: 'u8', value: raw[0] };
      case EncryptionTag.IV_PADDING:
      case EncryptionTag.KEY_SIZE:
        return { kind: 'u16', value: raw.readUInt16BE(0) };
      case EncryptionTag.CONTENT_HASH_ALGORITHM:
        return { kind: 'hashAlgorithm', code: raw[0], name: HASH_ALGORITHMS[raw[0]]?.name ?? `unknown (${raw[0]})` };
      default:
        return undefined;
    }
  },
};
