/**
 * The language server's workspace session: the workspace index, the open PEM documents, the decoded views and
 * the diagnostics already published. The CAPF device tables are checked beside it (deviceTableChecks.ts) and
 * the phone-trust checks too (trustChecks.ts). It has no LSP connection: it reports through a SessionSink, and the handlers
 * in languageServer.ts only translate messages to and from it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Diagnostic } from 'vscode-languageserver-protocol';
import { sourceUriForView, VIEW_SCHEME, ViewChangedParams, WorkspaceStatus, DecodedViewResult, viewUriForSource } from '../shared/lspExtensions';
import { DEFAULT_LAB_DIR, DEVICE_TABLE_FILE, LAB_TFTP_DIR } from '../lab/model/labLayout';
import { isDeviceTablePath } from '../rules/deviceTableRules';
import { diagnoseFile } from '../rules/runRules';
import { dependentsOf } from '../rules/dependencies';
import { RuleContext } from '../rules/ruleContext';
import { RenderedView } from '../views/viewModel';
import { decodeIndexedFile, decodeWorkspaceFile } from '../workspace/decodeFile';
import { EDITOR_MAX_DECODED_BYTES } from '../core/decodeLimit';
import { contentKeyOf, summarize, summarizeSource } from '../workspace/fileSummary';
import { DecodedCertificateFile, DecodedFile, IndexedFile } from '../workspace/indexedFile';
import { findFiles, isInSkippedFolder, isIndexedPath, isSameOrUnder, readIndexedFileSync } from '../workspace/scanFolders';
import { canonicalUri, fileUri, uriToPath } from '../workspace/uris';
import { WorkspaceIndex } from '../workspace/workspaceIndex';
import { isSignedFilePath } from '../shared/fileKinds';
import { DiagnosticPublisher } from './diagnosticPublisher';
import { DiagnosticMapping, toLspDiagnostics } from './lspDiagnostics';
import { DeviceTableChecks } from './deviceTableChecks';
import { DEFAULT_SETTINGS, ServerSettings } from './settings';
import { TrustChecks, TrustSnapshot } from './trustChecks';
import { ComparisonError, ComparisonViews } from './comparisons';
import { ComparisonViewResult } from '../shared/lspExtensions';
import { viewKindOf, ViewStore } from './viewStore';

export interface SessionSink {
  publishDiagnostics(uri: string, diagnostics: Diagnostic[]): void;
  viewChanged(params: ViewChangedParams): void;
  status(status: WorkspaceStatus): void;
}

export interface SessionOptions {
  now: () => Date;
  /** link for diagnostic codes (docs/diagnostics.md) */
  docsUri?: string;
  /** the client says the workspace is trusted (Compare with Committed Version runs git only then) */
  workspaceTrusted?: () => boolean;
}

export type FileChangeKind = 'created' | 'changed' | 'deleted';

/** A document the navigation features can work on. */
export type ResolvedDocument =
  | { kind: 'view'; uri: string; file: DecodedFile; view: RenderedView }
  | { kind: 'pem'; uri: string; file: DecodedCertificateFile };

/** A request the session cannot serve, with a message for the user. */
export class SessionError extends Error {}

const FLUSH_SLICE = 200;

/** Progress of a long index goes to the status item this often (one message, not one per file). */
const PROGRESS_EVERY_MS = 250;

/** Whole decoded models kept for the files the editor is looking at (hovers, links, views' diagnostics). */
const MAX_DECODED = 64;


