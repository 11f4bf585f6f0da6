/**
 * "ITL Lens: Reveal in Hex Editor": the raw bytes behind the current view line, in Microsoft's Hex Editor
 * (ms-vscode.hexeditor). The server maps the line to its byte range (ByteOffsetRequest); the Hex Editor takes
 * no offset argument, so the offset goes to the clipboard for its Go To Offset box.
 */
import * as vscode from 'vscode';
import { ByteOffsetRequest, ByteOffsetResult, Commands } from '../../../server/src/shared/lspExtensions';
import { registerCommand } from '../commands';
import { ItlLensServer } from '../languageClient';
import { asUri, isViewUri, sourceOf } from './viewUris';

const HEX_EDITOR_EXTENSION = 'ms-vscode.hexeditor';
const HEX_EDITOR_VIEW_TYPE = 'hexEditor.hexedit';
const HEX_EDITOR_GO_TO_OFFSET = 'hexEditor.goToOffset';

interface Target {
  source: vscode.Uri;
  range: ByteOffsetResult | null;
}

async function target(server: ItlLensServer, arg: unknown): Promise<Target | undefined> {
  const editor = vscode.window.activeTextEditor;
  const uri = asUri(arg) ?? editor?.document.uri;
  if (!uri) return undefined;
  if (!isViewUri(uri)) return { source: uri, range: null };
  const source = sourceOf(uri);
  if (!source) return undefined;
  const line = editor && editor.document.uri.toString() === uri.toString() ? editor.selection.active.line : 0;
  const range = await server.request(ByteOffsetRequest, { viewUri: uri.toString(), line });
  return { source: range ? vscode.Uri.parse(range.sourceUri, true) : source, range };
}

function describeRange(range: ByteOffsetResult): string {
  const end = range.offset + Math.max(range.length, 1) - 1;
  return `bytes ${range.offset}–${end} (0x${range.offset.toString(16).toUpperCase()}, ${range.length} byte${range.length === 1 ? '' : 's'})`;
}

async function explainMissingHexEditor(t: Target): Promise<void> {
  const where = t.range ? ` This line is ${describeRange(t.range)}.` : '';
  const choice = await vscode.window.showInformationMessage(
    `Reveal in Hex Editor needs Microsoft's Hex Editor extension (${HEX_EDITOR_EXTENSION}): install it from the Extensions view.${where}`,
    'Find Hex Editor',
  );
  if (choice) await vscode.commands.executeCommand('workbench.extensions.search', `@id:${HEX_EDITOR_EXTENSION}`);
}

export function registerRevealInHexEditor(server: ItlLensServer, log: vscode.LogOutputChannel): vscode.Disposable {
  return registerCommand(Commands.revealInHexEditor, log, async (arg) => {
    const t = await target(server, arg);
    if (!t) throw new Error('open a decoded view (or select a trust list or certificate file) first.');
    if (!vscode.extensions.getExtension(HEX_EDITOR_EXTENSION)) return explainMissingHexEditor(t);
    await vscode.commands.executeCommand('vscode.openWith', t.source, HEX_EDITOR_VIEW_TYPE, vscode.ViewColumn.Beside);
    if (!t.range) return;
    const offset = `0x${t.range.offset.toString(16).toUpperCase()}`;
    await vscode.env.clipboard.writeText(offset);
    log.info(`hex editor: ${t.source.toString()} ${describeRange(t.range)}`);
    const choice = await vscode.window.showInformationMessage(
      `This line is ${describeRange(t.range)}. The offset ${offset} is on the clipboard: paste it into Go To Offset.`,
      'Go To Offset',
    );
    if (choice) await vscode.commands.executeCommand(HEX_EDITOR_GO_TO_OFFSET);
  });
}
