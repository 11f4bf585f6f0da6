/**
 * A phone's boot, as far as trust goes (reference parts D–G; docs/phone-boot.md):
 *   1. Load what it holds (trustStore.ts).
 *   2. TFTP: CTLSEP<MAC>.tlv (else CTLFile.tlv [I]), ITLSEP<MAC>.tlv (else ITLFile.tlv), SEP<MAC>.cnf.xml.sgn.
 *      "File Not Found" is normal for a file the cluster does not have.
 *   3. Judge each with the trust model (server/src/trust/phoneTrust.ts: the verdicts `itl-lens compare` and
 *      `check` print): nothing held = trust on first use; else a held signer, or TVS — asked over TLS, the TVS
 *      trusted only through a TVS record of the held ITL. Accepted lists are installed (kept across boots).
 *   4. A trusted configuration gives the CAPF settings (capfList, capfAuthMode); an untrusted one is ignored and
 *      the phone keeps its old settings.
 * Each step goes to the timeline as the phone shows it ("ITL installed", "Trust List updated", "Trust List
 * update failed") or as a detail line.
 */
import { Clock, systemClock } from '../../../core/time/clock';
import { decodeTrustList } from '../../../core/tlv/decode';
import { TrustList } from '../../../core/tlv/model';
import { decodeSignedFile } from '../../../core/sgn/decode';
import { configFacts } from '../../../core/sgn/configFacts';
import { trustListDownload, signedFileDownload } from '../../../trust/downloads';
import { Download, HeldTrust, PhoneVerdict, Role, TvsAnswer } from '../../../trust/model';
import { phoneVerdict, resolveViaTvs } from '../../../trust/phoneTrust';
import { findSignerCertificate } from '../../../trust/signedFileRules';
import { tftpGet, TftpError } from '../../tftp/tftpClient';
import { TFTP_ERROR } from '../../tftp/tftpPackets';
import { tvsVerify } from '../../tvs/tvsClient';
import { TVS_PORT } from '../../tvs/tvsProtocol';
import { matchCapfCertificate } from '../trustedCapf';
import { TimelineEntry } from '../phoneEmulator';
import { bootFileNames } from './bootFiles';
import { CapfSettings, HeldFiles, TrustStore } from './trustStore';

export interface BootOptions {
  /** SEP<12 hex>, validated */
  device: string;
  /** the phone model for TVS's DEVICE_NAME (CP-<model>-SEP<MAC>); default 8841 */
  model?: string;
  tftp: { host: string; port: number };
  /** the TVS the phone asks; default the TFTP host on 2445 [I: CUCM runs TVS on every node] */
  tvs?: { host: string; port: number };
  store: TrustStore;
  clock?: Clock;
  onTimeline?: (e: TimelineEntry) => void;
  /** TFTP resend interval (default 1000 ms) and resends (default 3) */
  tftpRetransmitMs?: number;
  tftpRetries?: number;
  tvsTimeoutMs?: number;
  signal?: AbortSignal;
}

/** One file of the boot: what was asked, what came, and the verdict against what the phone held then. */
export interface BootFile {
  name: string;
  kind: 'CTL' | 'ITL' | 'config';
  found: boolean;
  bytes?: Buffer;
  /** what the phone held when it judged the file */
  heldBefore: { itl?: Buffer; ctl?: Buffer };
  verdict?: PhoneVerdict;
  /** the same bytes as held: nothing to judge */
  unchanged?: boolean;
  /** why it could not be fetched (other than File Not Found) */
  problem?: string;
  /** when TVS was asked: its answer, or why it could not be */
  tvs?: { answered: boolean; known?: boolean; problem?: string };
}

export interface BootResult {
  device: string;
  timeline: TimelineEntry[];
  files: BootFile[];
  /** what the phone holds after the boot */
  held: HeldFiles;
  /** the configuration file: applied, ignored (untrusted), or none found */
  config: 'applied' | 'ignored' | 'missing' | 'unreadable';
  /** the CAPF settings in effect after the boot (new, or kept from an earlier boot) */
  capf?: CapfSettings;
}

/** What the timeline shows when the configuration's signer is not trusted [I: phones show no status message for it; part E: changes "do not take effect"]. */
export const CONFIG_IGNORED = 'Configuration ignored: signer not trusted';

type Add = (kind: TimelineEntry['kind'], text: string) => void;