export class Session {
  readonly index = new WorkspaceIndex();
  readonly views: ViewStore;
  /** trust-list comparison documents (comparisons.ts) */
  readonly comparisons: ComparisonViews;
  private folders: string[] = [];
  private settings: ServerSettings = DEFAULT_SETTINGS;
  /** PEM documents open in the editor, by canonical URI: their text is the source of truth (whole model) */
  private readonly textBacked = new Map<string, DecodedCertificateFile>();
  /** recently decoded whole models of indexed files, by canonical URI (most recent last) */
  private readonly decoded = new Map<string, DecodedFile>();
  /** sources whose decoded view is open in the editor: only those get view-URI diagnostics (else Problems lists each twice) */
  private readonly openViews = new Set<string>();
  private readonly publisher: DiagnosticPublisher;
  private indexing = false;
  private readonly pending = new Set<string>();
  private pendingAll = false;
  private flushScheduled = false;
  private flushing: Promise<void> | undefined;
  private work: Promise<void> = Promise.resolve();
  /** signed files' views as last rendered, by canonical source URI (dropped when a file they depend on changes) */
  private readonly signedViews = new Map<string, RenderedView>();
  /** the CAPF device tables in the workspace and its lab folders (deviceTableChecks.ts) */
  private readonly tables: DeviceTableChecks;
  /** the publisher's errorFilesVersion last sent (filesWithErrors goes out only when it moved) */
  private sentErrorFiles = -1;
  private lastStatusAt = 0;
  /** continuity against the deployed trust lists, and the signed files (trustChecks.ts) */
  private readonly trust: TrustChecks;
  /** the signed files' diagnostics are published again at the next flush (a file they are checked against changed) */
  private signedDirty = false;

  constructor(
    private readonly sink: SessionSink,
    private readonly options: SessionOptions,
  ) {
    this.views = new ViewStore(options.now, () => this.folders, (f, keep) => this.decode(f, keep));
    this.publisher = new DiagnosticPublisher((uri, d) => sink.publishDiagnostics(uri, d));
    this.tables = new DeviceTableChecks({
      now: () => this.now(),
      severity: () => this.settings.severity,
      docsUri: options.docsUri,
      publisher: this.publisher,
      folderOf: (p) => this.folderOf(p),
      changed: () => this.sendStatus(),
    });
    this.trust = new TrustChecks(this.index, () => this.folders, (f) => this.decode(f, false));
    this.comparisons = new ComparisonViews((uri) => this.load(uri), (f) => this.decode(f), this.views, () => options.workspaceTrusted?.() === true, () => this.trust.tvsOracle());
  }

  now(): Date {
    return this.options.now();
  }

  setSettings(settings: ServerSettings): void {
    this.settings = settings;
    this.trust.setDeployed(settings.deployed);
    this.trust.setTvsKnows(settings.tvsKnows);
    this.comparisons.forgetAll();
    this.schedule('all');
  }

  /** Re-renders views and re-runs every rule (the clock moved on). */
  refreshAll(): void {
    this.views.forgetAll();
    this.signedViews.clear();
    this.schedule('all');
  }

  // ---- workspace folders and files on disk ----

  /** Records the workspace folders at once (views render paths relative to them), before indexing them. */
  setFolders(folders: string[]): void {
    this.folders = [...new Set([...this.folders, ...folders])];
  }

  /** Indexes every trust list and certificate file under the folders, then publishes all diagnostics. */
  indexFolders(folders: string[]): Promise<void> {
    return this.enqueue(async () => {
      this.setFolders(folders);
      this.indexing = true;
      this.sendStatus();
      try {
        for (const folder of folders) {
          await this.loadTree(folder);
          this.tables.load(path.join(folder, DEFAULT_LAB_DIR, DEVICE_TABLE_FILE));
        }
      } finally {
        this.indexing = false;
      }
      this.schedule('all');
    });
  }

  removeFolders(folders: string[]): Promise<void> {
    return this.enqueue(async () => {
      this.folders = this.folders.filter((f) => !folders.includes(f));
      for (const folder of folders) for (const uri of this.index.urisUnder(folder)) if (!this.isInFolders(uri)) this.remove(uri);
      this.tables.dropUnwatched();
      for (const uri of this.trust.signedUris()) if (!this.isInFolders(uri)) this.dropSigned(uri);
      this.tables.publish();
    });
  }

