import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, fixtureUri, VIEW_SCHEME, waitFor, workspacePath } from './helpers';

const COMPARE = 'itlLens.compareTrustLists';
const COMMITTED = 'itlLens.compareWithCommitted';

describe('comparing trust lists', () => {
  before(activateExtension);
  afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('"Compare Trust Lists" on two files selected in the Explorer opens the comparison, with outline and links', async () => {
    const held = fixtureUri('trust/held-no-tvs/ITLFile.tlv');
    const next = fixtureUri('trust/next/other-cluster/ITLFile.tlv');
    const editor = await vscode.commands.executeCommand<vscode.TextEditor | undefined>(COMPARE, held, [held, next]);
    assert.ok(editor, 'no comparison editor');
    const doc = editor.document;
    assert.equal(doc.uri.scheme, VIEW_SCHEME);
    assert.equal(doc.languageId, 'itl-compare');
    assert.match(doc.lineAt(0).text, /^ITL Lens trust-list comparison: rejected/);
    assert.match(doc.getText(), /Phones hold: +trust\/held-no-tvs\/ITLFile\.tlv/);
    const symbols = await waitFor('the comparison outline', async () => {
      const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri);
      return s?.length ? s : undefined;
    });
    assert.match(symbols[0].name, /^Verdict: rejected/);
    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', doc.uri);
    const targets = links.map((l) => l.target?.toString() ?? '');
    assert.ok(targets.some((t) => t.includes('held-no-tvs/ITLFile.tlv.itlview')), targets.join('\n'));
    assert.ok(targets.some((t) => t.includes('other-cluster/ITLFile.tlv.itlview')), targets.join('\n'));
  });

  it('"Compare with Committed Version" compares a trust list with the one at git HEAD', async function () {
    try {
      execFileSync('git', ['--version'], { stdio: 'pipe' });
    } catch {
      this.skip(); // no git in this editor's environment
    }
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'itl-lens-git-'));
    try {
      const file = path.join(repo, 'ITLFile.tlv');
      fs.copyFileSync(path.join(workspacePath(), 'trust/held/ITLFile.tlv'), file);
      const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=ITL Lens tests', '-c', 'user.email=tests@example.invalid', '-c', 'commit.gpgsign=false', ...args], { stdio: 'pipe' });
      git('init', '-q');
      git('add', 'ITLFile.tlv');
      git('commit', '-q', '-m', 'what phones hold');
      fs.copyFileSync(path.join(workspacePath(), 'trust/next/capf-regenerated/ITLFile.tlv'), file);
      const editor = await vscode.commands.executeCommand<vscode.TextEditor | undefined>(COMMITTED, vscode.Uri.file(file));
      assert.ok(editor, 'no comparison editor');
      assert.match(editor.document.getText(), /Phones hold: +.*ITLFile\.tlv at HEAD/);
      assert.match(editor.document.getText(), /^ {2}regenerated /m);
      // not committed: an error message, no editor
      fs.copyFileSync(file, path.join(repo, 'CTLFile.tlv'));
      assert.equal(await vscode.commands.executeCommand(COMMITTED, vscode.Uri.file(path.join(repo, 'CTLFile.tlv'))), undefined);
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  it('"Compare with Committed Version" outside git opens nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itl-lens-nogit-'));
    try {
      fs.copyFileSync(path.join(workspacePath(), 'trust/held/ITLFile.tlv'), path.join(dir, 'ITLFile.tlv'));
      assert.equal(await vscode.commands.executeCommand(COMMITTED, vscode.Uri.file(path.join(dir, 'ITLFile.tlv'))), undefined);
      assert.ok(!vscode.window.visibleTextEditors.some((e) => e.document.languageId === 'itl-compare'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('phone trust in the Problems panel', () => {
  const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? d.code.value : d.code);
  const diagnostic = (relative: string, code: string) => () => vscode.languages.getDiagnostics(fixtureUri(relative)).find((d) => codeOf(d) === code);
  before(activateExtension);

  it('an unopened SEP<MAC>.cnf.xml.sgn signed by a certificate the ITL beside it lacks: sgn-signer-untrusted', async () => {
    const found = await waitFor('sgn-signer-untrusted on trust/config/foreign-signer', diagnostic('trust/config/foreign-signer/SEP001122334455.cnf.xml.sgn', 'sgn-signer-untrusted'));
    assert.equal(found.severity, vscode.DiagnosticSeverity.Error);
  });

  it('itlLens.trust.deployed: an unopened ITL the deployed phones refuse gets trust-update-rejected', async () => {
    const config = vscode.workspace.getConfiguration('itlLens');
    await config.update('trust.deployed', 'trust/held-no-tvs/ITLFile.tlv', vscode.ConfigurationTarget.Workspace);
    try {
      const found = await waitFor('trust-update-rejected on trust/next/other-cluster/ITLFile.tlv', diagnostic('trust/next/other-cluster/ITLFile.tlv', 'trust-update-rejected'));
      assert.match(found.message, /Trust List update failed/);
      assert.ok(found.relatedInformation?.some((r) => r.location.uri.toString().includes('held-no-tvs')), 'related to the deployed ITL');
    } finally {
      await config.update('trust.deployed', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('trust-update-rejected gone once the setting is cleared', () => (diagnostic('trust/next/other-cluster/ITLFile.tlv', 'trust-update-rejected')() ? undefined : true));
  });
});
