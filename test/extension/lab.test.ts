import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LabInstallTestResult, LabPhoneBootTestResult, LabScenariosResult } from '../../server/src/shared/lspExtensions';
import { activateExtension, VIEW_SCHEME, waitFor } from './helpers';

describe('the CAPF lab commands', function () {
  this.timeout(120_000);
  before(activateExtension);
  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('Run LSC Install Test installs an LSC and opens it in the decoded certificate view', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const result = await vscode.commands.executeCommand<LabInstallTestResult>('itlLens.runLscInstallTest');
    assert.ok(result, 'the command returned no result');
    assert.equal(result.success, true, result.report);
    assert.equal(result.timeline.at(-1)?.message, 'LSC: Installed');
    assert.match(result.operationStatus ?? '', /Upgrade Success/);
    const view = await waitFor('the LSC in a certificate view', () =>
      vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === VIEW_SCHEME && /lsc\.pem\.certview$/.test(e.document.uri.path)),
    );
    assert.match(view.document.getText(), /CN=SEP001122334455/);
    assert.match(view.document.getText(), /TLS Web Client Authentication/);
  });

  it('Run LSC Troubleshooting Scenarios reports every scenario as expected', async () => {
    const result = await vscode.commands.executeCommand<LabScenariosResult>('itlLens.runLscScenarios');
    assert.ok(result);
    assert.equal(result.failed, 0, result.report);
    assert.ok(result.passed >= 14, `only ${result.passed} scenarios ran`);
    assert.match(result.report, /No valid CAPF server/);
    assert.match(result.report, /LSC: Connection Failed/);
  });

  it('Run Phone Boot Test boots the phone from the lab TFTP server and shows its timeline, each served file linked', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const result = await vscode.commands.executeCommand<LabPhoneBootTestResult>('itlLens.runPhoneBootTest');
    assert.ok(result, 'the command returned no result');
    assert.equal(result.success, true, result.report);
    assert.equal(result.timeline.at(-1)?.message, 'LSC: Installed');
    assert.ok(result.timeline.some((t) => /^TFTP ITLFile\.tlv: \d+ bytes$/.test(t.message)));
    const report = await waitFor('the boot report', () =>
      vscode.window.visibleTextEditors.find((e) => e.document.languageId === 'markdown' && e.document.getText().startsWith('# Phone boot test')),
    );
    const itl = result.files.find((f) => f.name === 'ITLFile.tlv');
    assert.ok(itl?.uri, JSON.stringify(result.files));
    assert.ok(report.document.getText().includes(`[ITLFile.tlv](${itl.uri})`), 'the report links the served ITL');
    // the link is a plain file link: opening it shows the decoded view in place of the binary file
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.parse(itl.uri));
    const view = await waitFor('the served ITL in its decoded view', () =>
      vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === VIEW_SCHEME && e.document.uri.path.endsWith('/.itl-lens-lab/tftp/ITLFile.tlv.itlview')),
    );
    assert.match(view.document.getText(), /ITL Record #:1/);
  });
});
