/**
 * The CAPF lab as the language server runs it for the editor: one optional long-running lab server, the
 * install test (against the running server, or a lab started for the test) and the scenarios. No LSP types:
 * labHandlers.ts translates requests, progress and cancellation.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LabInstallTestResult, LabPhoneBootTestParams, LabPhoneBootTestResult, LabScenariosResult, LabServerInfo, LabStartParams } from '../shared/lspExtensions';
import { LabEnvironment } from '../lab/environment/labEnvironment';
import { CAPF_PORT } from '../lab/capf/protocol/constants';
import { DEFAULT_TEST_DEVICE, InstallRun, InstallTestReport, renderInstallReport, runInstallOnLab, runLscInstallTest } from '../lab/environment/installTest';
import { TimelineEntry } from '../lab/phone/phoneEmulator';
import { LabState } from '../lab/capf/service/labState';
import { writeDeviceTable } from '../lab/capf/service/deviceTableFile';
import { DEFAULT_LAB_DIR, labPaths } from '../lab/model/labLayout';
import { newDeviceEntry } from '../lab/model/deviceTable';
import { renderScenarioReportMarkdown, runScenarios, ScenarioProgress } from '../lab/scenarios';
import { parseTlsMin, tlsMinProblem } from '../lab/capf/service/tlsMin';
import { BootInstallReport, runBootInstallTest } from '../lab/environment/bootInstallTest';
import { bootFileOutcome, renderBootReportMarkdown, servedFileUri } from '../lab/environment/bootReportMarkdown';

export interface LabProgress {
  report(message: string, percentage?: number): void;
}

export interface InstallTestRequestOptions {
  /** trust list file to load into the phone; default the lab's own ITL */
  itlPath?: string;
  device?: string;
  stateDir?: string;
  signal?: AbortSignal;
  progress?: LabProgress;
}

export class LabController {
  private env: LabEnvironment | undefined;
  private starting: Promise<LabServerInfo> | undefined;
  /** the lowest TLS version the running server accepts, as the user named it */
  private tlsMin = '1.2';

  constructor(private readonly defaultStateDir: () => string) {}

  /** <first workspace folder>/.itl-lens-lab, or a folder under the temp dir without a workspace. */
  static defaultStateDirFor(folders: string[]): string {
    return folders.length ? path.join(folders[0], DEFAULT_LAB_DIR) : path.join(os.tmpdir(), 'itl-lens-lab');
  }

  info(): LabServerInfo {
    const s = this.env?.server;
    if (!this.env || !s) return { running: false };
    return { running: true, host: s.address.host, port: s.address.port, tlsMin: this.tlsMin, stateDir: this.env.state.dir, capfCertificatePath: labPaths(this.env.state.dir).capfCert };
  }

  async start(p: LabStartParams = {}): Promise<LabServerInfo> {
    if (this.env?.server) return this.info();
    const minTlsVersion = parseTlsMin(p.tlsMin ?? '1.2');
    if (!minTlsVersion) throw new Error(`itlLens.lab.tlsMin: ${tlsMinProblem(String(p.tlsMin))}`);
    this.starting ??= (async () => {
      const env = await LabEnvironment.open({ stateDir: p.stateDir || this.defaultStateDir() });
      try {
        await env.rebuildItl();
        await env.startServer({ host: p.host || '127.0.0.1', port: p.port ?? CAPF_PORT, minTlsVersion });
      } catch (e) {
        await env.close().catch(() => undefined);
        throw e;
      }
      this.env = env;
      this.tlsMin = p.tlsMin ?? '1.2';
      return this.info();
    })().finally(() => (this.starting = undefined));
    return this.starting;
  }

  async stop(): Promise<LabServerInfo> {
    const env = this.env;
    this.env = undefined;
    await env?.close();
    return this.info();
  }

