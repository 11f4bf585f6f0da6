/**
 * The read-only text of `itl-lens-view:` documents: the server renders it (DecodedViewRequest) and says
 * when a source changed (ViewChangedNotification), which refreshes every open view of that source.
 */
import * as vscode from 'vscode';
import { comparisonSourcesOf, ComparisonViewRequest, DecodedViewRequest, ViewChangedNotification } from '../../../server/src/shared/lspExtensions';
import { ItlLensServer } from '../languageClient';
import { isViewUri, sourceOf } from './viewUris';

export class DecodedViewProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;
  /** comparison texts the command already fetched (it asks first, to show the server's message on failure) */
  private readonly primed = new Map<string, string>();

  constructor(private readonly server: ItlLensServer) {
    this.subscription = server.onNotification(ViewChangedNotification, (p) => this.refresh(p.sourceUri));
  }

  /** The text of a comparison document the next provideTextDocumentContent returns without asking again. */
  prime(uri: vscode.Uri, text: string): void {
    this.primed.set(uri.toString(), text);
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    if (comparisonSourcesOf(uri.toString())) {
      const primed = this.primed.get(uri.toString());
      this.primed.delete(uri.toString());
      return primed ?? (await this.server.request(ComparisonViewRequest, { viewUri: uri.toString() }, token)).text;
    }
    const source = sourceOf(uri);
    if (!source) throw new Error(`${uri.toString()} names no source file`);
    const view = await this.server.request(DecodedViewRequest, { sourceUri: source.toString() }, token);
    return view.text;
  }

  /** Fires onDidChange for every open view of the source (compared in VS Code's own URI spelling). */
  private refresh(sourceUri: string): void {
    const source = vscode.Uri.parse(sourceUri, true).toString();
    for (const document of vscode.workspace.textDocuments) {
      if (isViewUri(document.uri) && sourceOf(document.uri)?.toString() === source) this.changed.fire(document.uri);
      const compared = comparisonSourcesOf(document.uri.toString());
      if (compared && [compared.heldUri, compared.newUri].some((u) => vscode.Uri.parse(u, true).toString() === source)) this.changed.fire(document.uri);
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
