/**
 * The CAPF lab commands. The lab runs in the server process; each command is one Lab* request, with
 * progress, a log trail in the ITL Lens output channel and the result shown where it is useful.
 */
import * as vscode from 'vscode';
import {
  Commands,
  LabDeviceTableRequest,
  LabInstallTestRequest,
  LabInstallTestResult,
  LabPhoneBootTestRequest,
  LabPhoneBootTestResult,
  LabScenariosRequest,
  LabStartParams,
  LabStartServerRequest,
  LabStopServerRequest,
  LEGACY_TLS_MINS,
} from '../../../server/src/shared/lspExtensions';
import { registerCommand, requireTrust } from '../commands';
import { ItlLensServer } from '../languageClient';
import { showDecodedView } from '../views/openDecodedView';
import { asUri, isViewUri, kindOf, sourceOf } from '../views/viewUris';
import { labStartParams } from './labSettings';
import { runWithProgress } from './labProgress';

function currentLabParams(): LabStartParams {
  const config = vscode.workspace.getConfiguration('itlLens.lab');
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
  return labStartParams(
    {
      host: config.get<string>('host', '127.0.0.1'),
      port: config.get<number>('port', 3804),
      stateDirectory: config.get<string>('stateDirectory', ''),
      tlsMin: config.get<string>('tlsMin', '1.2'),
    },
    folder,
  );
}

/** The trust list to install with: the argument, else the active view's or file's source, if it is a trust list. */
function trustListFor(arg: unknown): string | undefined {
  const uri = asUri(arg) ?? vscode.window.activeTextEditor?.document.uri;
  const source = uri && isViewUri(uri) ? sourceOf(uri) : uri;
  return source && kindOf(source) === 'trust-list' ? source.toString() : undefined;
}

async function showMarkdown(content: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content });
  await vscode.window.showTextDocument(document, { preview: false });
}

async function reportInstallTest(
  server: ItlLensServer,
  log: vscode.LogOutputChannel,
  result: LabInstallTestResult,
): Promise<void> {
  for (const step of result.timeline) log.info(`LSC install test [${step.at}] ${step.message}`);
  const status = result.operationStatus ? ` (${result.operationStatus})` : '';
  if (result.lscPath) {
    // Beside the trust list the test ran with, or in the editor area when nothing is open.
    const viewColumn = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    await showDecodedView(server, vscode.Uri.file(result.lscPath), { preview: false, viewColumn });
  }
  const last = result.timeline[result.timeline.length - 1]?.message ?? '';
  const show = result.success
    ? vscode.window.showInformationMessage(`ITL Lens: the phone installed its LSC${status}.`, 'Show Report')
    : vscode.window.showWarningMessage(`ITL Lens: the LSC install failed — the phone shows "${last}"${status}.`, 'Show Report');
  // The command resolves now; the report opens if and when the user asks for it.
  void show.then((choice) => (choice ? showMarkdown(result.report) : undefined));
}

/** The boot test's timeline in the log, then its report (each served file linked; a trust list opens decoded). */
async function reportPhoneBootTest(log: vscode.LogOutputChannel, result: LabPhoneBootTestResult): Promise<void> {
  for (const f of result.files) log.info(`Phone boot test: ${f.name}: ${f.found ? (f.verdict ?? 'downloaded') : (f.problem ?? 'File Not Found')}`);
  await showMarkdown(result.report);
  const last = result.timeline[result.timeline.length - 1]?.message ?? '';
  const status = result.operationStatus ? ` (${result.operationStatus})` : '';
  if (result.success) void vscode.window.showInformationMessage(`ITL Lens: the phone booted from the lab TFTP server and installed its LSC${status}.`);
  else void vscode.window.showWarningMessage(`ITL Lens: the phone boot test ended with "${last}"${status}: see the report.`);
}

export function registerLabCommands(server: ItlLensServer, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.Disposable.from(
    registerCommand(Commands.startCapfServer, log, async () => {
      requireTrust('Starting the local CAPF server');
      const info = await runWithProgress(server, log, 'Starting the local CAPF server', LabStartServerRequest, currentLabParams());
      log.info(`CAPF lab server: ${JSON.stringify(info)}`);
      const legacy = info.tlsMin && LEGACY_TLS_MINS.includes(info.tlsMin) ? ` It accepts TLS ${info.tlsMin} at OpenSSL security level 0: keep it in an isolated lab.` : '';
      const choice = await vscode.window.showInformationMessage(
        `ITL Lens: local CAPF server listening on ${info.host ?? '?'}:${info.port ?? '?'}.${legacy}`,
        'Edit Device Table',
      );
      if (choice) await vscode.commands.executeCommand(Commands.editCapfDeviceTable);
    }),
    registerCommand(Commands.stopCapfServer, log, async () => {
      requireTrust('Stopping the local CAPF server');
      const info = await server.request(LabStopServerRequest, undefined);
      log.info(`CAPF lab server: ${JSON.stringify(info)}`);
      void vscode.window.showInformationMessage(
        info.running ? 'ITL Lens: the local CAPF server is still running.' : 'ITL Lens: local CAPF server stopped.',
      );
    }),
    registerCommand(Commands.runLscInstallTest, log, async (arg) => {
      requireTrust('The LSC install test');
      const params = { itlUri: trustListFor(arg), stateDir: currentLabParams().stateDir };
      log.info(`LSC install test with ${params.itlUri ?? 'a trust list the lab builds'}`);
      const result = await runWithProgress(server, log, 'LSC install test', LabInstallTestRequest, params);
      await reportInstallTest(server, log, result);
      return result;
    }),
    registerCommand(Commands.runLscScenarios, log, async () => {
      requireTrust('The LSC troubleshooting scenarios');
      const result = await runWithProgress(server, log, 'LSC troubleshooting scenarios', LabScenariosRequest, {});
      log.info(`LSC scenarios: ${result.passed} passed, ${result.failed} failed`);
      await showMarkdown(result.report);
      return result;
    }),
    registerCommand(Commands.runPhoneBootTest, log, async () => {
      requireTrust('The phone boot test');
      const params = { stateDir: currentLabParams().stateDir };
      const result = await runWithProgress(server, log, 'Phone boot test', LabPhoneBootTestRequest, params);
      await reportPhoneBootTest(log, result);
      return result;
    }),
    registerCommand(Commands.editCapfDeviceTable, log, async () => {
      requireTrust('Editing the CAPF device table');
      const table = await server.request(LabDeviceTableRequest, currentLabParams());
      await vscode.window.showTextDocument(vscode.Uri.file(table.path), { preview: false });
    }),
  );
}
