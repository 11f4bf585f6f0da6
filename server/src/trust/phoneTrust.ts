/**
 * The verdict a phone reaches on a file it downloads, given what it holds (docs/trust-model.md, reference
 * parts D–G). Pure and synchronous; `resolveViaTvs` asks an asynchronous TVS oracle (the lab's TVS) afterwards.
 */
import { TrustList, TrustRecord } from '../core/tlv/model';
import { recordPublicKey, signatureVerifiesWith } from '../core/tlv/verify';
import { Download, HeldList, HeldTrust, PhoneVerdict, Role, SyncTvsOracle, TvsAnswer, TvsOracle } from './model';
import { describeRecord, describeSigner, recordInfo } from './records';
import { certificateKey, headerNamesRecord } from './signerMatch';
import { recoveryFor } from './recovery';


/** Hash codes phones check: SHA-1 and SHA-512 (CUCM's TFTP File Signature Algorithm) [F tlvfile, enccnf; I phones]. */
const SUPPORTED_HASHES = new Set([1, 3]);

interface Check {
  held: HeldList;
  from: 'ITL' | 'CTL';
  roles: readonly number[];
}

/**
 * Which held lists authenticate a download, and with which roles (reference part G):
 * - a new ITL: the held CTL's SAST, CCM+TFTP or TFTP records [I: the CTL "authenticates the ITL"; pre-12.0 ITLs
 *   are signed by the TFTP CallManager certificate, later ones by ITLRecovery], then the held ITL's SAST records;
 * - a new CTL: the held CTL's SAST records; without a CTL, the held ITL's SAST records [I];
 * - a signed file: TFTP or CCM+TFTP records of the held CTL, then of the held ITL.
 */
function checksFor(held: HeldTrust, d: Download): Check[] {
  const out: Check[] = [];
  const add = (h: HeldList | undefined, from: 'ITL' | 'CTL', roles: readonly number[]) => h && out.push({ held: h, from, roles });
  if (d.kind === 'ITL') {
    add(held.ctl, 'CTL', [Role.SAST, Role.CCM_TFTP, Role.TFTP]);
    add(held.itl, 'ITL', [Role.SAST]);
  } else if (d.kind === 'CTL') {
    if (held.ctl) add(held.ctl, 'CTL', [Role.SAST]);
    else add(held.itl, 'ITL', [Role.SAST]);
  } else {
    add(held.ctl, 'CTL', [Role.CCM_TFTP, Role.TFTP]);
    add(held.itl, 'ITL', [Role.CCM_TFTP, Role.TFTP]);
  }
  return out;
}

/** The roles TVS must vouch for [I: those a held record would need]. */
export function rolesNeeded(d: Download): readonly number[] {
  return d.kind === 'signed-file' ? [Role.CCM_TFTP, Role.TFTP] : [Role.SAST, Role.CCM_TFTP, Role.TFTP];
}

function word(d: Download): string {
  return d.kind === 'signed-file' ? 'signed file' : d.kind;
}

function statusAccepted(held: HeldTrust, d: Download): string | undefined {
  if (d.kind === 'signed-file') return undefined;
  if (held.itl || held.ctl) return 'Trust List updated';
  return d.kind === 'CTL' ? 'CTL installed' : 'ITL installed';
}

function statusRejected(d: Download): string | undefined {
  if (d.kind === 'signed-file') return undefined;
  return d.kind === 'CTL' ? 'CTL update failed' : 'Trust List update failed';
}

const CONFIG_CONSOLE = 'sgn verify file failed ... errcode 19 (signer not in CTL)';

function behaviourAccepted(d: Download): string {
  return d.kind === 'signed-file' ? 'The phone applies the file.' : `The phone installs the new ${d.kind} and trusts its records from now on.`;
}

function behaviourRejected(d: Download): string {
  return d.kind === 'signed-file'
    ? 'The phone ignores the file and keeps its old configuration: changes made on the CUCM page do not take effect.'
    : `The phone keeps its old ${d.kind} and ignores every configuration change signed by a certificate that list does not trust ("changes do not take effect").`;
}

type Partial = Omit<PhoneVerdict, 'recovery' | 'phoneBehaviour' | 'phoneStatus' | 'phoneConsole'>;

