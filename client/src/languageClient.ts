/**
 * Starts the ITL Lens language server (dist/server.js) in the editor's own Node runtime and exposes the one
 * connection the rest of the client talks through. Requests wait until the server has started.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CancellationToken,
  LanguageClient,
  LanguageClientOptions,
  NotificationType,
  RequestParam,
  RequestType,
  ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';
import { VIEW_SCHEME, WorkspaceTrustNotification } from '../../server/src/shared/lspExtensions';

/**
 * What the server handles: the decoded views, PEM text files, and CAPF device tables on disk (checked against
 * the clock as they are edited, with each entry's status on hover; the server gives them no outline or
 * folding, so the JSON language keeps its own).
 */
export const DOCUMENT_SELECTOR = [{ scheme: VIEW_SCHEME }, { language: 'pem' }, { scheme: 'file', pattern: '**/capf-devices.json' }];

export class ItlLensServer {
  readonly client: LanguageClient;
  private started: Promise<void> | undefined;

  constructor(context: vscode.ExtensionContext, log: vscode.LogOutputChannel) {
    const module = context.asAbsolutePath(path.join('dist', 'server.js'));
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
    };
    // No `synchronize` options: the server registers its own file watchers (trust lists, certificate files, CAPF
    // device tables, deletions) and its didChangeConfiguration interest dynamically; static ones would double
    // every event.
    // No errorHandler: vscode-languageclient 11's default one restarts a server that exits or crashes, up to 4
    // times (connectionOptions.maxRestartCount) and not a 5th time within 3 minutes. The server relies on it:
    // over stdio it exits with an error when its input breaks the framing (server/src/lsp/stdioFraming.ts);
    // over IPC, as here, messages arrive whole and that cannot happen.
    // The server serves lab requests only when told the workspace is trusted (a second check behind the
    // commands' own); trust granted later is sent with WorkspaceTrustNotification.
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: log,
      initializationOptions: () => ({ workspaceTrusted: vscode.workspace.isTrusted }),
    };
    // The id 'itlLens' makes the client read its trace level from the setting itlLens.trace.server.
    this.client = new LanguageClient('itlLens', 'ITL Lens', serverOptions, clientOptions);
  }

  /** Tells the server when the user trusts the workspace after it started. */
  watchWorkspaceTrust(): vscode.Disposable {
    return vscode.workspace.onDidGrantWorkspaceTrust(() => void this.notify(WorkspaceTrustNotification, { trusted: true }));
  }

  /** Starts the server once; later calls return the same promise. */
  start(): Promise<void> {
    this.started ??= this.client.start();
    return this.started;
  }

  async request<P, R>(type: RequestType<P, R, void>, params: RequestParam<P>, token?: CancellationToken): Promise<R> {
    await this.start();
    return this.client.sendRequest(type, params, token);
  }

  async notify<P>(type: NotificationType<P>, params: RequestParam<P>): Promise<void> {
    await this.start();
    await this.client.sendNotification(type, params);
  }

  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): vscode.Disposable {
    return this.client.onNotification(type, handler);
  }

  stop(): Promise<void> {
    return this.started ? this.client.stop() : Promise.resolve();
  }
}
