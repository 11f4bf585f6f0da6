/** The language status item "ITL Lens: 3 trust lists, 1 error", shown beside views and PEM files. */
import * as vscode from 'vscode';
import type { WorkspaceStatus } from '../../../server/src/shared/lspExtensions';
import { StatusLevel, summarizeStatus } from './statusSummary';

const SEVERITY: Record<StatusLevel, vscode.LanguageStatusSeverity> = {
  error: vscode.LanguageStatusSeverity.Error,
  warning: vscode.LanguageStatusSeverity.Warning,
  ok: vscode.LanguageStatusSeverity.Information,
};

export function createWorkspaceStatusItem(
  selector: vscode.DocumentSelector,
  onStatus: vscode.Event<WorkspaceStatus>,
): vscode.Disposable {
  const item = vscode.languages.createLanguageStatusItem('itlLens.workspace', selector);
  item.name = 'ITL Lens';
  item.text = 'ITL Lens';
  item.detail = 'starting…';
  item.busy = true;
  item.command = { title: 'Show Problems', command: 'workbench.actions.view.problems' };
  const subscription = onStatus((status) => {
    const summary = summarizeStatus(status);
    item.text = summary.text;
    item.detail = summary.detail;
    item.severity = SEVERITY[summary.level];
    item.busy = status.indexing;
  });
  return vscode.Disposable.from(subscription, item);
}
