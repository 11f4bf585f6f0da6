/**
 * "Run LSC Install Test": schedules Install/Upgrade by null string (RSA 2048, completes within the hour, as the
 * guide does) and runs the phone, against a running lab server or as a one-shot lab (open or create the lab
 * folder, build the lab ITL, start the CAPF server on a free loopback port, install, stop), and reports.
 */
import * as path from 'node:path';
import { Clock } from '../../core/time/clock';
import { KeySource } from '../model/keys';
import { PhoneKeyProvider } from '../phone/keyGeneration';
import { PhoneResult, TimelineEntry } from '../phone/phoneEmulator';
import { OperationLogEntry } from '../capf/service/operationLog';
import { LabEnvironment } from './labEnvironment';

/** What one install run uses; the lab's own ITL unless `itl` is given. */
export interface InstallRun {
  /** default SEP001122334455 */
  device?: string;
  /** a trust list of the user's to load into the phone instead of the lab's */
  itl?: { bytes: Buffer; path: string };
  phoneKeys?: PhoneKeyProvider;
  signal?: AbortSignal;
  /** live phone timeline */
  onTimeline?: (e: TimelineEntry) => void;
}

export interface InstallTestOptions extends InstallRun {
  stateDir: string;
  clock?: Clock;
  keySource?: KeySource;
}

export interface InstallTestReport {
  ok: boolean;
  stateDir: string;
  server: { host: string; port: number; capfSubject: string; stopped: boolean };
  itlPath: string;
  /** the phone loaded the ITL the lab built around its CAPF certificate (not one of the user's) */
  itlFromLab: boolean;
  phone: PhoneResult;
  /** the server's log lines for this run */
  log: OperationLogEntry[];
  /** where the server recorded the LSC it issued: the register file and the LSC's serial */
  serverRecord?: { register: string; serialNumber: string };
  phoneLscPath?: string;
}

export const DEFAULT_TEST_DEVICE = 'SEP001122334455';

/** The install guide's example: Install/Upgrade, By Null String, RSA 2048, completing within the hour. */
export async function scheduleGuideInstall(lab: LabEnvironment, device: string): Promise<void> {
  await lab.schedule(device, {
    certificateOperation: 'Install/Upgrade',
    authenticationMode: 'By Null String',
    keyOrder: 'RSA Only',
    rsaKeySize: 2048,
    operationCompletesBy: new Date(lab.clock().getTime() + 3_600_000).toISOString(),
  });
}

/** The guide's install with one phone, against a lab whose CAPF server is running (it stays running). */
export async function runInstallOnLab(lab: LabEnvironment, o: InstallRun = {}): Promise<InstallTestReport> {
  const device = o.device ?? DEFAULT_TEST_DEVICE;
  const log: OperationLogEntry[] = [];
  const stopLog = lab.state.log.onEntry((e) => log.push(e));
  try {
    await scheduleGuideInstall(lab, device);
    const phone = await lab.runPhone(device, { itl: o.itl?.bytes, keys: o.phoneKeys, extra: { signal: o.signal, onTimeline: o.onTimeline } });
    const installed = phone.outcome === 'installed';
    return {
      ok: installed,
      stateDir: lab.state.dir,
      server: { ...lab.address, capfSubject: lab.state.capf.cert.subject.rfc4514, stopped: false },
      itlPath: o.itl?.path ?? lab.state.paths.itl,
      itlFromLab: !o.itl,
      phone,
      log,
      serverRecord: installed && phone.lsc ? { register: lab.state.paths.stateLog, serialNumber: phone.lsc.summary.serialNumber } : undefined,
      phoneLscPath: installed ? path.join(lab.state.phoneDir(device), 'lsc.pem') : undefined,
    };
  } finally {
    stopLog();
  }
}

/** The one-shot lab: open the folder, build its ITL (unless the run brings one), start, install, stop. */
export async function runLscInstallTest(o: InstallTestOptions): Promise<InstallTestReport> {
  const lab = await LabEnvironment.open({ stateDir: o.stateDir, clock: o.clock, keySource: o.keySource });
  // the log lines the server writes while it stops (the session's end) belong to this run too
  const log: OperationLogEntry[] = [];
  const stopLog = lab.state.log.onEntry((e) => log.push(e));
  try {
    if (!o.itl) await lab.rebuildItl();
    await lab.startServer();
    const report = await runInstallOnLab(lab, o);
    return { ...report, log, server: { ...report.server, stopped: true } };
  } finally {
    await lab.close();
    stopLog();
  }
}

export function renderInstallReport(r: InstallTestReport): string {
  const rel = (p: string) => path.relative(r.stateDir, p) || p;
  const itl = r.itlFromLab
    ? `${rel(r.itlPath)} (built by the lab; its CAPF record carries this CAPF certificate)`
    : `${r.itlPath} (the phone trusts this CAPF server only if the ITL's CAPF record matches its certificate)`;
  const lines = [
    'ITL Lens local LSC install test',
    '',
    `Lab folder:  ${r.stateDir}`,
    `CAPF server: ${r.server.host}:${r.server.port}${r.server.stopped ? ' (stopped now)' : ''}, certificate ${r.server.capfSubject}`,
    `ITL:         ${itl}`,
    '',
    `Phone ${r.phone.device}:`,
    ...r.phone.timeline.map((t) => `  ${t.at.slice(11, 23)}  ${t.kind === 'status' ? t.text : `  · ${t.text}`}`),
    '',
    `Result: ${r.ok ? 'LSC installed' : `no LSC installed (${r.phone.outcome})`} — phone shows "${r.phone.status}", Certificate Operation Status "${r.phone.serverStatus ?? '(none)'}"`,
  ];
  if (r.phone.problem) lines.push(`Why: ${r.phone.problem}`);
  const s = r.phone.lsc?.summary;
  if (s) {
    lines.push(
      '',
      'Issued LSC:',
      `  Subject:  ${s.subject}`,
      `  Issuer:   ${s.issuer}`,
      `  Serial:   ${s.serialNumber}`,
      `  Valid:    ${s.notBefore} to ${s.notAfter}`,
      `  Key:      ${s.publicKey}`,
      `  SHA-1:    ${s.sha1}`,
    );
    if (r.serverRecord) lines.push(`  Server copy: ${rel(r.serverRecord.register)} (the lab's register of issued LSCs, entry with this serial)`);
    if (r.phoneLscPath) lines.push(`  Phone copy:  ${rel(r.phoneLscPath)} (key beside it, mode 0600)`);
  }
  lines.push('', `Server log: ${r.log.length} line(s) in operations.log`);
  return `${lines.join('\n')}\n`;
}
