/**
 * How the emulated phone decides whom to trust as CAPF: the ITL must verify, it must hold a CAPF record, and
 * the certificate the server presents in TLS must match one: by the record's CERTIFICATE, its CERTHASH
 * (SHA-1 unless HASH ALGORITHM says otherwise), or its PUBLICKEY (TLS has proved the server holds that key).
 */
import { createHash } from 'node:crypto';
import { decodeCertificate } from '../../core/cert/decodeCertificate';
import { CAPF_ROLE, HASH_ALGORITHMS, decodeTrustList, verifyTrustList, TrustRecord } from '../../core/tlv';
import { PhoneStatus } from './statusMessages';

/** An ITL as the phone holds it after loading: verified, with its CAPF records, or why it is of no use. */
export type LoadedItl =
  | { ok: true; capfRecords: TrustRecord[]; signer: string }
  | { ok: false; status: typeof PhoneStatus.TRUST_LIST_UPDATE_FAILED | typeof PhoneStatus.NO_VALID_CAPF_SERVER; problem: string };

/** What a phone does when it downloads an ITL: decode, verify the signature, pick out the CAPF records. */
export function loadItl(itl: Buffer): LoadedItl {
  const list = decodeTrustList(itl, 'ITLFile.tlv');
  const sig = verifyTrustList(itl, list);
  if (sig.status !== 'valid') return { ok: false, status: PhoneStatus.TRUST_LIST_UPDATE_FAILED, problem: `the ITL was rejected: ${sig.message}` };
  const capfRecords = list.records.filter((r) => r.role === CAPF_ROLE);
  if (capfRecords.length === 0) {
    return { ok: false, status: PhoneStatus.NO_VALID_CAPF_SERVER, problem: 'the ITL holds no CAPF record: activate the CAPF service, restart TFTP and reset the phone so that it loads the new ITL' };
  }
  return { ok: true, capfRecords, signer: sig.signer?.subject ?? 'unknown signer' };
}

export type CapfMatch = { matched: true; record: TrustRecord; by: 'certificate' | 'certificate hash' | 'public key' } | { matched: false; problem: string };

/**
 * The last certificate each ITL's CAPF records matched, by its bytes: a phone meets the same CAPF certificate on
 * every connection, and the same bytes match the same way, so only a different certificate is hashed again.
 */
const lastMatch = new WeakMap<TrustRecord[], { der: Buffer; match: CapfMatch }>();

export function matchCapfCertificate(records: TrustRecord[], presentedDer: Buffer): CapfMatch {
  const last = lastMatch.get(records);
  if (last?.der.equals(presentedDer)) return last.match;
  const match = findCapfRecord(records, presentedDer);
  if (match.matched) lastMatch.set(records, { der: Buffer.from(presentedDer), match });
  return match;
}

function findCapfRecord(records: TrustRecord[], presentedDer: Buffer): CapfMatch {
  const sha1 = createHash('sha1').update(presentedDer).digest(); // once per certificate: matches are remembered
  let presentedKey: Buffer | undefined | null = null; // decoded only when a record needs it
  const keyOf = () => {
    if (presentedKey === null) {
      const d = decodeCertificate(presentedDer);
      const k = d.ok ? d.certificate.publicKey : undefined;
      presentedKey = k?.type === 'RSA' ? k.pkcs1 : k?.type === 'EC' ? k.point : undefined;
    }
    return presentedKey;
  };
  for (const record of records) {
    if (record.certificate?.equals(presentedDer)) return { matched: true, record, by: 'certificate' };
    if (record.certHash) {
      const algorithm = record.certHashAlgorithm ?? 1;
      const digest = algorithm === 1 ? sha1 : createHash(HASH_ALGORITHMS[algorithm]?.node ?? 'sha1').update(presentedDer).digest();
      if (digest.equals(record.certHash)) return { matched: true, record, by: 'certificate hash' };
    }
    if (record.publicKey && keyOf()?.equals(record.publicKey)) return { matched: true, record, by: 'public key' };
  }
  const decoded = decodeCertificate(presentedDer);
  const subject = decoded.ok ? decoded.certificate.subject.rfc4514 : 'an unreadable certificate';
  return {
    matched: false,
    problem: `the server presented ${subject} (SHA-1 ${sha1.toString('hex').toUpperCase()}), which matches no CAPF record of the ITL: the CAPF certificate changed after the ITL was built, or this is not the cluster's CAPF`,
  };
}
