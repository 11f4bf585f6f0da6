/**
 * Explorer decorations on the files the server reports errors in (WorkspaceStatus.filesWithErrors): the error
 * colour and a tooltip. No badge: VS Code's own Problems decoration already puts the error count there.
 */
import * as vscode from 'vscode';
import type { WorkspaceStatus } from '../../../server/src/shared/lspExtensions';

export class ErrorDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private files = new Set<string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(onStatus: vscode.Event<WorkspaceStatus>) {
    // The server sends the list only when it changed.
    this.subscription = onStatus((status) => status.filesWithErrors && this.update(status.filesWithErrors));
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (!this.files.has(uri.toString())) return undefined;
    return new vscode.FileDecoration(undefined, 'ITL Lens: this file has errors', new vscode.ThemeColor('list.errorForeground'));
  }

  private update(filesWithErrors: string[]): void {
    // Keys in VS Code's own URI spelling, so they match the URIs the Explorer asks about.
    const next = new Set(filesWithErrors.map((u) => vscode.Uri.parse(u, true).toString()));
    const flipped = [...next].filter((u) => !this.files.has(u)).concat([...this.files].filter((u) => !next.has(u)));
    this.files = next;
    if (flipped.length) this.changed.fire(flipped.map((u) => vscode.Uri.parse(u, true)));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
