/**
 * Decoded views of indexed files: rendered on demand, kept for the most recently used files, and named with
 * the URIs the client uses (its spelling of the view and source URIs wins once it has sent one).
 */
import * as path from 'node:path';
import { viewUriForSource, ViewKind } from '../shared/lspExtensions';
import { renderFileView } from '../views/renderFile';
import { RenderedView } from '../views/viewModel';
import { DecodedFile, IndexedFile } from '../workspace/indexedFile';

/** Views of a few files (open ones, and those a batch of diagnostics points into; see Session.publishOrder). */
const MAX_CACHED_VIEWS = 64;

export function viewKindOf(file: IndexedFile): ViewKind {
  return file.kind === 'trust-list' ? 'trust-list' : 'certificate';
}

/**
 * The whole decoded model of an indexed file (undefined when it can no longer be read). `keep: false`: the
 * caller uses it once (a batch of diagnostics), so it is not kept among the recent models.
 */
export type FileDecoder = (file: IndexedFile, keep?: boolean) => DecodedFile | undefined;

/** Views drawn for a batch of diagnostics are kept only while the batch is on that file and its dependents. */
const MAX_BATCH_VIEWS = 4;

/** A view with no lines, for a file that vanished before its view was drawn. */
const EMPTY_VIEW: RenderedView = { text: '', lines: [], sections: [] };

export class ViewStore {
  private readonly cache = new Map<string, RenderedView>();
  private readonly batch = new Map<string, RenderedView>();
  private readonly clientViewUris = new Map<string, string>();
  private readonly clientSourceUris = new Map<string, string>();

  constructor(
    private readonly now: () => Date,
    private readonly folders: () => readonly string[],
    /** views are drawn from the whole model, decoded again from the file (the index keeps a summary) */
    private readonly decode: FileDecoder,
  ) {}

  /** The view of a file, from the cache when it is there (line layout does not depend on the clock). */
  viewOf(file: IndexedFile): RenderedView {
    const cached = this.cache.get(file.uri);
    if (cached) {
      this.cache.delete(file.uri);
      this.cache.set(file.uri, cached);
      return cached;
    }
    return this.render(file);
  }

  /**
   * The view of a file for a batch of diagnostics (their view lines, the related locations in other files'
   * views): the cached one when there is one, else one drawn for the batch, which the view cache does not
   * keep — a batch over a 20,000-file workspace would only churn it (and the memory it holds).
   */
  batchViewOf(file: IndexedFile): RenderedView {
    const view = this.cache.get(file.uri) ?? this.batch.get(file.uri);
    if (view) return view;
    const decoded = this.decode(file, false);
    if (!decoded) return EMPTY_VIEW;
    const drawn = renderFileView(decoded, { fileName: this.displayName(file), now: this.now() });
    this.batch.set(file.uri, drawn);
    if (this.batch.size > MAX_BATCH_VIEWS) this.batch.delete(this.batch.keys().next().value!);
    return drawn;
  }

  /** Ends a batch: its views are let go. */
  endBatch(): void {
    this.batch.clear();
  }

  /** A freshly rendered view (relative times are those of now), which replaces the cached one. */
  render(file: IndexedFile): RenderedView {
    const decoded = this.decode(file);
    if (!decoded) return EMPTY_VIEW;
    const view = renderFileView(decoded, { fileName: this.displayName(file), now: this.now() });
    this.cache.delete(file.uri);
    this.cache.set(file.uri, view);
    if (this.cache.size > MAX_CACHED_VIEWS) this.cache.delete(this.cache.keys().next().value!);
    return view;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
    this.batch.delete(uri);
  }

  forgetAll(): void {
    this.cache.clear();
    this.batch.clear();
  }

  /** Records the client's spelling of a file's URIs. */
  remember(canonicalUri: string, spellings: { sourceUri?: string; viewUri?: string }): void {
    if (spellings.sourceUri) this.clientSourceUris.set(canonicalUri, spellings.sourceUri);
    if (spellings.viewUri) this.clientViewUris.set(canonicalUri, spellings.viewUri);
  }

  viewUriOf(file: IndexedFile): string {
    return this.clientViewUris.get(file.uri) ?? viewUriForSource(this.sourceUriOf(file), viewKindOf(file));
  }

  sourceUriOf(file: IndexedFile): string {
    return this.clientSourceUris.get(file.uri) ?? file.uri;
  }

  /** The name views show: relative to the workspace folder that holds the file, else the full path. */
  displayName(file: IndexedFile): string {
    if (!file.path) return file.uri;
    for (const folder of this.folders()) {
      const rel = path.relative(folder, file.path);
      if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
    }
    return file.path;
  }
}
