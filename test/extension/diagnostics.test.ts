import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, fixtureUri, openDecodedView, waitFor } from './helpers';

const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? d.code.value : d.code);

describe('Problems', () => {
  before(activateExtension);
  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('reports capf-missing for no-capf/ITLFile.tlv', async () => {
    const view = await openDecodedView('no-capf/ITLFile.tlv');
    // The server may attach it to the view or to the file itself: both are in the Problems panel.
    const mine = new Set([view.document.uri.toString(), fixtureUri('no-capf/ITLFile.tlv').toString()]);
    const found = await waitFor('a capf-missing diagnostic for no-capf/ITLFile.tlv', () =>
      vscode.languages
        .getDiagnostics()
        .filter(([uri]) => mine.has(uri.toString()))
        .flatMap(([, diagnostics]) => diagnostics)
        .find((d) => codeOf(d) === 'capf-missing'),
    );
    assert.match(found.message, /CAPF/);
  });

  it('flags a CAPF device table whose Operation Completes By has passed, as it is edited', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itl-lens-table-'));
    const file = path.join(dir, 'capf-devices.json');
    const entry = { name: 'SEP001122334455', certificateOperation: 'Install/Upgrade', authenticationMode: 'By Null String', operationCompletesBy: '2000-01-01T00:00:00Z' };
    fs.writeFileSync(file, `${JSON.stringify({ devices: [entry] }, null, 2)}\n`);
    try {
      const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
      const found = await waitFor('an operation-deadline-passed diagnostic on the open device table', () =>
        vscode.languages.getDiagnostics(editor.document.uri).find((d) => codeOf(d) === 'operation-deadline-passed'),
      );
      assert.equal(editor.document.getText(found.range), '"2000-01-01T00:00:00Z"');
      // the user moves the deadline far ahead (unsaved): the finding goes
      await editor.edit((e) => e.replace(found.range, '"2999-01-01T00:00:00Z"'));
      await waitFor('the diagnostic to clear after the edit', () => vscode.languages.getDiagnostics(editor.document.uri).every((d) => codeOf(d) !== 'operation-deadline-passed') || undefined);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
