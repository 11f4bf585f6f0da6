/**
 * Compares two trust lists as phones see them: will phones that hold HELD accept NEW (the verdict), and what
 * changes for them (records added, removed, re-issued, role changes, signer change) with what each means.
 */
import { TrustList, TrustRecord } from '../core/tlv/model';
import { Download, HeldTrust, PhoneVerdict, RecordInfo, Role, SyncTvsOracle } from './model';
import { phoneVerdict } from './phoneTrust';
import { recordInfo, describeSigner } from './records';
import { headerNamesRecord, sameCertificate, sameDistinguishedName, sameSerial } from './signerMatch';

export type ChangeKind = 'added' | 'removed' | 'regenerated' | 'role-changed' | 'signer-changed';

export interface TrustListChange {
  kind: ChangeKind;
  /** the record in the held file */
  held?: RecordInfo;
  /** the record in the new file */
  new?: RecordInfo;
  /** what it means for phones */
  meaning: string;
}

export interface TrustListComparison {
  verdict: PhoneVerdict;
  changes: TrustListChange[];
}

const ROLE_WORD: Record<number, string> = { 0: 'SAST', 1: 'CCM', 2: 'CCM+TFTP', 3: 'TFTP', 4: 'CAPF', 5: 'SRST', 7: 'APP-SERVER', 21: 'TVS' };
const roleWord = (r: number | undefined) => (r === undefined ? 'no FUNCTION' : ROLE_WORD[r] ?? `role ${r}`);

/** What a record appearing (new certificate for the role) means for phones, by role. */
function meaningAdded(role: number | undefined, regenerated: boolean): string {
  switch (role) {
    case Role.CAPF:
      return 'A new CAPF certificate: LSC installs, upgrades and deletions need this ITL on the phone first — until then the phone does not trust CAPF on TCP 3804.';
    case Role.TFTP:
    case Role.CCM_TFTP:
      return 'A new TFTP certificate: configuration files signed with it are trusted only once this ITL is installed; phones that refuse the ITL ignore them ("changes do not take effect").';
    case Role.TVS:
      return regenerated
        ? 'A new TVS certificate: phones trust it only once this ITL is installed; until then their TLS connection to that TVS fails [I].'
        : 'A new TVS: phones holding this ITL may ask it (TCP 2445) about certificates their ITL lacks.';
    case Role.SAST:
      return regenerated
        ? 'A new SAST certificate: phones that hold the old ITL trust only the old one, so an ITL signed by the new key needs TVS or a recovery (utils itl reset) to reach them.'
        : 'A new SAST certificate: it may sign the next ITL for phones that hold this one.';
    case Role.CCM:
      return 'A new CallManager certificate: secure signalling (TLS 5061/2443) to it is trusted only once this ITL is installed.';
    case Role.APP_SERVER:
      return 'A new application-server certificate: HTTPS to it is trusted only once this ITL is installed.';
    default:
      return 'Trusted by phones only once this list is installed.';
  }
}

function meaningRemoved(role: number | undefined): string {
  switch (role) {
    case Role.CAPF:
      return 'No CAPF certificate any more: phones that install this ITL cannot trust CAPF and LSC operations fail ("No valid CAPF server").';
    case Role.TFTP:
    case Role.CCM_TFTP:
      return 'Configuration files signed with this certificate are no longer trusted by phones that install this ITL.';
    case Role.TVS:
      return 'TVS record gone: HTTPS services and future migrations lose their verifier — phones holding this ITL cannot ask that TVS any more.';
    case Role.SAST:
      return 'Phones that install this ITL no longer accept trust lists signed with this key: it cannot recover them later.';
    case Role.CCM:
      return 'Secure signalling to this CallManager is no longer trusted by phones that install this list.';
    default:
      return 'No longer trusted by phones that install this list.';
  }
}

interface Pairing {
  held: TrustRecord[];
  fresh: TrustRecord[];
  changes: TrustListChange[];
}