  /** A file or folder was created, changed or deleted on disk (workspace/didChangeWatchedFiles). */
  fileChanged(uri: string, change: FileChangeKind): Promise<void> {
    return this.enqueue(async () => {
      const canonical = canonicalUri(uri);
      const p = uriToPath(canonical);
      if (!p || this.textBacked.has(canonical)) return;
      if (change !== 'deleted' && path.basename(p) === DEFAULT_LAB_DIR && this.tables.isWatched(path.join(p, DEVICE_TABLE_FILE))) {
        // `itl-lens lab` creates the folder and writes its table at once: the file's own event can be lost
        // (a watch on the new folder comes too late for it), so the folder's creation reads the table (one
        // deleted and made again within moments is reported as changed). The walk of loadCreatedFolder
        // skips this dot-folder: it is the one skipped folder whose table is checked.
        this.tables.load(path.join(p, DEVICE_TABLE_FILE));
        await this.loadCreatedFolder(p); // its TFTP root, if written with it
        this.tables.publish();
        return;
      }
      if (isDeviceTablePath(p) && this.tables.isWatched(p)) {
        if (change === 'deleted') this.tables.drop(canonical);
        else this.tables.load(p);
        this.tables.publish();
        return;
      }
      if (isSignedFilePath(p) && (this.trust.hasSigned(canonical) || this.isInFolders(canonical))) {
        if (change !== 'deleted' && this.trust.loadSigned(p)) {
          this.signedDirty = true;
          this.schedule([]);
          this.signedViews.delete(canonical);
          this.sink.viewChanged({ sourceUri: canonical, viewUri: viewUriForSource(canonical, 'trust-list') });
        } else if (change === 'deleted' || !this.trust.hasSigned(canonical)) this.dropSigned(canonical);
        return;
      }
      if (this.index.has(canonical)) {
        if (change === 'deleted') this.remove(canonical);
        else this.reload(canonical, p);
        return;
      }
      // e.g. a node_modules or .git being rewritten; the lab folder's TFTP root is read (scanFolders.ts)
      if (isInSkippedFolder(p, this.folderOf(p)) && !isLabTftpRoot(p)) return;
      if (change === 'deleted') {
        // a folder
        for (const u of this.index.urisUnder(p)) this.remove(u);
        this.tables.dropUnder(p);
        for (const u of this.trust.signedUris()) if (isSameOrUnder(uriToPath(u) ?? '', p)) this.dropSigned(u);
        this.tables.publish();
      } else if (isIndexedPath(p)) this.reload(canonical, p);
      else if (change === 'created') await this.loadCreatedFolder(p);
    });
  }

  /**
   * A folder copied or moved into the workspace, or made with its files at once, is often reported alone
   * (the watch on a new folder comes too late for the files written with it): its trust lists, certificates and
   * device tables are read here. Any other created path (a file the server does not read) costs one stat.
   */
  private async loadCreatedFolder(created: string): Promise<void> {
    // of a new lab folder, only its TFTP root is read
    const p = path.basename(created) === DEFAULT_LAB_DIR ? path.join(created, LAB_TFTP_DIR) : created;
    const folder = this.folderOf(p);
    if (folder === undefined || isInSkippedFolder(path.join(p, 'x'), folder)) return; // a new node_modules, .git, …
    try {
      if (!(await fs.promises.stat(p)).isDirectory()) return;
    } catch {
      return; // gone again
    }
    if (await this.loadTree(p)) this.tables.publish();
  }

  /**
   * Reads every trust list, certificate file and device table under `root` (the walk skips node_modules and
   * dot-folders, so every table it finds is one the session checks). Device tables are not published here;
   * the result says whether any was found.
   */
  private async loadTree(root: string): Promise<boolean> {
    const files = await findFiles(root, (name) => isIndexedPath(name) || isDeviceTablePath(name) || isSignedFilePath(name));
    let tables = false;
    for (let i = 0; i < files.length; i++) {
      if (isSignedFilePath(files[i])) {
        if (this.trust.loadSigned(files[i])) this.signedDirty = true;
      } else if (isDeviceTablePath(files[i])) {
        this.tables.load(files[i]);
        tables = true;
      } else this.loadPath(files[i]);
      if (i % 50 === 49) {
        if (this.indexing) this.sendProgress(i + 1, files.length);
        await yieldToEventLoop();
      }
    }
    return tables;
  }

