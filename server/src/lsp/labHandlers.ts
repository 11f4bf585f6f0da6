/** LSP wiring of the CAPF lab requests: work-done progress, cancellation, and errors as messages. */
import { CancellationToken, Connection, ResponseError, ErrorCodes } from 'vscode-languageserver/node';
import {
  LabDeviceTableRequest,
  LabInstallTestRequest,
  LabPhoneBootTestRequest,
  LabScenariosRequest,
  LabServerInfoRequest,
  LabStartServerRequest,
  LabStopServerRequest,
} from '../shared/lspExtensions';
import { uriToPath } from '../workspace/uris';
import { LabController, LabProgress } from './labController';

type WithToken = { workDoneToken?: string | number };

function signalFor(token: CancellationToken | undefined): AbortSignal {
  const controller = new AbortController();
  if (token?.isCancellationRequested) controller.abort();
  token?.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

/** Runs `work` with a progress reporter on the client's token; failures become ResponseErrors with the reason. */
async function withProgress<T>(connection: Connection, params: unknown, title: string, log: (m: string) => void, work: (p: LabProgress) => Promise<T>): Promise<T> {
  const reporter = connection.window.attachWorkDoneProgress((params as WithToken | undefined)?.workDoneToken);
  reporter.begin(title, 0, undefined, true);
  try {
    return await work({ report: (message, percentage) => (percentage === undefined ? reporter.report(message) : reporter.report(percentage, message)) });
  } catch (e) {
    const message = (e as Error)?.name === 'AbortError' ? `${title}: cancelled.` : `${title} failed: ${(e as Error)?.message ?? String(e)}`;
    log(message);
    throw new ResponseError(ErrorCodes.InternalError, message);
  } finally {
    reporter.done();
  }
}

/** The answer to a lab request in a workspace the client has not said is trusted. */
export const UNTRUSTED_LAB_MESSAGE =
  'The CAPF lab needs a trusted workspace: it starts servers, writes keys and runs phones from this workspace\'s settings. Trust the folder (Workspaces: Manage Workspace Trust), then try again.';

export function registerLabHandlers(connection: Connection, lab: LabController, log: (m: string) => void, trusted: () => boolean): void {
  /** Lab requests that act (start servers, write the lab folder, run phones) are refused in an untrusted workspace. */
  const requireTrust = (what: string) => {
    if (trusted()) return;
    log(`ITL Lens: ${what} refused: the workspace is not trusted`);
    throw new ResponseError(ErrorCodes.InvalidRequest, UNTRUSTED_LAB_MESSAGE);
  };
  connection.onRequest(LabServerInfoRequest, () => lab.info());
  connection.onRequest(LabStartServerRequest, (p) => {
    requireTrust('lab/startServer');
    return withProgress(connection, p, 'Starting the local CAPF server', log, async (progress) => {
      progress.report('Preparing the lab folder and its CAPF certificate…');
      return lab.start(p ?? {});
    });
  });
  connection.onRequest(LabStopServerRequest, () => lab.stop());
  connection.onRequest(LabDeviceTableRequest, async (p) => {
    requireTrust('lab/deviceTable');
    try {
      return { path: await lab.deviceTable(p ?? {}) };
    } catch (e) {
      throw new ResponseError(ErrorCodes.InternalError, `Cannot open the CAPF device table: ${(e as Error).message}`);
    }
  });
  connection.onRequest(LabInstallTestRequest, (p, token) => {
    requireTrust('lab/installTest');
    return withProgress(connection, p, 'LSC install test', log, (progress) => {
      const itlPath = p?.itlUri ? uriToPath(p.itlUri) : undefined;
      if (p?.itlUri && !itlPath) throw new Error(`the trust list ${p.itlUri} is not a file on disk`);
      return lab.installTest({ itlPath, device: p?.device, stateDir: p?.stateDir, signal: signalFor(token), progress });
    });
  });
  connection.onRequest(LabPhoneBootTestRequest, (p, token) => {
    requireTrust('lab/phoneBootTest');
    return withProgress(connection, p, 'Phone boot test', log, (progress) => lab.phoneBootTest(p ?? {}, { signal: signalFor(token), progress }));
  });
  connection.onRequest(LabScenariosRequest, (p, token) => {
    requireTrust('lab/scenarios');
    return withProgress(connection, p, 'LSC troubleshooting scenarios', log, (progress) => lab.scenarios({ signal: signalFor(token), progress }));
  });
}
