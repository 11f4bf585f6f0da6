import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, fixtureUri, openDecodedView, waitFor, workspacePath } from './helpers';

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
      // the entry's status on hover (no lab server has seen it), and the JSON language keeps the outline
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, found.range.start);
      const hoverText = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      assert.match(hoverText, /SEP001122334455.*Certificate Operation Status.*Operation Pending/s);
      // (the JSON language server starts on its own time: wait for its answer)
      const symbols = await waitFor("the JSON language's outline of the table", async () => {
        const r = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', editor.document.uri);
        return r?.length ? r : undefined;
      });
      assert.deepEqual(symbols.map((x) => x.name), ['devices'], "the JSON language's outline, alone");
      // the user moves the deadline far ahead (unsaved): the finding goes
      await editor.edit((e) => e.replace(found.range, '"2999-01-01T00:00:00Z"'));
      await waitFor('the diagnostic to clear after the edit', () => vscode.languages.getDiagnostics(editor.document.uri).every((d) => codeOf(d) !== 'operation-deadline-passed') || undefined);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      // outside the workspace, a closed table is not checked: nothing of it stays in the Problems panel
      const uri = editor.document.uri;
      await waitFor('the findings to go when the table outside the workspace is closed', () => {
        const left = vscode.languages.getDiagnostics(uri);
        return left.length === 0 ? true : undefined;
      }).catch((e) => {
        throw new Error(`${String(e)}: ${JSON.stringify(vscode.languages.getDiagnostics(uri).map((d) => `${d.source}:${String(codeOf(d))}:${d.message}`))}`);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Writes a device table with a passed deadline and a bad device name, as a script would (no editor). */
  function writeTable(file: string): void {
    const late = { name: 'SEP0011223344AA', certificateOperation: 'Install/Upgrade', authenticationMode: 'By Null String', operationCompletesBy: '2000-01-01T00:00:00Z' };
    const badName = { name: 'SEP12', certificateOperation: 'Install/Upgrade', authenticationMode: 'By Null String' };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify({ devices: [late, badName] }, null, 2)}\n`);
  }

  async function expectCheckedUnopened(file: string): Promise<void> {
    const uri = vscode.Uri.file(file);
    await waitFor(`operation-deadline-passed and device-table-invalid on the unopened ${path.relative(workspacePath(), file)}`, () => {
      const found = vscode.languages.getDiagnostics(uri).map(codeOf);
      return found.includes('operation-deadline-passed') && found.includes('device-table-invalid') ? found : undefined;
    });
    assert.ok(
      vscode.workspace.textDocuments.every((d) => d.uri.fsPath !== file),
      'the table was checked from disk, not opened',
    );
  }

  async function expectForgotten(file: string): Promise<void> {
    const uri = vscode.Uri.file(file);
    await waitFor('the findings to go with the deleted table', () => (vscode.languages.getDiagnostics(uri).length === 0 ? true : undefined));
  }

  it('checks a device table written into a workspace folder without its being opened, and forgets it when deleted', async () => {
    const file = path.join(workspacePath(), 'no-capf', 'capf-devices.json');
    writeTable(file);
    try {
      await expectCheckedUnopened(file);
    } finally {
      fs.rmSync(file, { force: true });
    }
    await expectForgotten(file);
  });

  it('reads a folder of trust lists copied into the workspace (real watchers may report only the folder)', async () => {
    const copy = path.join(workspacePath(), 'copied-site');
    fs.cpSync(path.join(workspacePath(), 'no-capf'), copy, { recursive: true });
    const itl = vscode.Uri.file(path.join(copy, 'ITLFile.tlv'));
    try {
      await waitFor('capf-missing on the copied ITLFile.tlv, never opened', () =>
        vscode.languages.getDiagnostics(itl).find((d) => codeOf(d) === 'capf-missing'),
      );
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
    await expectForgotten(itl.fsPath);
  });

  it('checks the table of a lab folder made with its table at once (as `itl-lens lab` does)', async () => {
    const labDir = path.join(workspacePath(), '.itl-lens-lab');
    // a lab folder left by an earlier suite (the UI test) is put aside for this test and put back after it
    const aside = `${labDir}.aside-${process.pid}`;
    const hadLab = fs.existsSync(labDir);
    if (hadLab) fs.renameSync(labDir, aside);
    const file = path.join(labDir, 'capf-devices.json');
    try {
      writeTable(file);
      try {
        await expectCheckedUnopened(file);
      } finally {
        fs.rmSync(labDir, { recursive: true, force: true });
      }
      await expectForgotten(file);
    } finally {
      if (hadLab) fs.renameSync(aside, labDir);
    }
  });
});