  /** Re-reads a changed file; drops it when it is gone or no longer decodable; tells the client its view changed. */
  private reload(canonical: string, p: string): void {
    const file = this.loadPath(p);
    if (file) this.notifyViewChanged(file);
    else if (this.index.has(canonical)) this.remove(canonical);
  }

  // ---- documents open in the editor ----

  /** didOpen / didChange: a PEM document's text is the source of truth while it is open. */
  textChanged(uri: string, text: string): void {
    if (uri.startsWith(`${VIEW_SCHEME}:`)) {
      this.viewOpened(uri);
      return;
    }
    const canonical = canonicalUri(uri);
    const p = uriToPath(canonical);
    if (isDeviceTablePath(p ?? uri)) {
      this.tables.opened(uri, text);
      return;
    }
    const file = decodeWorkspaceFile({ uri: canonical, path: p, name: p ?? uri, bytes: Buffer.from(text, 'utf8'), maxBytes: EDITOR_MAX_DECODED_BYTES });
    if (file?.kind !== 'certificate' || file.format !== 'pem') return; // binary files are read from disk
    this.views.remember(canonical, { sourceUri: uri });
    this.textBacked.set(canonical, file);
    const summary = summarize(file);
    this.store(summary);
    this.notifyViewChanged(summary);
  }

  textClosed(uri: string): Promise<void> {
    if (uri.startsWith(`${VIEW_SCHEME}:`)) {
      const source = sourceUriForView(uri);
      if (source && this.openViews.delete(canonicalUri(source))) this.schedule([canonicalUri(source)]);
      return Promise.resolve();
    }
    const canonical = canonicalUri(uri);
    if (this.tables.isOpen(canonical)) {
      this.tables.closed(uri);
      return Promise.resolve();
    }
    if (!this.textBacked.delete(canonical)) return Promise.resolve();
    return this.enqueue(async () => {
      const p = uriToPath(canonical);
      const file = p ? this.loadPath(p) : undefined;
      if (!file) this.remove(canonical);
    });
  }

  /** The path of a capf-devices.json open in the editor (for the status hover), else undefined. */
  openDeviceTablePath(uri: string): string | undefined {
    return this.tables.openTablePath(uri);
  }

  private viewOpened(viewUri: string): void {
    const source = sourceUriForView(viewUri);
    if (!source) return;
    const canonical = canonicalUri(source);
    this.views.remember(canonical, { sourceUri: source, viewUri });
    this.openViews.add(canonical);
    if (this.index.has(canonical)) this.schedule([canonical]);
    else void this.load(canonical).catch(() => undefined);
  }

  // ---- requests ----

  /** The decoded view of a source file (itlLens/decodedView). */
  async decodedView(sourceUri: unknown): Promise<DecodedViewResult> {
    if (typeof sourceUri !== 'string' || !sourceUri) throw new SessionError('itlLens/decodedView needs the sourceUri of a trust list or certificate file.');
    const source = sourceUri.startsWith(`${VIEW_SCHEME}:`) ? sourceUriForView(sourceUri) : sourceUri;
    if (!source) throw new SessionError(`${sourceUri} is not a file ITL Lens can decode.`);
    const canonical = canonicalUri(source);
    const signedPath = uriToPath(canonical);
    if (signedPath && isSignedFilePath(signedPath)) {
      let view: RenderedView;
      try {
        view = this.renderSignedView(canonical, signedPath);
      } catch (e) {
        throw new SessionError(`${signedPath} cannot be decoded: ${(e as Error).message}`);
      }
      this.views.remember(canonical, { sourceUri: source });
      return { viewUri: viewUriForSource(source, 'trust-list'), kind: 'trust-list', text: view.text };
    }
    const file = await this.load(canonical);
    this.views.remember(canonical, { sourceUri: source });
    const view = this.views.render(file);
    return { viewUri: this.views.viewUriOf(file), kind: viewKindOf(file), text: view.text };
  }

