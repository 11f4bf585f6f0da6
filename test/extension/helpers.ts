/** What the extension-host tests share: the fixture workspace, the extension, waiting for a condition. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'itl-lens.itl-lens';
export const VIEW_SCHEME = 'itl-lens-view';

/** The fixture workspace: ITL_LENS_E2E_WORKSPACE, else the folder the editor opened (test-fixtures layout). */
export function workspacePath(): string {
  const folder = process.env.ITL_LENS_E2E_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(folder, 'no fixture workspace: open a folder or set ITL_LENS_E2E_WORKSPACE');
  return folder;
}

export function fixtureUri(relative: string): vscode.Uri {
  return vscode.Uri.file(path.join(workspacePath(), relative));
}

export async function activateExtension(): Promise<void> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in this editor`);
  await extension.activate();
}

/**
 * Re-checks `probe` every 50 ms until it returns a value (not undefined), or fails after timeoutMs saying
 * what it waited for. The language server answers asynchronously: wait for the state, never a fixed time.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | Thenable<T | undefined>, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Opens a source file's decoded view through the extension's command; resolves with its editor. */
export async function openDecodedView(relative: string): Promise<vscode.TextEditor> {
  const editor = await vscode.commands.executeCommand<vscode.TextEditor | undefined>('itlLens.openDecodedView', fixtureUri(relative));
  assert.ok(editor, `itlLens.openDecodedView opened no editor for ${relative}`);
  assert.equal(editor.document.uri.scheme, VIEW_SCHEME);
  return editor;
}

/** The index of the first line matching `re` (from line `from`), or a failed assertion naming it. */
export function lineMatching(document: vscode.TextDocument, re: RegExp, from = 0): number {
  for (let line = from; line < document.lineCount; line++) {
    if (re.test(document.lineAt(line).text)) return line;
  }
  assert.fail(`no line matches ${re} in ${document.uri.toString()}`);
}

/** Every line that starts a trust-list record section ("ITL Record #:N ..." / "CTL Record #:N ..."). */
export function recordHeaderLines(document: vscode.TextDocument): number[] {
  const lines: number[] = [];
  for (let line = 0; line < document.lineCount; line++) {
    if (/^(ITL|CTL) Record #:\d+/.test(document.lineAt(line).text)) lines.push(line);
  }
  return lines;
}

export function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}