async function fetch(o: BootOptions, name: string, add: Add): Promise<{ bytes?: Buffer; problem?: string }> {
  try {
    const r = await tftpGet({ host: o.tftp.host, port: o.tftp.port, file: name, blksize: 1428, tsize: true, retransmitMs: o.tftpRetransmitMs ?? 1000, maxRetries: o.tftpRetries ?? 3, signal: o.signal });
    add('detail', `TFTP ${name}: ${r.data.length} bytes`);
    return { bytes: r.data };
  } catch (e) {
    if (e instanceof TftpError && e.code === TFTP_ERROR.FILE_NOT_FOUND) {
      add('detail', `TFTP ${name}: File Not Found`);
      return {};
    }
    if (o.signal?.aborted) throw Object.assign(new Error('the boot was cancelled'), { name: 'AbortError' });
    const problem = `TFTP ${name}: ${(e as Error).message}`;
    add('detail', problem);
    return { problem };
  }
}

function heldTrust(h: HeldFiles): { trust: HeldTrust; itl?: TrustList; ctl?: TrustList } {
  const itl = h.itl ? decodeTrustList(h.itl, 'ITLFile.tlv') : undefined;
  const ctl = h.ctl ? decodeTrustList(h.ctl, 'CTLFile.tlv') : undefined;
  return { trust: { ...(itl ? { itl: { list: itl, name: 'ITL on the phone' } } : {}), ...(ctl ? { ctl: { list: ctl, name: 'CTL on the phone' } } : {}) }, itl, ctl };
}

/**
 * Asks the TVS about a certificate, trusting the TVS only if the certificate it presents matches a TVS
 * record of the held ITL (by certificate, CERTHASH or PUBLICKEY — the CAPF check of trustedCapf.ts).
 */
function askTvs(o: BootOptions, itl: TrustList | undefined, file: BootFile, add: Add) {
  return async (certificate: Buffer): Promise<TvsAnswer> => {
    const records = (itl?.records ?? []).filter((r) => r.role === Role.TVS);
    const where = o.tvs ?? { host: o.tftp.host, port: TVS_PORT };
    try {
      const r = await tvsVerify({
        host: where.host,
        port: where.port,
        trusted: [],
        trustPeer: (der) => matchCapfCertificate(records, der).matched,
        deviceName: `CP-${o.model ?? '8841'}-${o.device}`,
        certificate,
        timeoutMs: o.tvsTimeoutMs ?? 10_000,
      });
      file.tvs = { answered: true, known: r.status === 'valid' };
      add('detail', `TVS ${where.host}:${where.port}: ${r.status === 'valid' ? `knows the signer (roles ${r.roles.join(', ') || 'none'}, TTL ${r.ttl ?? '-'} s)` : 'does not know the signer'}`);
      return { known: r.status === 'valid', roles: r.status === 'valid' ? r.roles : undefined };
    } catch (e) {
      file.tvs = { answered: false, problem: (e as Error).message };
      add('detail', `TVS ${where.host}:${where.port}: ${(e as Error).message}`);
      return { known: false };
    }
  };
}

/** The verdict, with TVS asked when the model says so; a TVS question without a certificate to ask fails [I]. */
async function judge(o: BootOptions, held: HeldTrust, itl: TrustList | undefined, d: Download, file: BootFile, add: Add): Promise<PhoneVerdict> {
  const v = phoneVerdict(held, d);
  if (v.verdict !== 'accepted-via-tvs') return v;
  if (!v.tvs?.certificate) {
    add('detail', `TVS: the phone holds no certificate for the signer ${v.tvs?.certificateLabel ?? ''} to ask about`);
    file.tvs = { answered: false, problem: 'no signer certificate to ask about' };
    return { ...v, verdict: 'rejected', rejection: 'tvs-unknown', reason: `${v.reason} The phone has no certificate of that signer to ask TVS about.` };
  }
  return resolveViaTvs(held, d, v, askTvs(o, itl, file, add));
}

