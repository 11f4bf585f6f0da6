/**
 * ITL Lens in VS Code: a thin client. The language server decodes, checks and runs the CAPF lab; this side
 * opens its views, shows its status and offers its commands.
 */
import * as vscode from 'vscode';
import { VIEW_SCHEME, WorkspaceStatus, WorkspaceStatusNotification } from '../../server/src/shared/lspExtensions';
import { registerLabCommands } from './lab/labCommands';
import { DOCUMENT_SELECTOR, ItlLensServer } from './languageClient';
import { ErrorDecorations } from './status/errorDecorations';
import { createWorkspaceStatusItem } from './status/workspaceStatusItem';
import { BinaryFileRedirect } from './views/binaryFileRedirect';
import { DecodedViewProvider } from './views/decodedViewProvider';
import { registerOpenDecodedView, showDecodedView } from './views/openDecodedView';
import { registerRevealInHexEditor } from './views/revealInHexEditor';
import { registerComparisonCommands } from './views/compareTrustLists';

let server: ItlLensServer | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('ITL Lens', { log: true });
  const s = new ItlLensServer(context, log);
  server = s;
  // One handler per notification method: fan the workspace status out to the status item and decorations.
  const workspaceStatus = new vscode.EventEmitter<WorkspaceStatus>();
  const views = new DecodedViewProvider(s);
  const decorations = new ErrorDecorations(workspaceStatus.event);
  context.subscriptions.push(
    log,
    s.watchWorkspaceTrust(),
    workspaceStatus,
    s.onNotification(WorkspaceStatusNotification, (status) => workspaceStatus.fire(status)),
    views,
    vscode.workspace.registerTextDocumentContentProvider(VIEW_SCHEME, views),
    BinaryFileRedirect.register((source, options) => showDecodedView(s, source, options), log),
    registerOpenDecodedView(s, log),
    registerRevealInHexEditor(s, log),
    registerComparisonCommands(s, views, log),
    registerLabCommands(s, log),
    createWorkspaceStatusItem(DOCUMENT_SELECTOR, workspaceStatus.event),
    decorations,
    vscode.window.registerFileDecorationProvider(decorations),
  );
  s.start().catch((error: unknown) => log.error(`the ITL Lens server did not start: ${String(error)}`));
}

export function deactivate(): Promise<void> | undefined {
  return server?.stop();
}
