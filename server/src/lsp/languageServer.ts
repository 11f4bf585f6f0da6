/**
 * LSP wiring: capabilities, document sync, file watching and configuration, and one line per request that
 * hands the work to the session and the feature functions. No logic of its own.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Connection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  InitializeParams,
  InitializeResult,
  TextDocuments,
  TextDocumentSyncKind,
  WatchKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ByteOffsetRequest, ComparisonViewRequest, DecodedViewRequest, isComparisonViewUri, ViewChangedNotification, WorkspaceStatusNotification, WorkspaceTrustNotification } from '../shared/lspExtensions';
import { INDEXED_GLOB } from '../workspace/scanFolders';
import { DEFAULT_LAB_DIR, DEVICE_TABLE_FILE } from '../lab/model/labLayout';
import { fileUri, uriToPath } from '../workspace/uris';
import { byteOffset } from './features/byteOffset';
import { definition } from './features/definition';
import { FeatureContext } from './features/featureContext';
import { foldingRanges, signedFileFolding } from './features/folding';
import { hover } from './features/hover';
import { deviceTableLspHover } from './features/deviceTableHover';
import { documentLinks } from './features/links';
import { references } from './features/references';
import { documentSymbols, signedFileSymbols } from './features/symbols';
import { codeLenses } from './features/codeLens';
import { LabController } from './labController';
import { registerLabHandlers } from './labHandlers';
import { guarded, GuardContext, quietly } from './guard';
import { FileChangeKind, Session } from './workspaceSession';
import { parseSettings } from './settings';
import { parseStartupOptions } from './startupOptions';
import { escapeControlsInText } from '../core/text/controlChars';

const CONFIGURATION_SECTION = 'itlLens';
const CLOCK_REFRESH_MS = 60 * 60 * 1000;
const CONFIGURATION_TIMEOUT_MS = 5000;

const CHANGE_KINDS: Record<number, FileChangeKind> = { [FileChangeType.Created]: 'created', [FileChangeType.Changed]: 'changed', [FileChangeType.Deleted]: 'deleted' };

function docsUri(): string | undefined {
  const docs = path.join(__dirname, '..', 'docs', 'diagnostics.md');
  return fs.existsSync(docs) ? fileUri(docs) : undefined;
}

function workspaceFolders(params: InitializeParams): string[] {
  const uris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  const paths = uris.map(uriToPath).filter((p): p is string => !!p);
  if (!paths.length && params.rootPath) paths.push(params.rootPath);
  return paths;
}

export function startLanguageServer(connection: Connection): void {
  let session: Session | undefined;
  let folders: string[] = [];
  let canPullConfiguration = false;
  let canWatchFiles = false;
  let canRegisterConfiguration = false;
  let hasFolderEvents = false;
  /** the client's word that the workspace is trusted (startupOptions.ts, WorkspaceTrustNotification) */
  let workspaceTrusted = false;
  // the log shows names from files and phones: their control characters are escaped (core/text/controlChars.ts)
  const logError = (m: string) => connection.console.error(escapeControlsInText(m));
  const g: GuardContext = { initialized: () => session !== undefined, log: logError };
  const documents = new TextDocuments(TextDocument);

  const pullSettings = async () => {
    if (!session || !canPullConfiguration) return;
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), CONFIGURATION_TIMEOUT_MS).unref());
    const raw = await Promise.race([connection.workspace.getConfiguration(CONFIGURATION_SECTION), timeout]);
    if (raw !== undefined) session.setSettings(parseSettings(raw));
  };

  connection.onInitialize((params): InitializeResult => {
    const options = parseStartupOptions(params.initializationOptions);
    const fixed = options.fixedNow;
    workspaceTrusted = options.workspaceTrusted;
    session = new Session(
      {
        publishDiagnostics: (uri, diagnostics) => void connection.sendDiagnostics({ uri, diagnostics }),
        viewChanged: (p) => void connection.sendNotification(ViewChangedNotification, p),
        status: (s) => void connection.sendNotification(WorkspaceStatusNotification, s),
      },
      { now: () => (fixed ? new Date(fixed) : new Date()), docsUri: docsUri(), workspaceTrusted: () => workspaceTrusted },
    );
    if (options.settings) session.setSettings(options.settings);
    if (!fixed) setInterval(() => session?.refreshAll(), CLOCK_REFRESH_MS).unref();
    folders = workspaceFolders(params);
    session.setFolders(folders);
    const caps = params.capabilities;
    canPullConfiguration = !!caps.workspace?.configuration;
    canWatchFiles = !!caps.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    canRegisterConfiguration = !!caps.workspace?.didChangeConfiguration?.dynamicRegistration;
    hasFolderEvents = !!caps.workspace?.workspaceFolders;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        documentLinkProvider: { resolveProvider: false },
        codeLensProvider: { resolveProvider: false },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'ITL Lens', version: '0.1.0' },
    };
  });

  connection.onInitialized(
    quietly(g, 'initialized', async () => {
      // A client that refuses a registration still gets its workspace indexed.
      const refused = (what: string) => (e: unknown) => g.log(`ITL Lens: the client refused ${what}: ${String(e)}`);
      if (canWatchFiles) {
        await connection.client
          .register(DidChangeWatchedFilesNotification.type, {
            // Each event once: every creation and deletion (files and folders: a folder copied in, or made
            // with its files at once, may be reported alone), and the changes of the files the server reads.
            // A folder deleted and made again within moments is reported as changed: the lab folder's is watched.
            watchers: [
              { globPattern: '**/*', kind: WatchKind.Create | WatchKind.Delete },
              { globPattern: INDEXED_GLOB, kind: WatchKind.Change },
              { globPattern: '**/*.{sgn,sha512}', kind: WatchKind.Change },
              { globPattern: `**/${DEVICE_TABLE_FILE}`, kind: WatchKind.Change },
              { globPattern: `**/${DEFAULT_LAB_DIR}`, kind: WatchKind.Change },
            ],
          })
          .catch(refused('file watchers'));
      }
      if (canRegisterConfiguration) {
        await connection.client.register(DidChangeConfigurationNotification.type, { section: CONFIGURATION_SECTION }).catch(refused('configuration changes'));
      }
      if (hasFolderEvents) {
        connection.workspace.onDidChangeWorkspaceFolders(
          quietly(g, 'didChangeWorkspaceFolders', async (e) => {
            await session!.removeFolders(e.removed.map((f) => uriToPath(f.uri)).filter((p): p is string => !!p));
            await session!.indexFolders(e.added.map((f) => uriToPath(f.uri)).filter((p): p is string => !!p));
          }),
        );
      }
      await pullSettings().catch((e) => g.log(`ITL Lens: cannot read settings: ${String(e)}`));
      await session!.indexFolders(folders);
    }),
  );

  connection.onDidChangeConfiguration(
    quietly(g, 'didChangeConfiguration', async (params) => {
      if (!session) return;
      if (canPullConfiguration) await pullSettings();
      else {
        const raw = (params?.settings as Record<string, unknown> | undefined)?.[CONFIGURATION_SECTION];
        if (raw !== undefined) session.setSettings(parseSettings(raw));
      }
    }),
  );

  connection.onDidChangeWatchedFiles(
    quietly(g, 'didChangeWatchedFiles', async (params) => {
      for (const c of params?.changes ?? []) if (session && CHANGE_KINDS[c.type]) await session.fileChanged(c.uri, CHANGE_KINDS[c.type]);
    }),
  );

  documents.onDidChangeContent(quietly(g, 'didChange', (e) => session?.textChanged(e.document.uri, e.document.getText())));
  documents.onDidClose(quietly(g, 'didClose', (e) => session?.textClosed(e.document.uri)));
  connection.onNotification(WorkspaceTrustNotification, quietly(g, 'workspaceTrust', (p) => void (workspaceTrusted = p?.trusted === true)));

  const ctx = (): FeatureContext => ({ index: session!.index, views: session!.views, now: session!.now(), decode: (f) => session!.decode(f) });

  connection.onRequest(DecodedViewRequest, guarded(g, 'decodedView', 'error', (p) => session!.decodedView(p?.sourceUri)));
  connection.onRequest(ComparisonViewRequest, guarded(g, 'comparisonView', 'error', (p) => session!.comparisonView(p?.viewUri)));
  connection.onRequest(
    ByteOffsetRequest,
    guarded(g, 'byteOffset', null, async (p) => {
      const doc = await session!.resolve(p?.viewUri);
      return doc ? byteOffset(doc, p.line, ctx()) : null;
    }),
  );
  connection.onHover(
    guarded(g, 'hover', null, async (p) => {
      const tablePath = session!.openDeviceTablePath(p?.textDocument?.uri);
      const tableDoc = tablePath && documents.get(p.textDocument.uri);
      if (tablePath && tableDoc) return deviceTableLspHover(tableDoc, tablePath, p.position, session!.now());
      const doc = await session!.resolve(p?.textDocument?.uri);
      return doc ? hover(doc, p.position, ctx()) : null;
    }),
  );
  connection.onDocumentSymbol(
    // null (no answer) for documents that are not ours to outline, such as a capf-devices.json: its JSON
    // language keeps the outline and folding
    guarded(g, 'documentSymbol', null, async (p) => {
      if (isComparisonViewUri(p?.textDocument?.uri ?? '')) return session!.comparisons.symbols(p.textDocument.uri);
      const signed = session!.signedView(p?.textDocument?.uri);
      if (signed) return signedFileSymbols(signed);
      const doc = await session!.resolve(p?.textDocument?.uri);
      return doc ? documentSymbols(doc) : null;
    }),
  );
  connection.onFoldingRanges(
    guarded(g, 'foldingRange', null, async (p) => {
      if (isComparisonViewUri(p?.textDocument?.uri ?? '')) return session!.comparisons.folding(p.textDocument.uri);
      const signed = session!.signedView(p?.textDocument?.uri);
      if (signed) return signedFileFolding(signed);
      const doc = await session!.resolve(p?.textDocument?.uri);
      return doc ? foldingRanges(doc) : null;
    }),
  );
  connection.onDefinition(
    guarded(g, 'definition', [], async (p) => {
      const doc = await session!.resolve(p?.textDocument?.uri);
      return doc ? definition(doc, p.position, ctx()) : [];
    }),
  );
  connection.onReferences(
    guarded(g, 'references', [], async (p) => {
      const doc = await session!.resolve(p?.textDocument?.uri);
      return doc ? references(doc, p.position, !!p.context?.includeDeclaration, ctx()) : [];
    }),
  );
  connection.onDocumentLinks(
    guarded(g, 'documentLinks', [], async (p) => {
      if (isComparisonViewUri(p?.textDocument?.uri ?? '')) return session!.comparisons.links(p.textDocument.uri);
      const doc = await session!.resolve(p?.textDocument?.uri);
      return doc ? documentLinks(doc, ctx()) : [];
    }),
  );

  connection.onCodeLens(
    guarded(g, 'codeLens', [], async (p) => {
      const doc = await session!.resolve(p?.textDocument?.uri);
      return doc ? codeLenses(doc, ctx()) : [];
    }),
  );

  const lab = new LabController(() => LabController.defaultStateDirFor(folders));
  registerLabHandlers(connection, lab, logError, () => workspaceTrusted);
  connection.onShutdown(() => lab.dispose());

  documents.listen(connection);
  connection.listen();
}
