/** File-signature check of a decoded trust list: finds the signing SAST record and verifies RSA PKCS#1 v1.5. */
import { createHash, createPublicKey, KeyObject, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { TrustList, TrustListHeader, TrustRecord } from './model';
import { HASH_ALGORITHMS } from './tags';
import { dnKeyOfText } from '../cert/distinguishedName';

/** `incomplete`: the decoder stopped before the end of the file (TrustList.stoppedAt), so the file is not checked. */
export type SignatureStatus = 'valid' | 'invalid' | 'signer-missing' | 'unsupported-algorithm' | 'unsigned' | 'incomplete';

export interface SignatureCheck {
  status: SignatureStatus;
  /** the SAST record whose serial and issuer match the header */
  signer?: TrustRecord;
  /** SHA1, SHA256 or SHA512 */
  hashName?: string;
  message: string;
}

/**
 * The SAST record named by the header's serial number and issuer, if any. Issuers compare as names (the same
 * attributes in any order or spelling), so a header and records written by different tools still match.
 */
export function findSigner(list: TrustList): TrustRecord | undefined {
  const serial = list.header.signerSerial;
  if (!serial) return undefined;
  const issuer = list.header.signerIssuer ? dnKeyOfText(list.header.signerIssuer) : undefined;
  return list.records.find(
    (r) => r.role === 0 && r.serial?.equals(serial) && (!issuer || !r.issuer || dnKeyOfText(r.issuer) === issuer),
  );
}

/**
 * Public keys of signing certificates, by SHA-256 of the certificate: a workspace holds many trust lists signed
 * by the same few certificates, and parsing a certificate costs fifty times more than hashing it. Not SHA-1,
 * for the reason workspace/certificateCache.ts gives: a crafted SHA-1 collision would verify one certificate's
 * trust list with another certificate's key.
 */
const KEY_CACHE_SIZE = 256;
const keyCache = new Map<string, KeyObject>();

export function clearPublicKeyCache(): void {
  keyCache.clear();
}

function certificateKey(der: Buffer): KeyObject {
  const id = createHash('sha256').update(der).digest('hex');
  let key = keyCache.get(id);
  if (!key) {
    key = new X509Certificate(der).publicKey;
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value as string);
    keyCache.set(id, key);
  }
  return key;
}

/** The public key a record carries: from its certificate, else from its PUBLICKEY (PKCS#1 RSAPublicKey). */
export function recordPublicKey(record: TrustRecord): KeyObject | undefined {
  try {
    if (record.certificate) return certificateKey(record.certificate);
  } catch {
    /* fall through to PUBLICKEY */
  }
  try {
    if (record.publicKey) return createPublicKey({ key: record.publicKey, format: 'der', type: 'pkcs1' });
  } catch {
    /* EC points and garbage are not RSA keys */
  }
  return undefined;
}

/** The bytes the signature covers: the whole file with the SIGNATURE element (tag, length, value) cut out. */
export function signedBytes(bytes: Buffer, list: Pick<TrustList, 'header'>): Buffer | undefined {
  const sig = list.header.signature;
  if (!sig || sig.truncated) return undefined;
  return Buffer.concat([bytes.subarray(0, sig.offset), bytes.subarray(sig.valueOffset + sig.length)]);
}

/**
 * Whether the header's signature verifies with `key` (RSA PKCS#1 v1.5, the header's digest). undefined when it
 * cannot be checked at all: no complete SIGNATURE, a digest other than SHA-1/SHA-256/SHA-512, or a key that is not RSA.
 */
export function signatureVerifiesWith(bytes: Buffer, header: TrustListHeader, key: KeyObject | undefined): boolean | undefined {
  const hash = header.hashAlgorithm !== undefined ? HASH_ALGORITHMS[header.hashAlgorithm] : undefined;
  const sig = header.signature;
  const data = signedBytes(bytes, { header });
  if (!hash || !sig || !data || sig.raw.length === 0 || !key || key.asymmetricKeyType !== 'rsa') return undefined;
  try {
    return cryptoVerify(hash.node, data, key, sig.raw);
  } catch {
    return false;
  }
}

export function verifyTrustList(bytes: Uint8Array, list: TrustList): SignatureCheck {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  if (list.stoppedAt !== undefined) {
    return {
      status: 'incomplete',
      message: `The signature was not checked: ITL Lens stopped reading the file at byte ${list.stoppedAt} of ${list.size}, so its records were not all read.`,
    };
  }
  const sig = list.header.signature;
  if (!sig || sig.truncated || sig.raw.length === 0) {
    return { status: 'unsigned', message: 'The file carries no complete SIGNATURE: phones will reject it.' };
  }
  const hash = list.header.hashAlgorithm !== undefined ? HASH_ALGORITHMS[list.header.hashAlgorithm] : undefined;
  if (!hash) {
    return {
      status: 'unsupported-algorithm',
      message: `The header's digest algorithm (${list.header.hashAlgorithm ?? 'missing'}) is not SHA-1, SHA-256 or SHA-512: the signature cannot be checked.`,
    };
  }
  if (list.header.signatureAlgorithm !== undefined && list.header.signatureAlgorithm !== 0) {
    return { status: 'unsupported-algorithm', hashName: hash.name, message: `Signature algorithm ${list.header.signatureAlgorithm} is not RSA (0).` };
  }
  const signer = findSigner(list);
  if (!signer) {
    return {
      status: 'signer-missing',
      hashName: hash.name,
      message: `The signer named in the header (serial ${list.header.signerSerial?.toString('hex').toUpperCase() ?? '?'}, ${list.header.signerName ?? 'no name'}) is in no SAST record of the file: phones that do not already trust it will reject the file.`,
    };
  }
  const key = recordPublicKey(signer);
  if (!key || key.asymmetricKeyType !== 'rsa') {
    return { status: 'unsupported-algorithm', signer, hashName: hash.name, message: `The signing record #${signer.index} does not hold an RSA key.` };
  }
  const ok = signatureVerifiesWith(buf, list.header, key) === true;
  return ok
    ? { status: 'valid', signer, hashName: hash.name, message: `The ${list.kind === 'TLV' ? 'trust list' : `${list.kind} file`} was verified successfully.` }
    : {
        status: 'invalid',
        signer,
        hashName: hash.name,
        message: `The signature does not verify against record #${signer.index} (${signer.subject ?? 'signer'}): the file was changed after it was signed, or signed with another key. Phones will reject it.`,
      };
}