  /** A trust-list comparison (itlLens/comparisonView); its failures are the user's to read. */
  async comparisonView(viewUri: unknown): Promise<ComparisonViewResult> {
    try {
      return await this.comparisons.view(viewUri);
    } catch (e) {
      throw e instanceof ComparisonError ? new SessionError(e.message) : e;
    }
  }

  /**
   * The rendered view of a signed file a view URI names (for its outline and folding): the one last sent by
   * decodedView, else rendered now; undefined for any other URI.
   */
  signedView(viewUri: unknown): RenderedView | undefined {
    if (typeof viewUri !== 'string' || !viewUri.startsWith(`${VIEW_SCHEME}:`)) return undefined;
    const source = sourceUriForView(viewUri);
    const canonical = source && canonicalUri(source);
    const p = canonical && uriToPath(canonical);
    if (!canonical || !p || !isSignedFilePath(p)) return undefined;
    try {
      return this.signedViews.get(canonical) ?? this.renderSignedView(canonical, p);
    } catch {
      return undefined;
    }
  }

  /** Renders a signed file's view now (trustChecks.ts) and keeps it for the outline and folding. */
  private renderSignedView(canonical: string, p: string): RenderedView {
    const view = this.trust.signedFileView(p, this.now());
    this.signedViews.set(canonical, view);
    return view;
  }

  /** The document a navigation request is about: a decoded view, or an open PEM file. */
  async resolve(uri: string): Promise<ResolvedDocument | undefined> {
    if (typeof uri !== 'string') return undefined;
    if (uri.startsWith(`${VIEW_SCHEME}:`)) {
      const source = sourceUriForView(uri);
      if (!source) return undefined;
      const file = await this.load(canonicalUri(source)).catch(() => undefined);
      const decoded = file && this.decode(file);
      return decoded && { kind: 'view', uri, file: decoded, view: this.views.viewOf(file) };
    }
    const file = this.index.get(canonicalUri(uri));
    const decoded = file?.kind === 'certificate' && file.format === 'pem' ? this.decode(file) : undefined;
    return decoded?.kind === 'certificate' && decoded.text !== undefined ? { kind: 'pem', uri, file: decoded } : undefined;
  }

  /**
   * The whole decoded model of an indexed file: an open document's, a recent one, else decoded again from the
   * file on disk (undefined when it can no longer be read or decoded).
   */
  decode(file: IndexedFile, keep = true): DecodedFile | undefined {
    const open = this.textBacked.get(file.uri);
    if (open) return open;
    const recent = this.decoded.get(file.uri);
    if (recent && recent.contentKey === file.contentKey) {
      this.decoded.delete(file.uri);
      this.decoded.set(file.uri, recent);
      return recent;
    }
    const bytes = file.path !== undefined ? readIndexedFileSync(file.path) : undefined;
    const decoded = bytes && decodeIndexedFile(file, bytes, EDITOR_MAX_DECODED_BYTES);
    if (!decoded || !keep) return decoded;
    this.decoded.delete(file.uri);
    this.decoded.set(file.uri, decoded);
    if (this.decoded.size > MAX_DECODED) this.decoded.delete(this.decoded.keys().next().value!);
    return decoded;
  }

  mapping(): DiagnosticMapping {
    return {
      index: this.index,
      viewOf: (f) => this.views.viewOf(f),
      viewUriOf: (f) => this.views.viewUriOf(f),
      sourceUriOf: (f) => this.views.sourceUriOf(f),
      docsUri: this.options.docsUri,
    };
  }

  // ---- internals ----

  /** The indexed file, read from disk first when it is not indexed or lies outside the watched folders. */
  private async load(canonical: string): Promise<IndexedFile> {
    const known = this.index.get(canonical);
    const p = uriToPath(canonical);
    if (known && (this.textBacked.has(canonical) || !p || this.isInFolders(canonical))) return known;
    if (!p) throw new SessionError(`ITL Lens reads trust lists and certificates from files on disk; ${canonical} is not a file: URI.`);
    const file = this.loadPath(p);
    if (!file) throw new SessionError(`Cannot decode ${p}: the file is missing, unreadable, larger than 4 MB, or neither a trust list nor a certificate file.`);
    return file;
  }

