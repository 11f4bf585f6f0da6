/** Builds a workspace index from files and folders on disk (the CLI's workspace: every path given, together). */
import * as fs from 'node:fs';
import { summarizeSource } from './fileSummary';
import { findIndexedFiles, readIndexedFileSync } from './scanFolders';
import { fileUri } from './uris';
import { WorkspaceIndex } from './workspaceIndex';

export interface LoadedPaths {
  index: WorkspaceIndex;
  /** files given explicitly that are neither a trust list nor a certificate file, or unreadable */
  skipped: string[];
}

export interface LoadOptions {
  /** called after each file read, with the count read so far and the total (progress lines) */
  progress?: (done: number, total: number) => void;
}

/** Files read between two turns of the event loop (timers, a progress line, signals). */
const SLICE = 200;

/**
 * Folders are walked for .tlv/.pem/.crt/.cer/.der files; files named explicitly are read whatever their name.
 * Files are read synchronously, as the language server reads them: trust lists and certificates are small, and
 * a synchronous read costs less than an asynchronous round trip per file (measured in bench/cliBench.ts).
 */
export async function loadPaths(paths: string[], options: LoadOptions = {}): Promise<LoadedPaths> {
  const index = new WorkspaceIndex();
  const skipped: string[] = [];
  const files = new Set<string>();
  for (const p of paths) {
    const st = await fs.promises.stat(p);
    if (st.isDirectory()) for (const f of await findIndexedFiles(p)) files.add(f);
    else files.add(p);
  }
  let done = 0;
  for (const file of files) {
    const bytes = readIndexedFileSync(file);
    const summary = bytes && summarizeSource({ uri: fileUri(file), path: file, name: file, bytes });
    if (summary) index.set(summary);
    else skipped.push(file);
    done++;
    options.progress?.(done, files.size);
    if (done % SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return { index, skipped };
}
