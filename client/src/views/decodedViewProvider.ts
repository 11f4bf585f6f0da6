/**
 * The read-only text of `itl-lens-view:` documents: the server renders it (DecodedViewRequest) and says
 * when a source changed (ViewChangedNotification), which refreshes every open view of that source.
 */
import * as vscode from 'vscode';
import { DecodedViewRequest, ViewChangedNotification } from '../../../server/src/shared/lspExtensions';
import { ItlLensServer } from '../languageClient';
import { isViewUri, sourceOf } from './viewUris';

export class DecodedViewProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly server: ItlLensServer) {
    this.subscription = server.onNotification(ViewChangedNotification, (p) => this.refresh(p.sourceUri));
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
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
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
