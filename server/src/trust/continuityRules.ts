/**
 * Trust continuity: will phones that hold the deployed trust lists accept the candidate ones? For the language
 * server's setting itlLens.trust.deployed (later) and any caller with both sets decoded. Which held list
 * applies: ITLSEP<MAC>.tlv against the held one of that MAC, else the held ITLFile.tlv; CTL likewise; otherwise
 * a held list with the same FILENAME.
 */
import * as path from 'node:path';
import { findElement } from '../core/tlv/model';
import { HeaderTag } from '../core/tlv/tags';
import { RULE_CODES } from '../rules/codes';
import { DiagnosticTarget, RelatedTarget, RuleDiagnostic } from '../rules/ruleDiagnostic';
import { recordLabel } from '../rules/targets';
import { trustListDownload } from './downloads';
import { deviceOf, WorkspaceTrustList } from './heldLists';
import { HeldTrust, Role, SyncTvsOracle } from './model';
import { phoneVerdict } from './phoneTrust';

export interface ContinuityFinding extends RuleDiagnostic {
  /** the candidate file the finding is on */
  uri: string;
}

const base = (f: WorkspaceTrustList) => path.basename(f.path ?? decodeURIComponent(f.uri)).toUpperCase();

/** The held list of `kind` that a phone fetching `candidate` holds. */
export function heldCounterpart(candidate: WorkspaceTrustList, held: WorkspaceTrustList[], kind: 'ITL' | 'CTL'): WorkspaceTrustList | undefined {
  const device = deviceOf(base(candidate));
  const ofKind = held.filter((h) => h.list.kind === kind);
  return (
    (device ? ofKind.find((h) => base(h) === `${kind}${device}.TLV`) : undefined) ??
    ofKind.find((h) => base(h) === `${kind}FILE.TLV`) ??
    ofKind.find((h) => h.list.header.filename !== undefined && h.list.header.filename.toUpperCase() === candidate.list.header.filename?.toUpperCase())
  );
}

function signerTarget(c: WorkspaceTrustList): DiagnosticTarget {
  const e = findElement(c.list.header.elements, HeaderTag.SIGNER_INFO);
  return e ? { in: 'trust-list', range: e.range, section: 0, tag: HeaderTag.SIGNER_INFO } : { in: 'trust-list', range: c.list.header.range, section: 0 };
}

function related(h: WorkspaceTrustList | undefined, roles: readonly number[], what: string): RelatedTarget[] {
  if (!h) return [];
  return h.list.records
    .filter((r) => r.role !== undefined && roles.includes(r.role))
    .map((r) => ({ uri: h.uri, target: { in: 'trust-list', range: r.range, section: r.index }, message: `${what}: ${recordLabel(r)} of the deployed ${path.basename(h.path ?? h.uri)}` }));
}

export function trustContinuityRules(held: WorkspaceTrustList[], candidates: WorkspaceTrustList[], tvs?: SyncTvsOracle): ContinuityFinding[] {
  const out: ContinuityFinding[] = [];
  for (const c of candidates) {
    if (c.list.size === 0) continue;
    const kind = c.list.kind === 'CTL' ? 'CTL' : 'ITL';
    const itl = heldCounterpart(c, held, 'ITL');
    const ctl = heldCounterpart(c, held, 'CTL');
    if (!itl && !ctl) continue;
    const h: HeldTrust = {
      ...(itl ? { itl: { list: itl.list, name: path.basename(itl.path ?? itl.uri) } } : {}),
      ...(ctl ? { ctl: { list: ctl.list, name: path.basename(ctl.path ?? ctl.uri) } } : {}),
    };
    const v = phoneVerdict(h, trustListDownload(c.bytes, c.list, path.basename(c.path ?? c.uri)), tvs);
    if (v.verdict === 'accepted') continue;
    const steps = v.recovery.map((s) => s.action).join(' ');
    if (v.verdict === 'accepted-via-tvs') {
      out.push({
        uri: c.uri,
        code: 'trust-update-needs-tvs',
        severity: RULE_CODES['trust-update-needs-tvs'],
        message: `${v.reason} If TVS does not know it, phones show "Trust List update failed", keep the deployed ${kind} and ignore configuration changes. Before deploying: ${v.recovery[0]?.action ?? ''}`,
        target: signerTarget(c),
        related: related(itl, [Role.TVS], 'The phone asks this TVS'),
      });
      continue;
    }
    out.push({
      uri: c.uri,
      code: 'trust-update-rejected',
      severity: RULE_CODES['trust-update-rejected'],
      message: `Phones that hold the deployed ${kind} reject this one ("${v.phoneStatus ?? 'Trust List update failed'}"): ${v.reason} They keep their old ${kind} and ignore configuration changes. ${steps}`,
      target: signerTarget(c),
      related: [...related(ctl, kind === 'ITL' ? [Role.SAST, Role.CCM_TFTP, Role.TFTP] : [Role.SAST], 'Phones trust'), ...related(itl, [Role.SAST], 'Phones trust')],
    });
  }
  return out;
}
