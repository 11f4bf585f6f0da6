/** The ITL Lens language server: `node dist/server.js --stdio` (or --node-ipc when VS Code starts it). */
import { createConnection } from 'vscode-languageserver/node';
import { escapeControlsInText } from '../core/text/controlChars';
import { startLanguageServer } from './languageServer';
import { watchStdioFraming } from './stdioFraming';

const connection = createConnection();
const logError = (m: string) => connection.console.error(escapeControlsInText(m));
process.on('uncaughtException', (e) => logError(`ITL Lens: uncaught ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
process.on('unhandledRejection', (e) => logError(`ITL Lens: unhandled ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
startLanguageServer(connection);
// (in the same tick as the reader's own listener: neither misses a byte)
if (process.argv.includes('--stdio')) {
  watchStdioFraming(process.stdin, (fault) => {
    // The client can no longer be understood, and the reader cannot find the next message: a clean exit with
    // an error is the way back, since the client starts a server that exits again (vscode-languageclient).
    process.stderr.write(`ITL Lens: the language server's input is not Language Server Protocol messages (${escapeControlsInText(fault)}); exiting so that the client starts the server again\n`);
    process.exit(1);
  });
}
