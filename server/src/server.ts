/** The ITL Lens language server: `node dist/server.js --stdio` (or --node-ipc when VS Code starts it). */
import { createConnection } from 'vscode-languageserver/node';
import { startLanguageServer } from './lsp/languageServer';

const connection = createConnection();
process.on('uncaughtException', (e) => connection.console.error(`ITL Lens: uncaught ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
process.on('unhandledRejection', (e) => connection.console.error(`ITL Lens: unhandled ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
startLanguageServer(connection);