function finish(held: HeldTrust, d: Download, v: Partial): PhoneVerdict {
  const accepted = v.verdict === 'accepted';
  const pending = v.verdict === 'accepted-via-tvs';
  const out: PhoneVerdict = {
    ...v,
    phoneStatus: accepted ? statusAccepted(held, d) : pending ? undefined : statusRejected(d),
    ...(v.verdict === 'rejected' && d.kind === 'signed-file' && (v.rejection === 'signer-not-trusted' || v.rejection === 'tvs-unknown') ? { phoneConsole: CONFIG_CONSOLE } : {}),
    phoneBehaviour: accepted
      ? behaviourAccepted(d)
      : pending
        ? `If TVS vouches for the signer: ${behaviourAccepted(d)} If not: ${behaviourRejected(d)}`
        : behaviourRejected(d),
    recovery: [],
  };
  out.recovery = recoveryFor(held, d, out);
  return out;
}

function signerCertificateLabel(d: Download): string {
  const h = d.header;
  return `${describeSigner(h)}${h.signerIssuer ? `, issued by ${h.signerIssuer}` : ''}`;
}

/** The downloaded trust list's own signing SAST record's certificate, if it carries one. */
export function ownSignerCertificate(list: TrustList): Buffer | undefined {
  return list.records.find((r) => r.role === Role.SAST && r.certificate && headerNamesRecord(list.header, r))?.certificate;
}

/** The verdict; with a synchronous `tvs` oracle, an accepted-via-tvs verdict is resolved. */
export function phoneVerdict(held: HeldTrust, d: Download, tvs?: SyncTvsOracle): PhoneVerdict {
  const v = judge(held, d);
  if (v.verdict === 'accepted-via-tvs' && tvs && v.tvs?.certificate) return applyTvsAnswer(held, d, v, tvs(v.tvs.certificate));
  return v;
}

/** Resolves an accepted-via-tvs verdict with an asynchronous oracle (the lab's TVS over TCP 2445). */
export async function resolveViaTvs(held: HeldTrust, d: Download, v: PhoneVerdict, tvs: TvsOracle): Promise<PhoneVerdict> {
  if (v.verdict !== 'accepted-via-tvs' || !v.tvs?.certificate) return v;
  return applyTvsAnswer(held, d, v, await tvs(v.tvs.certificate));
}

export function applyTvsAnswer(held: HeldTrust, d: Download, v: PhoneVerdict, answer: TvsAnswer): PhoneVerdict {
  if (!v.tvs) return v;
  const tvs = { ...v.tvs, answer };
  const needed = rolesNeeded(d);
  const roleOk = !answer.roles || answer.roles.some((r) => needed.includes(r));
  const asked = tvs.ask.map(describeRecord).join(', ');
  if (answer.known && roleOk) {
    return finish(held, d, { verdict: 'accepted', basis: 'tvs', tvs, reason: `The signer ${tvs.certificateLabel} is in no record of the held list, but TVS (${asked}) knows its certificate and vouches for it.` });
  }
  return finish(held, d, {
    verdict: 'rejected',
    rejection: 'tvs-unknown',
    tvs,
    reason: answer.known
      ? `TVS (${asked}) knows the signer ${tvs.certificateLabel} only for roles ${answer.roles?.join(', ')}, not for signing this ${word(d)}.`
      : `The signer ${tvs.certificateLabel} is in no record of the held list, and TVS (${asked}) does not know its certificate.`,
  });
}

