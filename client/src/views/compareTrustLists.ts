/**
 * "ITL Lens: Compare Trust Lists" (two files: picked, or the two selected in the Explorer) and "ITL Lens:
 * Compare with Committed Version" (the file at git HEAD as the one phones hold). Both open the server's
 * comparison document (itlLens/comparisonView) as a read-only view.
 */
import * as vscode from 'vscode';
import { Commands, ComparisonSources, ComparisonViewRequest, comparisonViewUri } from '../../../server/src/shared/lspExtensions';
import { isTrustListPath } from '../../../server/src/shared/fileKinds';
import { registerCommand, requireTrust } from '../commands';
import { ItlLensServer } from '../languageClient';
import { DecodedViewProvider } from './decodedViewProvider';
import { asUri, isViewUri, sourceOf } from './viewUris';

const MAX_PICKED_FILES = 2000;

/** Opens the comparison of two sources; the server's message (not a trust list, not committed…) is the error. */
export async function showComparison(server: ItlLensServer, views: DecodedViewProvider, sources: ComparisonSources): Promise<vscode.TextEditor> {
  const viewUri = comparisonViewUri(sources);
  const result = await server.request(ComparisonViewRequest, { viewUri });
  const uri = vscode.Uri.parse(viewUri, true);
  views.prime(uri, result.text);
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(document, { preview: false });
}

/** A trust list of the workspace, chosen from a quick pick. */
async function pickTrustList(placeHolder: string, exclude?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const files = (await vscode.workspace.findFiles('**/*.tlv', '**/node_modules/**', MAX_PICKED_FILES)).filter((f) => f.toString() !== exclude?.toString());
  if (!files.length) {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Trust lists': ['tlv'] }, openLabel: 'Compare', title: placeHolder });
    return picked?.[0];
  }
  const items = files
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri }))
    .sort((a, b) => a.label.localeCompare(b.label));
  return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true }))?.uri;
}

/** The source a command is about: the clicked file, else the active editor's (a decoded view's source). */
function sourceFrom(arg: unknown): vscode.Uri | undefined {
  const uri = asUri(arg) ?? vscode.window.activeTextEditor?.document.uri;
  if (!uri) return undefined;
  return isViewUri(uri) ? sourceOf(uri) : uri;
}

export function registerComparisonCommands(server: ItlLensServer, views: DecodedViewProvider, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.Disposable.from(
    registerCommand(Commands.compareTrustLists, log, async (clicked, selected) => {
      // Explorer: (clicked, selected[]): the first selected is what phones hold, the second what they download.
      const chosen = Array.isArray(selected) ? selected.map(asUri).filter((u): u is vscode.Uri => !!u) : [];
      let held: vscode.Uri | undefined;
      let next: vscode.Uri | undefined;
      if (chosen.length >= 2) [held, next] = chosen;
      else {
        next = sourceFrom(clicked);
        if (!next || !isTrustListPath(next.path)) next = await pickTrustList('The trust list phones will download (the new ITL or CTL)');
        if (!next) return undefined;
        held = await pickTrustList(`The trust list phones hold now, to compare ${vscode.workspace.asRelativePath(next)} with`, next);
      }
      if (!held || !next) return undefined;
      return showComparison(server, views, { heldUri: held.toString(), newUri: next.toString() });
    }),
    registerCommand(Commands.compareWithCommitted, log, async (clicked) => {
      requireTrust('Compare with Committed Version (it runs git)');
      const file = sourceFrom(clicked);
      if (!file || file.scheme !== 'file') throw new Error('Open or select a trust list (.tlv) in a git repository to compare it with its committed version.');
      return showComparison(server, views, { heldUri: file.toString(), newUri: file.toString(), heldRevision: 'HEAD' });
    }),
  );
}
