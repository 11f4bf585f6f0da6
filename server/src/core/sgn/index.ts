export * from './model';
export { decodeSignedFile, describePayload } from './decode';
export { signFile, encryptConfig } from './build';
export type { SignOptions, EncryptOptions } from './build';
export { decryptSignedFile } from './decrypt';
export type { DecryptResult } from './decrypt';
export { xmlOutline, allElements } from './xmlOutline';
export { SIGNED_FILE_HEADER, SIGNED_FILE_TAG_NAMES, SIGNED_FILE_TAG_MEANINGS, EncryptionTag } from './tags';
