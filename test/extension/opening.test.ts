import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, fixtureUri, openDecodedView, VIEW_SCHEME, waitFor } from './helpers';

function customEditorTabsFor(source: vscode.Uri): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === source.toString());
}

describe('opening trust lists and certificates', () => {
  before(activateExtension);
  afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('opening ITLFile.tlv as a file shows its decoded view, not the binary-file notice', async () => {
    const source = fixtureUri('cluster/ITLFile.tlv');
    await vscode.commands.executeCommand('vscode.open', source);
    const editor = await waitFor('the decoded view of cluster/ITLFile.tlv to be the active editor', () => {
      const e = vscode.window.activeTextEditor;
      return e?.document.uri.scheme === VIEW_SCHEME && e.document.uri.path.endsWith('/cluster/ITLFile.tlv.itlview') ? e : undefined;
    });
    assert.equal(editor.document.languageId, 'itl-view');
    const text = editor.document.getText();
    assert.match(text, /^ITL File: /m);
    assert.match(text, /^ITL Record #:1 +CAPF\b/m);
    assert.match(text, /^\d+ +4 +FUNCTION +2 +CAPF$/m);
    await waitFor('the redirecting custom editor tab to close', () => (customEditorTabsFor(source).length === 0 ? true : undefined));
  });

  it('"ITL Lens: Open Decoded View" on a PEM file shows the certificate view', async () => {
    const editor = await openDecodedView('certs/valid.pem');
    assert.equal(editor.document.languageId, 'cert-view');
    assert.match(editor.document.getText(), /^Certificate #1: CN=valid\.example/m);
  });
});
