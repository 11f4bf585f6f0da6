/**
 * Which trust lists a phone holds, among the workspace's: per-device files first, then the cluster defaults
 * (reference part G: CTLSEP<MAC>.tlv, ITLSEP<MAC>.tlv, ITLFile.tlv; CTLFile.tlv without a per-device CTL [I]).
 */
import * as path from 'node:path';
import { TrustList } from '../core/tlv/model';
import { inScopeOf } from '../rules/nearestFiles';
import { HeldTrust } from './model';

/** A trust list of the workspace (an IndexedTrustList fits). */
export interface WorkspaceTrustList {
  uri: string;
  path?: string;
  bytes: Buffer;
  list: TrustList;
}

export interface HeldSources {
  held: HeldTrust;
  itl?: WorkspaceTrustList;
  ctl?: WorkspaceTrustList;
}

const baseName = (f: { path?: string; uri: string }) => path.basename(f.path ?? decodeURIComponent(f.uri.replace(/^[a-z]+:\/\//i, ''))).toUpperCase();

/** The phone name (SEP<MAC>) a file name starts with, upper case, or undefined. */
export function deviceOf(name: string): string | undefined {
  return /^(?:ITL|CTL)?(SEP[0-9A-F]{12})/i.exec(path.basename(name))?.[1].toUpperCase();
}

function pick(lists: WorkspaceTrustList[], kind: 'ITL' | 'CTL', device: string | undefined): WorkspaceTrustList | undefined {
  const own = device ? lists.find((l) => baseName(l) === `${kind}${device}.TLV`) : undefined;
  return own ?? lists.find((l) => baseName(l) === `${kind}FILE.TLV`) ?? lists.find((l) => l.list.kind === kind && !deviceOf(baseName(l)));
}

/** What the phone named by `forName` (SEP<MAC>.cnf.xml.sgn, ITLSEP<MAC>.tlv…) holds among `lists` near `fromPath`. */
export function heldByPhone(forName: string, fromPath: string | undefined, lists: WorkspaceTrustList[]): HeldSources {
  const near = inScopeOf(fromPath, lists, (l) => l.path);
  const device = deviceOf(forName);
  const itl = pick(near, 'ITL', device);
  const ctl = pick(near, 'CTL', device);
  return {
    held: { ...(itl ? { itl: { list: itl.list, name: itl.path ? path.basename(itl.path) : itl.uri } } : {}), ...(ctl ? { ctl: { list: ctl.list, name: ctl.path ? path.basename(ctl.path) : ctl.uri } } : {}) },
    itl,
    ctl,
  };
}
