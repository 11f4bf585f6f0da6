import * as assert from 'node:assert/strict';
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
});
