'use strict';
// Throwaway extension used only by test/e2e/smoke.js to prove the extension-host route works.
const vscode = require('vscode');

function activate(context) {
  context.subscriptions.push(vscode.commands.registerCommand('itlLensE2eSmoke.hello',
    () => vscode.window.showInformationMessage('hello from the e2e smoke extension')));
}

module.exports = { activate, deactivate() {} };