async function bootList(o: BootOptions, kind: 'CTL' | 'ITL', names: [string, string], h: HeldFiles, files: BootFile[], add: Add): Promise<HeldFiles> {
  for (const name of names) {
    const got = await fetch(o, name, add);
    const file: BootFile = { name, kind, found: !!got.bytes, bytes: got.bytes, heldBefore: { itl: h.itl, ctl: h.ctl }, problem: got.problem };
    files.push(file);
    if (!got.bytes) {
      if (got.problem) add('status', kind === 'CTL' ? 'CTL update failed' : 'Trust List update failed');
      if (got.problem) return h;
      continue; // File Not Found: try the cluster default
    }
    const heldBytes = kind === 'ITL' ? h.itl : h.ctl;
    if (heldBytes?.equals(got.bytes)) {
      file.unchanged = true;
      add('detail', `${name} is the ${kind} the phone holds: nothing to update`);
      return h;
    }
    const list = decodeTrustList(got.bytes, name);
    const ht = heldTrust(h);
    const v = await judge(o, ht.trust, ht.itl, trustListDownload(got.bytes, list, name), file, add);
    file.verdict = v;
    add('detail', v.reason);
    if (v.verdict === 'accepted') {
      await o.store.saveList(list.kind === 'CTL' ? 'CTL' : 'ITL', got.bytes);
      if (v.phoneStatus) add('status', v.phoneStatus);
      return list.kind === 'CTL' ? { ...h, ctl: got.bytes } : { ...h, itl: got.bytes };
    }
    add('status', v.phoneStatus ?? 'Trust List update failed');
    add('detail', v.phoneBehaviour);
    return h;
  }
  return h;
}

function capfSettingsOf(xml: Parameters<typeof configFacts>[0], from: string): CapfSettings | undefined {
  const facts = configFacts(xml);
  const first = facts.capf.find((c) => c.host);
  if (!facts.isDeviceConfig || !first?.host) return undefined;
  return { host: first.host, port: first.port ?? 3804, authMode: facts.capfAuthMode?.value ?? '0', from };
}

export async function bootPhone(o: BootOptions): Promise<BootResult> {
  const clock = o.clock ?? systemClock;
  const timeline: TimelineEntry[] = [];
  const add: Add = (kind, text) => {
    const e = { at: clock().toISOString(), kind, text };
    timeline.push(e);
    o.onTimeline?.(e);
  };
  const names = bootFileNames(o.device);
  let h = await o.store.load();
  add('detail', `boot: the phone holds ${[h.ctl && 'a CTL', h.itl && 'an ITL'].filter(Boolean).join(' and ') || 'no CTL or ITL (it trusts the first ITL it gets)'}${h.capf ? `; CAPF ${h.capf.host}:${h.capf.port} from its last configuration` : ''}`);
  const files: BootFile[] = [];
  h = await bootList(o, 'CTL', names.ctl, h, files, add);
  h = await bootList(o, 'ITL', names.itl, h, files, add);

  const got = await fetch(o, names.config, add);
  const file: BootFile = { name: names.config, kind: 'config', found: !!got.bytes, bytes: got.bytes, heldBefore: { itl: h.itl, ctl: h.ctl }, problem: got.problem };
  files.push(file);
  const result = (config: BootResult['config'], capf = h.capf): BootResult => ({ device: o.device, timeline, files, held: { ...h, capf }, config, capf });
  if (!got.bytes) {
    add('detail', `no configuration file: the phone keeps its old settings${h.capf ? '' : ' (it has none)'}`);
    return result(got.problem ? 'unreadable' : 'missing');
  }
  const sgn = decodeSignedFile(got.bytes, names.config);
  const ht = heldTrust(h);
  const lists = [ht.ctl, ht.itl].filter((l): l is TrustList => !!l).map((list, i) => ({ uri: `held:${i}`, bytes: Buffer.alloc(0), list }));
  const signer = findSignerCertificate(sgn, { trustLists: lists, certificates: [] });
  const v = await judge(o, ht.trust, ht.itl, signedFileDownload(got.bytes, sgn, names.config, signer), file, add);
  file.verdict = v;
  if (v.verdict !== 'accepted') {
    if (v.phoneConsole) add('detail', `console: ${v.phoneConsole}`);
    add('detail', v.reason);
    add('status', CONFIG_IGNORED);
    return result('ignored');
  }
  const capf = capfSettingsOf(sgn.payload.xml, names.config);
  add('detail', `${names.config} trusted (${v.basis === 'first-use' ? 'no CTL or ITL to check it against' : v.reason}); ${capf ? `CAPF ${capf.host}:${capf.port}, capfAuthMode ${capf.authMode}` : 'no capfList'}`);
  if (capf) await o.store.saveCapf(capf);
  return result('applied', capf ?? h.capf);
}
