/**
 * Sends the text of every open CAPF device table (capf-devices.json) to the server, which checks it against
 * the clock (an Operation Completes By that has passed or is less than an hour ahead) and publishes the
 * diagnostics. JSON documents stay out of the language client's document selector: the JSON language keeps
 * the table's outline, folding and schema validation to itself.
 */
import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import { DeviceTableClosedNotification, DeviceTableTextNotification } from '../../../server/src/protocol/customMessages';
import { isDeviceTablePath } from '../../../server/src/rules/deviceTableRules';
import { ItlLensServer } from '../languageClient';

/** An editor's table: a file (or unsaved file), not a git diff side or an output pane. */
function isDeviceTable(doc: vscode.TextDocument): boolean {
  return (doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled' || doc.uri.scheme === 'vscode-remote') && isDeviceTablePath(doc.uri.path);
}

export function syncDeviceTables(server: ItlLensServer, log: vscode.LogOutputChannel): vscode.Disposable {
  const failed = (e: unknown) => log.warn(`could not send the CAPF device table to the server: ${String(e)}`);
  const send = (doc: vscode.TextDocument) => {
    if (isDeviceTable(doc)) server.notify(DeviceTableTextNotification, { uri: doc.uri.toString(), text: doc.getText() }).catch(failed);
  };
  vscode.workspace.textDocuments.forEach(send);
  return vscode.Disposable.from(
    // a restarted server (after a crash) knows no open table: send them again
    server.client.onDidChangeState((e) => {
      if (e.newState === State.Running) vscode.workspace.textDocuments.forEach(send);
    }),
    vscode.workspace.onDidOpenTextDocument(send),
    vscode.workspace.onDidChangeTextDocument((e) => send(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (isDeviceTable(doc)) server.notify(DeviceTableClosedNotification, { uri: doc.uri.toString() }).catch(failed);
    }),
  );
}