  /**
   * Reads and indexes one file. Reads are synchronous: trust lists and certificates are small, and a sync read
   * costs far less than an asynchronous round trip per file; the folder scan yields to the event loop every 50.
   */
  private loadPath(p: string): IndexedFile | undefined {
    const uri = fileUri(p);
    if (this.textBacked.has(uri)) return this.index.get(uri);
    const bytes = readIndexedFileSync(p);
    if (!bytes) return undefined;
    const src = { uri, path: p, name: p, bytes, maxBytes: EDITOR_MAX_DECODED_BYTES };
    const contentKey = contentKeyOf(src);
    const known = this.index.get(uri);
    if (known && known.contentKey === contentKey) return known;
    const file = contentKey !== undefined ? summarizeSource(src, contentKey) : undefined;
    if (!file) return undefined;
    this.store(file);
    return file;
  }

  /** Indexes a file and schedules diagnostics for it and for the files whose rules read it (before and after). */
  private store(file: IndexedFile): void {
    const affected = new Set<string>([file.uri]);
    const old = this.index.get(file.uri);
    // While the first index runs, every file is diagnosed at the end anyway.
    if (old && !this.indexing) for (const u of dependentsOf(old, this.index)) affected.add(u);
    this.index.set(file);
    if (!this.indexing) for (const u of dependentsOf(file, this.index)) affected.add(u);
    this.views.forget(file.uri);
    this.decoded.delete(file.uri);
    this.comparisons.forget(file.uri);
    this.signedViews.clear(); // a signed file's verdict depends on the trust lists and certificates
    if (this.trust.isDeployed(file) || (old && this.trust.isDeployed(old)) || this.trust.isTvsKnown(file)) for (const t of this.index.trustLists()) affected.add(t.uri);
    this.signedDirty = true;
    this.schedule(affected);
  }

  private remove(uri: string): void {
    const old = this.index.get(uri);
    const affected = old ? dependentsOf(old, this.index) : new Set<string>();
    this.index.delete(uri);
    this.comparisons.forget(uri);
    this.signedViews.clear();
    if (old && this.trust.isDeployed(old)) for (const t of this.index.trustLists()) affected.add(t.uri);
    this.signedDirty = true;
    this.views.forget(uri);
    this.decoded.delete(uri);
    this.publisher.clear(uri);
    this.schedule(affected);
  }

  private dropSigned(uri: string): void {
    this.trust.dropSigned(uri);
    this.publisher.clear(uri);
    this.sendStatus();
  }

  private notifyViewChanged(file: IndexedFile): void {
    this.sink.viewChanged({ sourceUri: this.views.sourceUriOf(file), viewUri: this.views.viewUriOf(file) });
  }

  private folderOf(p: string): string | undefined {
    return this.folders.find((f) => isSameOrUnder(p, f));
  }

  private isInFolders(uri: string): boolean {
    const p = uriToPath(uri);
    const folder = p ? this.folderOf(p) : undefined;
    return !!p && folder !== undefined && !isInSkippedFolder(p, folder);
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.work.then(op, op);
    this.work = run.catch(() => undefined);
    return run;
  }

