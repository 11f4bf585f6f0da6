/**
 * The CAPF lab's public API, for the VS Code client and other callers. Pure Node (no `vscode` import).
 *
 *   Start/Stop Local CAPF Server     startLocalCapfServer() → LocalCapfServer.stop()
 *   Run LSC Install Test             runLscInstallTest() + renderInstallReport()
 *   Run LSC Troubleshooting Scenarios runScenarios({ signal, onProgress }) + renderScenarioReportText()
 *   Edit CAPF Device Table           ensureDeviceTableFile() to open it; validateDeviceTableText() for diagnostics;
 *                                    DEVICE_TABLE_SCHEMA_FILE for jsonValidation
 */
import * as path from 'node:path';
import { CapfServer, CapfServerOptions, ServerAddress } from './server/capfServer';
import { DeviceTableStore } from './server/deviceTableStore';
import { TableParse, parseDeviceTable } from './server/deviceTable';
import { LabState, labPaths } from './server/labState';
import { OperationLogEntry } from './server/operationLog';

export { runLscInstallTest, renderInstallReport, DEFAULT_TEST_DEVICE } from './lab/installTest';
export type { InstallTestOptions, InstallTestReport } from './lab/installTest';
export { runScenarios, scenarioList, renderScenarioReportText, renderScenarioReportMarkdown } from './scenarios';
export type { RunScenariosOptions, ScenarioReport, ScenarioResult, ScenarioProgress } from './scenarios';
export { scheduleOperation, parseAuth, parseKey, parseOperation, parseDeadline, normalizeDeviceName } from './server/deviceSchedule';
export { DEFAULT_LAB_DIR, LabState } from './server/labState';
export { DEVICE_TABLE_FILE, parseDeviceTable, validateDeviceTable, formatProblems } from './server/deviceTable';
export type { DeviceEntry, DeviceTable, TableProblem, TableParse } from './server/deviceTable';
export type { OperationLogEntry } from './server/operationLog';
export type { PhoneResult, TimelineEntry } from './phone/phoneEmulator';
export { runPhone } from './phone/phoneEmulator';

/** The JSON schema of capf-devices.json, relative to the repository root (copy it into the package for jsonValidation). */
export const DEVICE_TABLE_SCHEMA_FILE = 'server/src/capf/deviceTable.schema.json';

export interface LocalCapfServer {
  address: ServerAddress;
  stateDir: string;
  capfSubject: string;
  deviceTablePath: string;
  /** live operation log lines; returns an unsubscribe function */
  onLog(listener: (e: OperationLogEntry) => void): () => void;
  stop(): Promise<void>;
}

export interface StartLocalCapfServerOptions extends Partial<Omit<CapfServerOptions, 'state'>> {
  stateDir: string;
}

/** Opens (creating on first use) the lab folder and starts the CAPF server; default 127.0.0.1:3804. */
export async function startLocalCapfServer(o: StartLocalCapfServerOptions): Promise<LocalCapfServer> {
  const { stateDir, ...serverOptions } = o;
  const state = await LabState.open(stateDir, { clock: serverOptions.clock });
  const server = await CapfServer.start({ ...serverOptions, state });
  return {
    address: server.address,
    stateDir: state.dir,
    capfSubject: state.capf.cert.subject.rfc4514,
    deviceTablePath: state.paths.devices,
    onLog: (l) => server.onLog(l),
    stop: () => server.stop(),
  };
}

/** The device table's path in `stateDir`, creating an empty table when there is none (to open it in an editor). */
export async function ensureDeviceTableFile(stateDir: string): Promise<string> {
  const store = new DeviceTableStore(labPaths(path.resolve(stateDir)).devices);
  const current = await store.read();
  if (current.ok && current.table.devices.length === 0) await store.update(() => undefined);
  return store.file;
}

/** Diagnostics for an editor buffer of capf-devices.json: problems carry JSON paths. */
export function validateDeviceTableText(text: string): TableParse {
  return parseDeviceTable(text);
}
