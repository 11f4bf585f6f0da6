/**
 * A small LSP client for protocol tests: starts the BUILT server (dist/server.js) over stdio, answers the
 * server's requests (registerCapability, workspace/configuration), records every notification, and lets tests
 * wait for one with a predicate and a timeout — never sleep-and-hope.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { pathToFileURL } from 'node:url';
import { Diagnostic, InitializeParams, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { WorkspaceStatus, WorkspaceStatusNotification } from '../../server/src/shared/lspExtensions';

export const SERVER_JS = path.resolve(__dirname, '..', '..', '..', 'dist', 'server.js');
const DEFAULT_TIMEOUT_MS = 15_000;

export interface StartOptions {
  folders: string[];
  initializationOptions?: unknown;
  /** the `itlLens` section answered to workspace/configuration (omit: the client has no configuration support) */
  configuration?: unknown;
  env?: NodeJS.ProcessEnv;
  /** do not send initialize (for "before initialize" tests) */
  skipInitialize?: boolean;
}

interface Recorded {
  method: string;
  params: unknown;
}

export class LspTestClient {
  readonly notifications: Recorded[] = [];
  readonly registrations: unknown[] = [];
  stderr = '';
  configuration: unknown;
  private readonly listeners = new Set<() => void>();
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  private constructor(
    readonly connection: MessageConnection,
    readonly child: ChildProcess,
  ) {}

  static async start(o: StartOptions): Promise<LspTestClient> {
    const child = spawn(process.execPath, [SERVER_JS, '--stdio'], { env: { ...process.env, ...o.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspTestClient(connection, child);
    client.configuration = o.configuration;
    child.stderr!.on('data', (d) => (client.stderr += String(d)));
    child.on('exit', (code, signal) => {
      client.exited = { code, signal };
      client.wake();
    });
    connection.onNotification((method, params) => {
      client.notifications.push({ method, params });
      client.wake();
    });
    connection.onRequest('client/registerCapability', (p) => {
      client.registrations.push(p);
      return null;
    });
    connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => client.configuration ?? null));
    connection.listen();
    if (!o.skipInitialize) await client.initialize(o);
    return client;
  }

  async initialize(o: StartOptions): Promise<void> {
    const params: InitializeParams = {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: o.folders.map((f) => ({ uri: fileUri(f), name: path.basename(f) })),
      initializationOptions: o.initializationOptions,
      capabilities: {
        workspace: {
          configuration: o.configuration !== undefined,
          didChangeWatchedFiles: { dynamicRegistration: true },
          didChangeConfiguration: { dynamicRegistration: true },
          workspaceFolders: true,
        },
        textDocument: {
          hover: { contentFormat: ['markdown', 'plaintext'] },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
          publishDiagnostics: { relatedInformation: true },
        },
      },
    };
    await this.connection.sendRequest('initialize', params);
    await this.connection.sendNotification('initialized', {});
  }

  private wake(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolves with the first notification (recorded from `since` on) that satisfies the predicate. */
  waitFor<T>(method: string, predicate: (params: T) => boolean = () => true, since = 0, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let checked = since;
      const check = () => {
        for (; checked < this.notifications.length; checked++) {
          const n = this.notifications[checked];
          if (n.method === method && predicate(n.params as T)) {
            done();
            resolve(n.params as T);
            return;
          }
        }
        if (this.exited) {
          done();
          reject(new Error(`server exited (${this.exited.code ?? this.exited.signal}) while waiting for ${method}\n${this.stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${method}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** The latest diagnostics published for a URI that satisfy the predicate (waiting for them if needed). */
  diagnostics(uri: string, predicate: (d: Diagnostic[]) => boolean = () => true, since = 0): Promise<Diagnostic[]> {
    return this.waitForLatest<PublishDiagnosticsParams>('textDocument/publishDiagnostics', (p) => p.uri === uri, (p) => predicate(p.diagnostics), since).then((p) => p.diagnostics);
  }

  /** The diagnostics last published for a URI ([] when none were ever published). */
  publishedDiagnostics(uri: string): Diagnostic[] {
    for (let i = this.notifications.length - 1; i >= 0; i--) {
      const n = this.notifications[i];
      if (n.method === 'textDocument/publishDiagnostics' && (n.params as PublishDiagnosticsParams).uri === uri) return (n.params as PublishDiagnosticsParams).diagnostics;
    }
    return [];
  }

  /** Waits until the LATEST notification matching `select` also satisfies `predicate`. */
  waitForLatest<T>(method: string, select: (p: T) => boolean, predicate: (p: T) => boolean, since = 0, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        let latest: T | undefined;
        for (let i = since; i < this.notifications.length; i++) {
          const n = this.notifications[i];
          if (n.method === method && select(n.params as T)) latest = n.params as T;
        }
        if (latest !== undefined && predicate(latest)) {
          done();
          resolve(latest);
        } else if (this.exited) {
          done();
          reject(new Error(`server exited while waiting for ${method}\n${this.stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${method}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Waits for the workspace status that reports the first index as done. */
  indexed(since = 0): Promise<WorkspaceStatus> {
    return this.waitFor<WorkspaceStatus>(WorkspaceStatusNotification.method, (s) => !s.indexing, since);
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  notify(method: string, params: unknown): Promise<void> {
    return this.connection.sendNotification(method, params);
  }

  /** Resolves with the exit code once the server has exited; rejects after `timeoutMs`. */
  waitForExit(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<number | null> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!this.exited) return;
        done();
        resolve(this.exited.code);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`the server did not exit within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** shutdown + exit; resolves with the exit code (kills the process if it does not exit in time). */
  async stop(): Promise<number | null> {
    if (this.exited) return this.exited.code;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      /* the process may already be gone */
    }
    const timer = setTimeout(() => this.child.kill(), 5000);
    const code = await exited;
    clearTimeout(timer);
    this.connection.dispose();
    return code;
  }
}

export function fileUri(p: string): string {
  return pathToFileURL(p).href;
}
