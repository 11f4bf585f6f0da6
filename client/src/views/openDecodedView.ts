/** "ITL Lens: Open Decoded View": shows the server-rendered view of a trust list or certificate file. */
import * as vscode from 'vscode';
import { Commands, DecodedViewRequest } from '../../../server/src/shared/lspExtensions';
import { registerCommand } from '../commands';
import { ItlLensServer } from '../languageClient';
import { asUri, isViewUri, kindOf, viewUriFor } from './viewUris';

const OPEN_DIALOG_FILTERS = { 'Trust lists and certificates': ['tlv', 'pem', 'crt', 'cer', 'der'] };

export async function showDecodedView(
  server: ItlLensServer,
  source: vscode.Uri,
  options: vscode.TextDocumentShowOptions = {},
): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(await viewUriOf(server, source));
  return vscode.window.showTextDocument(document, options);
}

/** The view URI for a source; a name that implies no kind (e.g. ITLFile.bin) is classified by the server. */
async function viewUriOf(server: ItlLensServer, source: vscode.Uri): Promise<vscode.Uri> {
  if (isViewUri(source)) return source;
  const kind = kindOf(source);
  if (kind) return viewUriFor(source, kind);
  const view = await server.request(DecodedViewRequest, { sourceUri: source.toString() });
  return vscode.Uri.parse(view.viewUri, true);
}

/** Menus pass (clicked, selected[]); the palette passes nothing: use the active tab, else ask. */
async function targets(clicked: unknown, selected: unknown): Promise<vscode.Uri[]> {
  if (Array.isArray(selected) && selected.length > 1) return selected.map(asUri).filter((u): u is vscode.Uri => !!u);
  const uri = asUri(clicked) ?? activeTabUri();
  if (uri) return [uri];
  return (await vscode.window.showOpenDialog({ canSelectMany: true, filters: OPEN_DIALOG_FILTERS })) ?? [];
}

function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  return vscode.window.activeTextEditor?.document.uri;
}

export function registerOpenDecodedView(server: ItlLensServer, log: vscode.LogOutputChannel): vscode.Disposable {
  return registerCommand(Commands.openDecodedView, log, async (clicked, selected) => {
    let editor: vscode.TextEditor | undefined;
    for (const source of await targets(clicked, selected)) editor = await showDecodedView(server, source, { preview: false });
    return editor;
  });
}
