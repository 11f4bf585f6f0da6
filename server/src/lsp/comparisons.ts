/**
 * Comparison documents (itlLens/comparisonView): two trust lists compared as phones see them, rendered by
 * views/comparisonView.ts, with an outline and links into both files' decoded views. The held side is a
 * workspace file, or a file as committed to git (rev=HEAD).
 */
import * as path from 'node:path';
import { DocumentLink, DocumentSymbol, FoldingRange, Range, SymbolKind } from 'vscode-languageserver-protocol';
import { decodeTrustList } from '../core/tlv/decode';
import { TrustList } from '../core/tlv/model';
import { comparisonSourcesOf, ComparisonViewResult } from '../shared/lspExtensions';
import { compareTrustLists } from '../trust/compareTrustLists';
import { heldList, trustListDownload } from '../trust/downloads';
import { HeldTrust, SyncTvsOracle } from '../trust/model';
import { ComparisonSection, renderComparisonView, RenderedComparison } from '../views/comparisonView';
import { lineForTarget } from '../views/viewTargets';
import { DecodedFile, DecodedTrustList, IndexedFile } from '../workspace/indexedFile';
import { canonicalUri, uriToPath } from '../workspace/uris';
import { committedVersion, CommittedVersionError } from './committedVersion';
import { ViewStore } from './viewStore';

const MAX_CACHED = 32;

/** A comparison as rendered, with the workspace files behind each side (none for a committed version). */
interface Comparison {
  rendered: RenderedComparison;
  verdict: string;
  files: { held?: DecodedTrustList; new: DecodedTrustList };
}

export class ComparisonError extends Error {}

export class ComparisonViews {
  private readonly cache = new Map<string, Comparison>();

  constructor(
    private readonly load: (canonicalUri: string) => Promise<IndexedFile>,
    /** the whole model of an indexed file (the index keeps summaries) */
    private readonly decode: (f: IndexedFile) => DecodedFile | undefined,
    private readonly views: ViewStore,
    /** whether git may run: only in a workspace the client says is trusted */
    private readonly mayRunGit: () => boolean,
    /** what TVS knows (itlLens.trust.tvsKnows), to resolve accepted-via-tvs */
    private readonly tvs: () => SyncTvsOracle | undefined = () => undefined,
  ) {}

  /** Renders (again) the comparison a view URI names. */
  async view(viewUri: unknown): Promise<ComparisonViewResult> {
    if (typeof viewUri !== 'string') throw new ComparisonError('itlLens/comparisonView needs the viewUri of a comparison.');
    const c = await this.compute(viewUri);
    return { viewUri, text: c.rendered.text, verdict: c.verdict };
  }

  /** Whether a comparison uses a source file (its view is rendered again when the file changes). */
  uses(viewUri: string, sourceCanonical: string): boolean {
    const s = comparisonSourcesOf(viewUri);
    return !!s && [s.heldUri, s.newUri].some((u) => canonicalUri(u) === sourceCanonical);
  }

  /** Drops every comparison (what TVS knows changed). */
  forgetAll(): void {
    this.cache.clear();
  }

  forget(sourceCanonical: string): void {
    for (const uri of [...this.cache.keys()]) if (this.uses(uri, sourceCanonical)) this.cache.delete(uri);
  }

  async symbols(viewUri: string): Promise<DocumentSymbol[]> {
    const c = await this.cached(viewUri);
    return c ? c.rendered.sections.map((s) => symbolOf(s, c.rendered.lines)) : [];
  }

  /** The verdict, the changes and the recovery fold, each change too. */
  async folding(viewUri: string): Promise<FoldingRange[]> {
    const c = await this.cached(viewUri);
    if (!c) return [];
    const all = c.rendered.sections.flatMap((s) => [s, ...(s.children ?? [])]);
    return all.filter((s) => s.endLine > s.startLine).map((s) => FoldingRange.create(s.startLine, s.endLine));
  }

