/** Builds a workspace index from files and folders on disk (the CLI's workspace: every path given, together). */
import * as fs from 'node:fs';
import { decodeWorkspaceFile } from './decodeFile';
import { findIndexedFiles, readIndexedFile } from './scanFolders';
import { fileUri } from './uris';
import { WorkspaceIndex } from './workspaceIndex';

export interface LoadedPaths {
  index: WorkspaceIndex;
  /** files given explicitly that are neither a trust list nor a certificate file, or unreadable */
  skipped: string[];
}

/** Folders are walked for .tlv/.pem/.crt/.cer/.der files; files named explicitly are read whatever their name. */
export async function loadPaths(paths: string[]): Promise<LoadedPaths> {
  const index = new WorkspaceIndex();
  const skipped: string[] = [];
  const files = new Set<string>();
  for (const p of paths) {
    const st = await fs.promises.stat(p);
    if (st.isDirectory()) for (const f of await findIndexedFiles(p)) files.add(f);
    else files.add(p);
  }
  for (const file of files) {
    const bytes = await readIndexedFile(file);
    const decoded = bytes && decodeWorkspaceFile({ uri: fileUri(file), path: file, name: file, bytes });
    if (decoded) index.set(decoded);
    else skipped.push(file);
  }
  return { index, skipped };
}
