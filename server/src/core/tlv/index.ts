export * from './model';
export * from './tags';
export { decodeTrustList, trustListKindFromName } from './decode';
export { verifyTrustList, findSigner, recordPublicKey, signedBytes, signatureVerifiesWith, clearPublicKeyCache } from './verify';
export type { SignatureCheck, SignatureStatus } from './verify';
export { buildTrustList, buildSignedFile, encodeRecord } from './build';
export type { BuildOptions, RecordSpec, DigestName, SignedHeaderOptions } from './build';