  async links(viewUri: string): Promise<DocumentLink[]> {
    const c = await this.cached(viewUri);
    if (!c) return [];
    const out: DocumentLink[] = [];
    for (const a of c.rendered.anchors) {
      const file = c.files[a.side];
      if (!file) continue; // a committed version has no decoded view
      const viewUri = this.views.viewUriOf(file);
      const record = a.record !== undefined ? file.list.records.find((r) => r.index === a.record) : undefined;
      const view = record ? this.views.viewOf(file) : undefined;
      // the record's title line ("Record #3 …"), else the first line of its bytes
      const line = record && view ? (view.sections.find((x) => x.kind === 'record' && x.index === record.index)?.startLine ?? lineForTarget(view, { in: 'trust-list', range: record.range, section: record.index })) : undefined;
      const target = line !== undefined ? `${viewUri}#L${line + 1}` : viewUri;
      const what = record ? `record #${record.index} in the decoded view of ${this.views.displayName(file)}` : `the decoded view of ${this.views.displayName(file)}`;
      out.push(DocumentLink.create(Range.create(a.line, a.start, a.line, a.end), target, `Open ${what}`));
    }
    return out;
  }

  private async cached(viewUri: string): Promise<Comparison | undefined> {
    return this.cache.get(viewUri) ?? (await this.compute(viewUri).catch(() => undefined));
  }

  private async compute(viewUri: string): Promise<Comparison> {
    const s = comparisonSourcesOf(viewUri);
    if (!s) throw new ComparisonError(`${viewUri} names no two trust lists to compare.`);
    const next = await this.trustList(s.newUri);
    let held: { list: TrustList; name: string; file?: DecodedTrustList };
    if (s.heldRevision === 'HEAD') {
      const p = uriToPath(canonicalUri(s.heldUri));
      if (!p) throw new ComparisonError(`${s.heldUri} is not a file on disk: there is no committed version to compare with.`);
      if (!this.mayRunGit()) throw new ComparisonError('Compare with Committed Version runs git, which reads the repository\'s configuration: trust the folder (Workspaces: Manage Workspace Trust), then try again.');
      let bytes: Buffer;
      try {
        bytes = await committedVersion(p);
      } catch (e) {
        throw new ComparisonError(e instanceof CommittedVersionError ? e.message : String(e));
      }
      held = { list: decodeTrustList(bytes, p), name: `${this.views.displayName(next)} at HEAD` };
    } else {
      const file = await this.trustList(s.heldUri);
      held = { list: file.list, name: this.views.displayName(file), file };
    }
    const heldTrust: HeldTrust = held.list.kind === 'CTL' ? { ctl: heldList(held.list, held.name) } : { itl: heldList(held.list, held.name) };
    const newName = this.views.displayName(next);
    const result = compareTrustLists(heldTrust, held.list, trustListDownload(next.bytes, next.list, path.basename(next.path ?? next.uri)), this.tvs());
    const c: Comparison = { rendered: renderComparisonView(result, { heldName: held.name, newName }), verdict: result.verdict.verdict, files: { held: held.file, new: next } };
    this.cache.delete(viewUri);
    this.cache.set(viewUri, c);
    if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    return c;
  }

  private async trustList(uri: string): Promise<DecodedTrustList> {
    let file: IndexedFile;
    try {
      file = await this.load(canonicalUri(uri));
    } catch (e) {
      throw new ComparisonError(e instanceof Error ? e.message : String(e));
    }
    if (file.kind !== 'trust-list') throw new ComparisonError(`${file.path ?? uri} is not a trust list: compare two ITL or CTL files (.tlv).`);
    const decoded = this.decode(file);
    if (decoded?.kind !== 'trust-list') throw new ComparisonError(`${file.path ?? uri} can no longer be read: save it again, or pick another file.`);
    return decoded;
  }
}

function symbolOf(s: ComparisonSection, lines: string[]): DocumentSymbol {
  const range = Range.create(s.startLine, 0, s.endLine, lines[s.endLine]?.length ?? 0);
  const selection = Range.create(s.startLine, 0, s.startLine, lines[s.startLine]?.length ?? 0);
  const kind = s.kind === 'change' ? SymbolKind.Event : s.kind === 'verdict' ? SymbolKind.Boolean : s.kind === 'recovery' ? SymbolKind.Function : SymbolKind.Array;
  return DocumentSymbol.create(s.name, s.detail, kind, range, selection, s.children?.map((c) => symbolOf(c, lines)));
}
