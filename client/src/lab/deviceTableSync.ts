/**
 * Sends the text of every open CAPF device table (capf-devices.json) to the server, which checks it against
 * the clock (an Operation Completes By that has passed or is less than an hour ahead) and publishes the
 * diagnostics. JSON documents stay out of the language client's document selector: the JSON language keeps
 * the table's outline, folding and schema validation to itself.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DeviceTableClosedNotification, DeviceTableTextNotification } from '../../../server/src/protocol/customMessages';
import { DEVICE_TABLE_FILE } from '../../../server/src/capf/server/deviceTable';
import { ItlLensServer } from '../languageClient';

function isDeviceTable(doc: vscode.TextDocument): boolean {
  return path.basename(doc.uri.fsPath).toLowerCase() === DEVICE_TABLE_FILE;
}

export function syncDeviceTables(server: ItlLensServer, log: vscode.LogOutputChannel): vscode.Disposable {
  const failed = (e: unknown) => log.warn(`could not send the CAPF device table to the server: ${String(e)}`);
  const send = (doc: vscode.TextDocument) => {
    if (isDeviceTable(doc)) server.notify(DeviceTableTextNotification, { uri: doc.uri.toString(), text: doc.getText() }).catch(failed);
  };
  vscode.workspace.textDocuments.forEach(send);
  return vscode.Disposable.from(
    vscode.workspace.onDidOpenTextDocument(send),
    vscode.workspace.onDidChangeTextDocument((e) => send(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (isDeviceTable(doc)) server.notify(DeviceTableClosedNotification, { uri: doc.uri.toString() }).catch(failed);
    }),
  );
}
