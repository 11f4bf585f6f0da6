import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, hoverText, lineMatching, openDecodedView, recordHeaderLines, waitFor } from './helpers';

type AnySymbol = vscode.DocumentSymbol | vscode.SymbolInformation;

function flatten(symbols: AnySymbol[]): AnySymbol[] {
  return symbols.flatMap((s) => ('children' in s ? [s, ...flatten(s.children)] : [s]));
}
const startLine = (s: AnySymbol) => ('location' in s ? s.location.range.start.line : s.range.start.line);

describe('language features on the decoded trust-list view', () => {
  let editor: vscode.TextEditor;
  let document: vscode.TextDocument;

  before(async () => {
    await activateExtension();
    editor = await openDecodedView('cluster/ITLFile.tlv');
    document = editor.document;
  });
  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('the outline (document symbols) lists every record', async () => {
    const records = recordHeaderLines(document);
    assert.equal(records.length, 7, 'the reference cluster ITL has 7 records');
    const symbols = await waitFor('document symbols for the view', async () => {
      const s = await vscode.commands.executeCommand<AnySymbol[] | undefined>('vscode.executeDocumentSymbolProvider', document.uri);
      return s?.length ? flatten(s) : undefined;
    });
    for (const line of records) {
      assert.ok(
        symbols.some((s) => startLine(s) === line),
        `no symbol starts at "${document.lineAt(line).text}" (symbols: ${symbols.map((s) => s.name).join(', ')})`,
      );
    }
  });

  it('hovering a FUNCTION line explains the role', async () => {
    const line = lineMatching(document, /^\d+ +4 +FUNCTION +2 +CAPF$/);
    const text = document.lineAt(line).text;
    const positions = [text.lastIndexOf('CAPF') + 1, text.indexOf('FUNCTION') + 2].map((c) => new vscode.Position(line, c));
    const explained = await waitFor('a hover on the CAPF FUNCTION line', async () => {
      const texts: string[] = [];
      for (const p of positions) {
        texts.push(hoverText((await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, p)) ?? []));
      }
      const all = texts.join('\n');
      return all.trim() ? all : undefined;
    });
    assert.match(explained, /Certificate Authority Proxy Function/i);
  });

  it('go to definition on the header SERIALNUMBER lands on the signing record', async () => {
    const firstRecord = recordHeaderLines(document)[0];
    const headerLine = lineMatching(document, /\bSERIALNUMBER +\d+ +[0-9A-F:]+$/);
    assert.ok(headerLine < firstRecord, 'the first SERIALNUMBER is the header\'s');
    const headerText = document.lineAt(headerLine).text;
    const serial = /([0-9A-F]{2}(?::[0-9A-F]{2})+)$/.exec(headerText)![1];
    // The view names the signer under the header serial: "; signed by ITL Record #5 (…)".
    const signedBy = lineMatching(document, /; signed by (ITL|CTL) Record #\d+/, headerLine);
    const signer = /Record #(\d+)/.exec(document.lineAt(signedBy).text)![1];
    const records = recordHeaderLines(document);
    const signerStart = records.find((l) => new RegExp(`^(ITL|CTL) Record #:${signer}\\b`).test(document.lineAt(l).text));
    assert.ok(signerStart !== undefined, `no section for record #${signer}`);
    const signerEnd = records.find((l) => l > signerStart) ?? document.lineCount;

    const at = new vscode.Position(headerLine, headerText.indexOf(serial) + 1);
    const targets = await waitFor('a definition for the header serial number', async () => {
      const r = await vscode.commands.executeCommand<Array<vscode.Location | vscode.LocationLink>>('vscode.executeDefinitionProvider', document.uri, at);
      return r?.length ? r : undefined;
    });
    const [target] = targets;
    const uri = 'targetUri' in target ? target.targetUri : target.uri;
    const range = 'targetUri' in target ? (target.targetSelectionRange ?? target.targetRange) : target.range;
    assert.equal(uri.toString(), document.uri.toString(), 'the definition is in the same view');
    assert.ok(
      range.start.line >= signerStart && range.start.line < signerEnd,
      `definition at line ${range.start.line + 1}, signing record spans lines ${signerStart + 1}-${signerEnd}`,
    );
  });
});
