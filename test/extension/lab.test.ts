import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LabInstallTestResult, LabScenariosResult } from '../../server/src/shared/lspExtensions';
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
});
