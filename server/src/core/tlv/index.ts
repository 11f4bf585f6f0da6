export * from './model';
export * from './tags';
export { decodeTrustList, trustListKindFromName } from './decode';
export { verifyTrustList, findSigner, recordPublicKey, signedBytes, clearPublicKeyCache } from './verify';
export type { SignatureCheck, SignatureStatus } from './verify';
export { buildTrustList, encodeRecord } from './build';
export type { BuildOptions, RecordSpec, DigestName } from './build';
