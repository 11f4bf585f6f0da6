/** The contract's view-URI naming (customMessages.ts) in terms of vscode.Uri. */
import * as vscode from 'vscode';
import {
  sourceUriForView,
  VIEW_SCHEME,
  ViewKind,
  viewKindForPath,
  viewUriForSource,
} from '../../../server/src/shared/lspExtensions';

export function isViewUri(uri: vscode.Uri): boolean {
  return uri.scheme === VIEW_SCHEME;
}

export function viewUriFor(source: vscode.Uri, kind: ViewKind): vscode.Uri {
  return vscode.Uri.parse(viewUriForSource(source.toString(), kind), true);
}

/** The source file a view stands for. */
export function sourceOf(view: vscode.Uri): vscode.Uri | undefined {
  const source = sourceUriForView(view.toString());
  return source === undefined ? undefined : vscode.Uri.parse(source, true);
}

/** The view kind a source file's name implies, if it implies one. */
export function kindOf(source: vscode.Uri): ViewKind | undefined {
  return viewKindForPath(source.path);
}

/** A command argument as a URI: commands get vscode.Uri from menus and strings from command links. */
export function asUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg) return vscode.Uri.parse(arg, true);
  return undefined;
}
