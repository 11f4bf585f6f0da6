/** Finds the trust lists and certificate files under workspace folders (the only file-system walk). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CERTIFICATE_EXTENSIONS, isCertificateFilePath, isTrustListPath, TRUST_LIST_EXTENSIONS } from '../shared/fileKinds';
import { DEFAULT_LAB_DIR, LAB_TFTP_DIR } from '../lab/model/labLayout';

/** Extensions the index looks at. */
export const INDEXED_EXTENSIONS = [...TRUST_LIST_EXTENSIONS, ...CERTIFICATE_EXTENSIONS] as const;

/** The glob a client file watcher should use for the same set of files. */
export const INDEXED_GLOB = `**/*.{${INDEXED_EXTENSIONS.join(',')}}`;

/** Files larger than this are not trust lists or certificates (an ITL over 64 KB is already broken). */
export const MAX_INDEXED_FILE_BYTES = 4 * 1024 * 1024;

/** Folders never walked: dependencies, VCS data, and dot-folders such as the CAPF lab's state. */
export function isSkippedFolder(name: string): boolean {
  return name === 'node_modules' || name.startsWith('.');
}

export function isIndexedPath(p: string): boolean {
  return isTrustListPath(p) || isCertificateFilePath(p);
}

/** Whether `p` is the folder `dir` or lies anywhere under it. */
export function isSameOrUnder(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/**
 * The one folder read inside a skipped one: the default lab folder's TFTP root (`.itl-lens-lab/tftp/`), what
 * the lab's phones download, so the editor checks those files like any other. The rest of the lab folder
 * (keys, phones' trust stores, state) stays unread.
 */
function isIndexedInSkipped(parts: string[], i: number): boolean {
  return parts[i] === DEFAULT_LAB_DIR && parts[i + 1] === LAB_TFTP_DIR;
}

/** True when some folder between `root` and `file` would be skipped by the walk. */
export function isInSkippedFolder(file: string, root?: string): boolean {
  const rel = root ? path.relative(root, path.dirname(file)) : path.dirname(file);
  const parts = rel.split(path.sep).filter((part) => part !== '' && part !== '..');
  for (let i = 0; i < parts.length; i++) {
    if (isIndexedInSkipped(parts, i)) i++;
    else if (isSkippedFolder(parts[i])) return true;
  }
  return false;
}

export interface ScanOptions {
  /** stop after this many files (a guard against scanning a home folder) */
  maxFiles?: number;
}

/** Every indexed file under `root`, depth-first, without following symbolic links to folders. */
export function findIndexedFiles(root: string, options: ScanOptions = {}): Promise<string[]> {
  return findFiles(root, isIndexedPath, options);
}

/**
 * Every file under `root` whose name `accept`s, depth-first, skipping node_modules and dot-folders (but for
 * the lab's TFTP root, `.itl-lens-lab/tftp/`), without following symbolic links to folders; sorted.
 */
export async function findFiles(root: string, accept: (name: string) => boolean, options: ScanOptions = {}): Promise<string[]> {
  const max = options.maxFiles ?? 50_000;
  const found: string[] = [];
  const pending = [root];
  while (pending.length && found.length < max) {
    const dir = pending.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable or vanished folder
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!isSkippedFolder(e.name)) pending.push(full);
        else if (isIndexedInSkipped([e.name, LAB_TFTP_DIR], 0) && (await isRealFolder(path.join(full, LAB_TFTP_DIR)))) pending.push(path.join(full, LAB_TFTP_DIR));
      } else if ((e.isFile() || e.isSymbolicLink()) && accept(e.name)) {
        found.push(full);
        if (found.length >= max) break;
      }
    }
  }
  return found.sort();
}

/** A folder, not a symbolic link to one (the walk never follows those). */
async function isRealFolder(p: string): Promise<boolean> {
  try {
    return (await fs.promises.lstat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Reads a file for the index; undefined when it is missing, not a regular file, or too large. */
export async function readIndexedFile(file: string): Promise<Buffer | undefined> {
  try {
    const st = await fs.promises.stat(file);
    if (!st.isFile() || st.size > MAX_INDEXED_FILE_BYTES) return undefined;
    return await fs.promises.readFile(file);
  } catch {
    return undefined;
  }
}

/** Synchronous variant (one open, fstat, read and close): far cheaper per small file than the asynchronous one. */
export function readIndexedFileSync(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > MAX_INDEXED_FILE_BYTES) return undefined;
    const buf = Buffer.allocUnsafe(st.size);
    let read = 0;
    while (read < st.size) {
      const n = fs.readSync(fd, buf, read, st.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return read === st.size ? buf : buf.subarray(0, read);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
