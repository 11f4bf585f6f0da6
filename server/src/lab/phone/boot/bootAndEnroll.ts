/**
 * Boot, then the CAPF operation the configuration asks for: the host and port of capfList's first entry and
 * the authentication of capfAuthMode (1 string, 2 null, 3 LSC first, 4 MIC first; 0 = none: the phone does
 * not contact CAPF [I part E/C]), run by today's phone emulator against the ITL the phone holds after the boot.
 * One timeline: the boot's lines, then the CAPF session's.
 */
import { PhoneOptions, PhoneResult, runPhone, TimelineEntry } from '../phoneEmulator';
import { PhoneIdentity, PhoneStore } from '../phoneIdentity';
import { PhoneAuth } from '../phoneSession';
import { PhoneKeyProvider } from '../keyGeneration';
import { PhoneOutcome, PhoneStatus, SUCCESS_OUTCOMES } from '../statusMessages';
import { BootOptions, BootResult, bootPhone } from './phoneBoot';

export interface BootRunOptions extends BootOptions {
  identity: PhoneIdentity;
  /** where an installed LSC goes */
  phoneStore?: PhoneStore;
  /** the digits the user keys in for capfAuthMode 1 */
  authString?: string;
  keys?: PhoneKeyProvider;
  retries?: number;
  retryDelayMs?: number;
  serverStatus?: () => Promise<string | undefined>;
  extra?: Partial<PhoneOptions>;
}

export interface BootRun {
  boot: BootResult;
  /** the whole run as the phone emulator reports it; the timeline holds the boot and the CAPF session */
  phone: PhoneResult;
  /** whether the phone contacted CAPF */
  enrolled: boolean;
}

export function authForMode(mode: string, authString?: string): PhoneAuth | undefined {
  switch (mode) {
    case '1':
      return { mode: 'string', value: authString ?? '' };
    case '2':
      return { mode: 'null' };
    case '3':
      return { mode: 'certificate', precedence: 'LSC' };
    case '4':
      return { mode: 'certificate', precedence: 'MIC' };
    default:
      return undefined;
  }
}

export async function bootAndEnroll(o: BootRunOptions): Promise<BootRun> {
  return enrollAfter(o, await bootPhone(o));
}

/**
 * A phone that is not reset: it runs its CAPF operation with the ITL and CAPF settings it holds, without
 * downloading anything (the guide's "reset the phone to pick up the latest ITL file" not done yet).
 */
export async function enrollWithHeld(o: BootRunOptions): Promise<BootRun> {
  const held = await o.store.load();
  const e = { at: (o.clock ?? (() => new Date()))().toISOString(), kind: 'detail' as const, text: 'not reset: the phone uses the ITL and configuration it holds' };
  o.onTimeline?.(e);
  return enrollAfter(o, { device: o.device, timeline: [e], files: [], held, config: held.capf ? 'applied' : 'missing', capf: held.capf });
}

async function enrollAfter(o: BootRunOptions, boot: BootResult): Promise<BootRun> {
  const timeline: TimelineEntry[] = [...boot.timeline];
  const add = (kind: TimelineEntry['kind'], text: string) => {
    const e = { at: (o.clock ?? (() => new Date()))().toISOString(), kind, text };
    timeline.push(e);
    o.onTimeline?.(e);
  };
  const lscState = o.identity.lsc ? PhoneStatus.INSTALLED : PhoneStatus.NOT_INSTALLED;
  const done = async (outcome: PhoneOutcome, status: string, problem?: string): Promise<BootRun> => {
    if (timeline[timeline.length - 1]?.text !== status) add('status', status);
    const serverStatus = await o.serverStatus?.().catch(() => undefined);
    return { boot, enrolled: false, phone: { device: o.device, outcome, ok: SUCCESS_OUTCOMES.has(outcome), status, timeline, attempts: 0, serverStatus, problem } };
  };
  const listRejected = boot.files.some((f) => f.kind !== 'config' && (f.verdict?.verdict === 'rejected' || f.problem));
  if (!boot.held.itl) return done('no-capf', PhoneStatus.NO_VALID_CAPF_SERVER, 'the phone holds no ITL, so it has no CAPF certificate to trust: check that the TFTP server serves ITLFile.tlv, then reset the phone');
  if (!boot.capf) return done('no-capf', PhoneStatus.NO_VALID_CAPF_SERVER, 'no trusted configuration file names a CAPF server (capfList)');
  const auth = authForMode(boot.capf.authMode, o.authString);
  if (!auth) {
    add('detail', `capfAuthMode ${boot.capf.authMode}: no certificate operation, the phone does not contact CAPF`);
    return listRejected ? done('itl-rejected', PhoneStatus.TRUST_LIST_UPDATE_FAILED, 'the phone kept its old trust list') : done('no-operation', lscState);
  }
  add('detail', `CAPF ${boot.capf.host}:${boot.capf.port} (capfAuthMode ${boot.capf.authMode}, from ${boot.capf.from})`);
  const phone = await runPhone({
    identity: o.identity,
    itl: boot.held.itl,
    server: { host: boot.capf.host, port: boot.capf.port },
    auth,
    keys: o.keys,
    store: o.phoneStore,
    retries: o.retries,
    retryDelayMs: o.retryDelayMs,
    clock: o.clock,
    signal: o.signal,
    serverStatus: o.serverStatus,
    onTimeline: (e) => {
      timeline.push(e);
      o.onTimeline?.(e);
    },
    ...o.extra,
  });
  return { boot, enrolled: true, phone: { ...phone, timeline } };
}