function judge(held: HeldTrust, d: Download): PhoneVerdict {
  const w = word(d);
  const errors = d.problems.filter((p) => p.severity === 'error');
  if (errors.length) {
    return finish(held, d, { verdict: 'rejected', rejection: 'malformed', reason: `The ${w} is malformed: ${errors[0].message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}` });
  }
  const sig = d.header.signature;
  if (!sig || sig.truncated || sig.raw.length === 0) {
    return finish(held, d, { verdict: 'rejected', rejection: 'unsigned', reason: `The ${w} carries no complete SIGNATURE.` });
  }
  const checks = checksFor(held, d);
  if (!checks.length) {
    if (d.kind === 'signed-file') {
      return finish(held, d, { verdict: 'accepted', basis: 'first-use', reason: 'The phone holds no CTL or ITL: nothing to check the signer against (such a phone asks for the unsigned file).' });
    }
    const own = d.list ? ownSignerCertificate(d.list) : undefined;
    if (own && signatureVerifiesWith(d.bytes, d.header, certificateKey(own)) === false) {
      return finish(held, d, { verdict: 'rejected', rejection: 'signature-invalid', reason: `The ${w}'s signature does not verify with its own signing SAST record: the file was changed after it was signed.` });
    }
    return finish(held, d, { verdict: 'accepted', basis: 'first-use', reason: `The phone holds no CTL or ITL: it trusts the first ${w} it gets (trust on first use).` });
  }
  if (d.header.hashAlgorithm === undefined || !SUPPORTED_HASHES.has(d.header.hashAlgorithm) || (d.header.signatureAlgorithm ?? 0) !== 0) {
    return finish(held, d, {
      verdict: 'rejected',
      rejection: 'unsupported-hash',
      reason: `The ${w} is signed with digest ${d.header.hashAlgorithm ?? 'missing'}${(d.header.signatureAlgorithm ?? 0) !== 0 ? ` and signature algorithm ${d.header.signatureAlgorithm}` : ''}: phones check RSA signatures with SHA-1 (1) or SHA-512 (3) only.`,
    });
  }
  let namedButFailed: { record: TrustRecord; from: 'ITL' | 'CTL' } | undefined;
  for (const c of checks) {
    const eligible = c.held.list.records.filter((r) => r.role !== undefined && c.roles.includes(r.role));
    const named = eligible.filter((r) => headerNamesRecord(d.header, r));
    for (const r of named) {
      if (signatureVerifiesWith(d.bytes, d.header, recordPublicKey(r))) return acceptedBy(held, d, r, c.from);
      namedButFailed ??= { record: r, from: c.from };
    }
    // The header may spell the names differently (tlvfile writes `,`): the record's key decides.
    for (const r of eligible) {
      if (!named.includes(r) && signatureVerifiesWith(d.bytes, d.header, recordPublicKey(r))) return acceptedBy(held, d, r, c.from);
    }
  }
  if (namedButFailed) {
    const info = recordInfo(namedButFailed.record, namedButFailed.from);
    return finish(held, d, {
      verdict: 'rejected',
      rejection: 'signature-invalid',
      record: info,
      reason: `The ${w} names the signer ${describeSigner(d.header)}, which the phone trusts (${describeRecord(info)}), but the signature does not verify with that record's key: the file was changed after it was signed, or signed by another key with the same name and serial.`,
    });
  }
  const tvsRecords = (held.itl?.list.records ?? []).filter((r) => r.role === Role.TVS);
  const roleWords = d.kind === 'signed-file' ? 'TFTP or CCM+TFTP' : 'SAST';
  const heldWords = checks.map((c) => `${c.from}${c.held.name ? ` ${c.held.name}` : ''}`).join(' and ');
  if (!tvsRecords.length) {
    return finish(held, d, {
      verdict: 'rejected',
      rejection: 'signer-not-trusted',
      reason: `The signer ${describeSigner(d.header)} is no ${roleWords} record of the held ${heldWords}, and the held ITL lists no TVS to ask.`,
    });
  }
  const cert = d.signerCertificate;
  if (cert && signatureVerifiesWith(d.bytes, d.header, certificateKey(cert)) === false) {
    return finish(held, d, { verdict: 'rejected', rejection: 'signature-invalid', reason: `The ${w}'s signature does not verify with its signer's certificate: the file was changed after it was signed.` });
  }
  return finish(held, d, {
    verdict: 'accepted-via-tvs',
    basis: 'tvs',
    tvs: { ask: tvsRecords.map((r) => recordInfo(r, 'ITL')), certificate: cert, certificateLabel: signerCertificateLabel(d) },
    reason: `The signer ${describeSigner(d.header)} is no ${roleWords} record of the held ${heldWords}: the phone asks TVS (${tvsRecords.map((r) => describeRecord(recordInfo(r, 'ITL'))).join(', ')}) and accepts the ${w} only if TVS knows that certificate${cert ? '' : ' (its certificate is not in the file or the workspace, so it cannot be asked here)'}.`,
  });
}

function acceptedBy(held: HeldTrust, d: Download, r: TrustRecord, from: 'ITL' | 'CTL'): PhoneVerdict {
  const info = recordInfo(r, from);
  return finish(held, d, { verdict: 'accepted', basis: 'record', record: info, reason: `Signed by ${describeRecord(info)} of the held ${from}: the signature verifies with that record's key.` });
}

/** A TVS oracle that knows these certificates (DER), for any role: the CLI's --tvs-knows. */
export function tvsKnowing(certificates: Buffer[]): SyncTvsOracle {
  return (cert) => ({ known: certificates.some((c) => c.equals(cert)) });
}
