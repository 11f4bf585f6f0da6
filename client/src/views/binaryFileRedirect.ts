/**
 * Makes the decoded view what opens for *.tlv, *.der, *.cer and *.crt (Explorer, quick open, `code FILE`):
 * a read-only custom editor, default for those names, that opens the view document in its place and closes
 * its own tab. Where it cannot (a diff, a failed decode) its webview says why and links to the commands.
 */
import * as vscode from 'vscode';
import { Commands } from '../../../server/src/shared/lspExtensions';

export const BINARY_FILE_EDITOR = 'itlLens.decodedView';

type ShowView = (source: vscode.Uri, options: vscode.TextDocumentShowOptions) => Promise<unknown>;

export class BinaryFileRedirect implements vscode.CustomReadonlyEditorProvider {
  static register(showView: ShowView, log: vscode.LogOutputChannel): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(BINARY_FILE_EDITOR, new BinaryFileRedirect(showView, log), {
      supportsMultipleEditorsPerDocument: true,
    });
  }

  private constructor(private readonly showView: ShowView, private readonly log: vscode.LogOutputChannel) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = { enableCommandUris: [Commands.openDecodedView, Commands.revealInHexEditor] };
    panel.webview.html = page('Opening the decoded view…', document.uri);
    // Not awaited: the workbench is still opening this editor; the redirect runs once it has.
    void this.redirect(document.uri, panel);
  }

  private async redirect(uri: vscode.Uri, panel: vscode.WebviewPanel): Promise<void> {
    let disposed = false;
    panel.onDidDispose(() => (disposed = true));
    const tab = findTab(uri);
    if (!tab) {
      panel.webview.html = page('ITL Lens shows this file as a decoded text view.', uri);
      return;
    }
    try {
      const options = { viewColumn: tab.group.viewColumn, preview: tab.isPreview, preserveFocus: false };
      // The workbench cancels an open that overlaps another ("another editor opened in the meantime", as when
      // the file's tab is still settling, or the user clicks on): the redirect tries once more, then says so.
      await this.showView(uri, options).catch(async (first: unknown) => {
        if (disposed || !/opened in the meantime/i.test(String(first))) throw first;
        await new Promise((resolve) => setTimeout(resolve, 200));
        if (!disposed) await this.showView(uri, options);
      });
      // Disposing the panel closes this editor (tabGroups.close can fail here: the tab is still settling).
      // Opening a preview in the same group may already have replaced it.
      if (!disposed) panel.dispose();
      this.log.debug(`opened the decoded view of ${uri.toString()} in place of the file`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.error(`decoded view of ${uri.toString()}: ${message}`);
      if (!disposed) panel.webview.html = page(`The decoded view could not be opened: ${message}`, uri);
    }
  }
}

/** The tab of this custom editor for uri (a diff of two such files has none). */
function findTab(uri: vscode.Uri): vscode.Tab | undefined {
  const key = uri.toString();
  for (const g of vscode.window.tabGroups.all) {
    for (const tab of g.tabs) {
      const input = tab.input;
      if (input instanceof vscode.TabInputCustom && input.viewType === BINARY_FILE_EDITOR && input.uri.toString() === key) {
        return tab;
      }
    }
  }
  return undefined;
}

function page(message: string, uri: vscode.Uri): string {
  const arg = encodeURIComponent(JSON.stringify([uri.toString()]));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<style>body{font-family:var(--vscode-font-family);color:var(--vscode-foreground);padding:1.5em}a{color:var(--vscode-textLink-foreground)}</style>
</head><body>
<p>${escapeHtml(message)}</p>
<p><a href="command:${Commands.openDecodedView}?${arg}">Open Decoded View</a> ·
<a href="command:${Commands.revealInHexEditor}?${arg}">Reveal in Hex Editor</a></p>
<p>To see the raw file as text instead, use <em>Reopen Editor With… → Text Editor</em>.</p>
</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}