/** Pairs records that satisfy `same`, first come first served, removing them from the pools. */
function pair(p: Pairing, same: (a: TrustRecord, b: TrustRecord) => boolean, make: (a: TrustRecord, b: TrustRecord) => TrustListChange | undefined): void {
  for (const h of [...p.held]) {
    const n = p.fresh.find((x) => same(h, x));
    if (!n) continue;
    p.held.splice(p.held.indexOf(h), 1);
    p.fresh.splice(p.fresh.indexOf(n), 1);
    const c = make(h, n);
    if (c) p.changes.push(c);
  }
}

export function recordChanges(held: TrustList, fresh: TrustList): TrustListChange[] {
  const heldFrom = held.kind === 'CTL' ? 'CTL' : 'ITL';
  const p: Pairing = { held: [...held.records], fresh: [...fresh.records], changes: [] };
  const info = (a: TrustRecord, b: TrustRecord) => ({ held: recordInfo(a, heldFrom), new: recordInfo(b, 'download') });
  pair(p, (a, b) => a.role === b.role && sameCertificate(a, b), () => undefined);
  pair(
    p,
    (a, b) => sameCertificate(a, b),
    (a, b) => ({
      kind: 'role-changed',
      ...info(a, b),
      meaning: `Same certificate, now ${roleWord(b.role)} instead of ${roleWord(a.role)}. ${meaningRemoved(a.role)} ${meaningAdded(b.role, false)}`,
    }),
  );
  pair(
    p,
    (a, b) => a.role === b.role && !!a.subject && !!b.subject && sameDistinguishedName(a.subject, b.subject),
    (a, b) => ({ kind: 'regenerated', ...info(a, b), meaning: `Regenerated (same subject and role, another certificate). ${meaningAdded(b.role, true)}` }),
  );
  for (const h of p.held) p.changes.push({ kind: 'removed', held: recordInfo(h, heldFrom), meaning: meaningRemoved(h.role) });
  for (const n of p.fresh) p.changes.push({ kind: 'added', new: recordInfo(n, 'download'), meaning: meaningAdded(n.role, false) });
  return p.changes;
}

function signerRecord(list: TrustList): TrustRecord | undefined {
  return list.records.find((r) => r.role === Role.SAST && headerNamesRecord(list.header, r));
}

function signerChange(held: TrustList, fresh: TrustList, v: PhoneVerdict): TrustListChange | undefined {
  const a = held.header;
  const b = fresh.header;
  const same = a.signerSerial && b.signerSerial && sameSerial(a.signerSerial, b.signerSerial) && (!a.signerIssuer || !b.signerIssuer || sameDistinguishedName(a.signerIssuer, b.signerIssuer));
  if (same) return undefined;
  const hr = signerRecord(held);
  const nr = signerRecord(fresh);
  const consequence =
    v.verdict === 'accepted'
      ? 'Phones accept it (see the verdict); the next ITL must be signed by a SAST of this one.'
      : v.verdict === 'accepted-via-tvs'
        ? 'Phones accept it only if TVS vouches for the new signer.'
        : 'Phones that hold the old list refuse it ("Trust List update failed").';
  return {
    kind: 'signer-changed',
    ...(hr ? { held: recordInfo(hr, held.kind === 'CTL' ? 'CTL' : 'ITL') } : {}),
    ...(nr ? { new: recordInfo(nr, 'download') } : {}),
    meaning: `Signed by ${describeSigner(b)} instead of ${describeSigner(a)}. ${consequence}`,
  };
}

/**
 * The verdict of phones that hold `held` (the main held list: `heldList`) on `download`, and the changes from
 * `heldList` to the downloaded list.
 */
export function compareTrustLists(held: HeldTrust, heldList: TrustList, download: Download & { list: TrustList }, tvs?: SyncTvsOracle): TrustListComparison {
  const verdict = phoneVerdict(held, download, tvs);
  const changes = recordChanges(heldList, download.list);
  const signer = signerChange(heldList, download.list, verdict);
  return { verdict, changes: signer ? [signer, ...changes] : changes };
}