  private schedule(uris: Iterable<string> | 'all'): void {
    if (uris === 'all') this.pendingAll = true;
    else for (const u of uris) this.pending.add(u);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.indexing || this.flushing) return; // indexing ends with schedule('all'); a running flush re-checks
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        if (this.pending.size || this.pendingAll) this.schedule([]);
      });
    });
  }

  private async flush(): Promise<void> {
    const uris = this.publishOrder(this.pendingAll ? [...new Set([...this.index.all().map((f) => f.uri), ...this.pending])] : [...this.pending]);
    this.pending.clear();
    if (this.pendingAll) this.tables.check(); // settings or the clock changed (the status goes out below)
    const signed = this.pendingAll || this.signedDirty;
    this.pendingAll = false;
    this.signedDirty = false;
    const ctx: RuleContext = { now: this.now(), nearExpiryDays: this.settings.nearExpiryDays, index: this.index };
    const m: DiagnosticMapping = { ...this.mapping(), viewOf: (f) => this.views.batchViewOf(f) };
    const trust = this.trust.snapshot();
    for (let i = 0; i < uris.length; i++) {
      const file = this.index.get(uris[i]);
      if (file) this.publishFile(file, ctx, m, trust);
      else this.publisher.clear(uris[i]);
      if (i % FLUSH_SLICE === FLUSH_SLICE - 1) await yieldToEventLoop();
    }
    if (signed) await this.publishSignedFiles(trust, m);
    this.views.endBatch();
    this.sendStatus();
  }

  /**
   * Each trust list, then the certificate files whose diagnostics point into its view (its dependents), then
   * the other files: the trust list's view, drawn for its own diagnostics, is still in the view cache for them.
   */
  private publishOrder(uris: string[]): string[] {
    const waiting = new Set(uris);
    const order: string[] = [];
    const take = (u: string) => {
      if (waiting.delete(u)) order.push(u);
    };
    for (const u of uris) {
      const file = this.index.get(u);
      if (file?.kind !== 'trust-list' || !waiting.has(u)) continue;
      take(u);
      for (const d of dependentsOf(file, this.index)) take(d);
    }
    for (const u of waiting) order.push(u);
    return order;
  }

  /** Every signed file's diagnostics (on its source URI: signed files have no decoded view in the editor yet). */
  private async publishSignedFiles(trust: TrustSnapshot, m: DiagnosticMapping): Promise<void> {
    const uris = this.trust.signedUris();
    for (let i = 0; i < uris.length; i++) {
      const found = this.trust.signedDiagnostics(uris[i], trust, this.settings.severity, m);
      if (found) this.publisher.publish(uris[i], 'source', uris[i], found);
      if (i % FLUSH_SLICE === FLUSH_SLICE - 1) await yieldToEventLoop();
    }
  }

  private publishFile(file: IndexedFile, ctx: RuleContext, m: DiagnosticMapping, trust: TrustSnapshot): void {
    const found = [...diagnoseFile(file, ctx, this.settings.severity), ...this.trust.continuity(file, trust, this.settings.severity)];
    // The view is used for a binary file's source diagnostics (byte range and view line in `data`) and for the
    // view-URI diagnostics, which only an open view gets; a PEM file's source diagnostics never need it.
    const needsView = file.kind === 'trust-list' || file.format !== 'pem' || this.openViews.has(file.uri);
    const view = found.length && needsView ? m.viewOf(file) : undefined;
    const lsp = toLspDiagnostics(file, view, found, m);
    this.publisher.publish(file.uri, 'source', this.views.sourceUriOf(file), lsp.source);
    this.publisher.publish(file.uri, 'view', this.views.viewUriOf(file), this.openViews.has(file.uri) ? lsp.view : []);
  }

  private sendStatus(progress?: WorkspaceStatus['progress']): void {
    const totals = this.publisher.totals();
    const counts = this.index.counts();
    const status: WorkspaceStatus = { trustLists: counts.trustLists, certificates: counts.certificateFiles, errors: totals.errors, warnings: totals.warnings, indexing: this.indexing };
    if (progress) status.progress = progress;
    if (totals.errorFilesVersion !== this.sentErrorFiles) {
      status.filesWithErrors = this.publisher.filesWithErrors();
      this.sentErrorFiles = totals.errorFilesVersion;
    }
    this.lastStatusAt = Date.now();
    this.sink.status(status);
  }

  /** While indexing: a status with the count of files read, at most every PROGRESS_EVERY_MS. */
  private sendProgress(done: number, total: number): void {
    if (Date.now() - this.lastStatusAt >= PROGRESS_EVERY_MS) this.sendStatus({ done, total });
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `<…>/.itl-lens-lab/tftp` itself: the folder the walk reads inside the skipped lab folder. */
function isLabTftpRoot(p: string): boolean {
  return path.basename(p) === LAB_TFTP_DIR && path.basename(path.dirname(p)) === DEFAULT_LAB_DIR;
}
