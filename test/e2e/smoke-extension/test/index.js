'use strict';
// Runs inside code-server's extension host with the real vscode API (extensionTestsPath).
const assert = require('assert');
const vscode = require('vscode');

exports.run = async function run() {
  const folders = vscode.workspace.workspaceFolders || [];
  assert.strictEqual(folders.length, 1, `expected 1 workspace folder, got ${folders.length}`);
  const ext = vscode.extensions.getExtension('itl-lens-e2e.itl-lens-e2e-smoke');
  assert.ok(ext, 'smoke extension is loaded as a development extension');
  await ext.activate();
  const commands = await vscode.commands.getCommands(true);
  assert.ok(commands.includes('itlLensE2eSmoke.hello'), 'its command is registered');
  const files = await vscode.workspace.findFiles('hello.txt');
  assert.strictEqual(files.length, 1, 'findFiles sees hello.txt');
  const doc = await vscode.workspace.openTextDocument(files[0]);
  assert.match(doc.getText(), /Hello from ITL Lens e2e/);
  console.log(`smoke-extension: ok (vscode ${vscode.version}, folder ${folders[0].uri.fsPath})`);
};
