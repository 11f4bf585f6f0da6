/**
 * Runs a Lab* request behind a cancellable progress notification. The request carries a client-created
 * work-done token (LSP WorkDoneProgressParams): the server's $/progress reports for it become the
 * notification's messages and log lines; Cancel cancels the request ($/cancelRequest).
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { RequestParam, RequestType, WorkDoneProgress, WorkDoneProgressParams } from 'vscode-languageclient/node';
import { ItlLensServer } from '../languageClient';

export async function runWithProgress<P extends object, R>(
  server: ItlLensServer,
  log: vscode.LogOutputChannel,
  title: string,
  type: RequestType<P, R, void>,
  params: P,
): Promise<R> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `ITL Lens: ${title}`, cancellable: true },
    async (progress, token) => {
      const workDoneToken = randomUUID();
      let done = 0;
      const reports = server.client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
        if (value.kind === 'end') return;
        const increment = value.percentage !== undefined ? Math.max(0, value.percentage - done) : undefined;
        if (value.percentage !== undefined) done = Math.max(done, value.percentage);
        progress.report({ message: value.message, increment });
        if (value.message) log.info(`${title}: ${value.message}`);
      });
      log.info(`${title}: started`);
      try {
        // P is an object type, so RequestParam<P> is P; the spread adds the LSP work-done token to it.
        const request: P & WorkDoneProgressParams = { ...params, workDoneToken };
        const result = await server.request(type, request as RequestParam<P>, token);
        if (token.isCancellationRequested) log.info(`${title}: cancelled; showing what the server finished`);
        return result;
      } catch (error) {
        throw token.isCancellationRequested ? new vscode.CancellationError() : error;
      } finally {
        reports.dispose();
      }
    },
  );
}