  /** Ensures the lab folder exists and returns the device table's path. */
  async deviceTable(p: LabStartParams = {}): Promise<string> {
    const dir = this.env?.state.dir ?? (p.stateDir || this.defaultStateDir());
    if (!this.env) await LabState.open(dir); // creates the folder and its keys
    const file = labPaths(dir).devices;
    if (!fs.existsSync(file)) await writeDeviceTable(file, { devices: [newDeviceEntry(DEFAULT_TEST_DEVICE)] });
    return file;
  }

  async installTest(o: InstallTestRequestOptions): Promise<LabInstallTestResult> {
    const run: InstallRun = {
      device: o.device,
      itl: o.itlPath ? { bytes: fs.readFileSync(o.itlPath), path: o.itlPath } : undefined,
      signal: o.signal,
      onTimeline: (e: TimelineEntry) => o.progress?.report(e.text),
    };
    if (this.env?.server) return toResult(await runInstallOnLab(this.env, run));
    // No server running: the one-shot lab (start, install, stop), as `itl-lens lab` does.
    o.progress?.report('Starting a lab CAPF server for the test…');
    return toResult(await runLscInstallTest({ stateDir: o.stateDir || this.defaultStateDir(), ...run }));
  }

  /**
   * The phone boot test, as `itl-lens lab` runs it: a one-shot lab (CAPF, TFTP, TVS) in the lab folder, stopped
   * when it ends or is cancelled. It takes the lab folder's lock, so it refuses while this lab's server runs.
   */
  async phoneBootTest(p: LabPhoneBootTestParams, o: { signal?: AbortSignal; progress?: LabProgress } = {}): Promise<LabPhoneBootTestResult> {
    const stateDir = path.resolve(p.stateDir || this.defaultStateDir());
    if (this.env?.server && path.resolve(this.env.state.dir) === stateDir) {
      throw new Error('the local CAPF server is running on this lab folder: stop it (ITL Lens: Stop Local CAPF Server), then run the phone boot test, which starts its own CAPF, TFTP and TVS servers');
    }
    o.progress?.report('Starting the lab CAPF, TFTP and TVS servers…');
    const r = await runBootInstallTest({ stateDir, device: p.device, deleteItl: p.deleteItl, signal: o.signal, onTimeline: (e) => o.progress?.report(e.text) });
    return toBootResult(r);
  }

  async scenarios(o: { signal?: AbortSignal; progress?: LabProgress }): Promise<LabScenariosResult> {
    const report = await runScenarios({
      signal: o.signal,
      onProgress: (p: ScenarioProgress) => {
        if (p.phase === 'start') o.progress?.report(`${p.index + 1}/${p.total}: ${p.title}`, Math.round((p.index / p.total) * 100));
      },
    });
    return { passed: report.passed, failed: report.failed, report: renderScenarioReportMarkdown(report) };
  }

  async dispose(): Promise<void> {
    await this.stop().catch(() => undefined);
  }
}

function toResult(r: InstallTestReport): LabInstallTestResult {
  const lscPath = r.phoneLscPath;
  return {
    success: r.phone.ok,
    timeline: r.phone.timeline.map((t) => ({ at: t.at, message: t.text })),
    operationStatus: r.phone.serverStatus,
    lscPath: lscPath && fs.existsSync(lscPath) ? lscPath : undefined,
    report: renderInstallReport(r),
  };
}

function toBootResult(r: BootInstallReport): LabPhoneBootTestResult {
  return {
    success: r.ok,
    timeline: r.phone.timeline.map((t) => ({ at: t.at, message: t.text })),
    files: r.files.map((f) => ({
      name: f.name,
      kind: f.kind,
      found: f.found,
      uri: servedFileUri(r.tftp.root, f),
      verdict: f.unchanged ? 'unchanged' : f.verdict?.verdict,
      reason: f.verdict?.reason ?? (f.found ? undefined : bootFileOutcome(f)),
      problem: f.problem,
    })),
    tftpRoot: r.tftp.root,
    operationStatus: r.phone.serverStatus,
    lscPath: r.phoneLscPath && fs.existsSync(r.phoneLscPath) ? r.phoneLscPath : undefined,
    report: renderBootReportMarkdown(r),
  };
}
