/**
 * `itl-lens lab`: the one-shot lab with a booting phone. Opens (or creates) the lab folder, starts CAPF, TFTP
 * and TVS on 127.0.0.1 and free ports, schedules the guide's install (By Null String, RSA 2048, within the
 * hour), builds the cluster the TFTP server serves (ITL, signed configuration whose capfList names the CAPF
 * server, TVS store), boots the phone — which keeps its trust store in the lab folder across runs — and lets it
 * install its LSC; then stops everything.
 */
import * as path from 'node:path';
import { Clock } from '../../core/time/clock';
import { KeySource } from '../model/keys';
import { PhoneKeyProvider } from '../phone/keyGeneration';
import { TimelineEntry } from '../phone/phoneEmulator';
import { BootFile } from '../phone/boot/phoneBoot';
import { OperationLogEntry } from '../capf/service/operationLog';
import { BootLab } from './labBoot';
import { LabEnvironment } from './labEnvironment';
import { DEFAULT_TEST_DEVICE, InstallTestReport, renderInstallReport, scheduleGuideInstall } from './installTest';

export interface BootInstallOptions {
  stateDir: string;
  device?: string;
  clock?: Clock;
  keySource?: KeySource;
  phoneKeys?: PhoneKeyProvider;
  /** delete the ITL on the phone first (it then trusts the first ITL it gets) */
  deleteItl?: boolean;
  signal?: AbortSignal;
  onTimeline?: (e: TimelineEntry) => void;
}

export interface BootInstallReport extends InstallTestReport {
  tftp: { host: string; port: number; root: string };
  tvs: { host: string; port: number; subject: string };
  files: BootFile[];
  trustStore: string;
}

export async function runBootInstallTest(o: BootInstallOptions): Promise<BootInstallReport> {
  const device = o.device ?? DEFAULT_TEST_DEVICE;
  const lab = await LabEnvironment.open({ stateDir: o.stateDir, clock: o.clock, keySource: o.keySource });
  const log: OperationLogEntry[] = [];
  const stopLog = lab.state.log.onEntry((e) => log.push(e));
  try {
    const boot = await BootLab.open(lab);
    await boot.startAll();
    await scheduleGuideInstall(lab, device);
    await boot.buildCluster([device]);
    const run = await boot.boot(device, { keys: o.phoneKeys, deleteItl: o.deleteItl, signal: o.signal, onTimeline: o.onTimeline });
    const installed = run.phone.outcome === 'installed';
    const report: BootInstallReport = {
      ok: installed,
      stateDir: lab.state.dir,
      server: { ...lab.address, capfSubject: lab.state.capf.cert.subject.rfc4514, stopped: true },
      itlPath: lab.state.paths.itl,
      itlFromLab: true,
      phone: run.phone,
      log,
      serverRecord: installed && run.phone.lsc ? { register: lab.state.paths.stateLog, serialNumber: run.phone.lsc.summary.serialNumber } : undefined,
      phoneLscPath: installed ? path.join(lab.state.phoneDir(device), 'lsc.pem') : undefined,
      tftp: { ...boot.tftpAddress, root: boot.tftpRoot },
      tvs: { ...boot.tvsAddress, subject: boot.tvsIdentity.cert.subject.rfc4514 },
      files: run.boot.files,
      trustStore: boot.trustStore(device).dir ?? '',
    };
    return report;
  } finally {
    await lab.close();
    stopLog();
  }
}

export function renderBootInstallReport(r: BootInstallReport): string {
  const rel = (p: string) => path.relative(r.stateDir, p) || p;
  const files = r.files.map((f) => `  ${f.name.padEnd(28)} ${!f.found ? (f.problem ? `not fetched: ${f.problem}` : 'File Not Found') : f.unchanged ? 'unchanged' : (f.verdict?.verdict ?? '?') + (f.verdict?.basis ? ` (${f.verdict.basis})` : '')}`);
  const head = [
    'ITL Lens lab: the phone boots from TFTP, then installs its LSC',
    '',
    `TFTP server: ${r.tftp.host}:${r.tftp.port}, serving ${rel(r.tftp.root)}/ (stopped now)`,
    `TVS server:  ${r.tvs.host}:${r.tvs.port}, certificate ${r.tvs.subject} (stopped now)`,
    `Trust store: ${rel(r.trustStore)}/ (what the phone installed; the next run judges new files against it)`,
    '',
    'Files the phone asked for:',
    ...files,
    '',
  ];
  // the install report without its own title
  const install = renderInstallReport(r).split('\n').slice(2).join('\n');
  return `${head.join('\n')}\n${install}`;
}
