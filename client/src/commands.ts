/** Command registration with one place for failures: logged, shown once, never an unhandled rejection. */
import * as vscode from 'vscode';

export type CommandHandler = (...args: unknown[]) => unknown;

export function registerCommand(id: string, log: vscode.LogOutputChannel, handler: CommandHandler): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (error) {
      if (error instanceof vscode.CancellationError) {
        log.info(`${id}: cancelled`);
        return undefined;
      }
      const message = error instanceof Error ? error.message : String(error);
      log.error(`${id}: ${error instanceof Error && error.stack ? error.stack : message}`);
      void vscode.window.showErrorMessage(`ITL Lens: ${message}`, 'Show Log').then((choice) => {
        if (choice) log.show(true);
      });
      return undefined;
    }
  });
}

/** The trust check behind every command that starts servers or writes files (menus also gate them). */
export function requireTrust(what: string): void {
  if (!vscode.workspace.isTrusted) throw new Error(`${what} needs a trusted workspace.`);
}
