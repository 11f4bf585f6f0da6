/**
 * From a file name a TFTP client sent to the bytes served: no network name becomes a path before these
 * checks, and the file is read whole at request time (so a file the lab rewrites mid-transfer cannot mix
 * two versions in one transfer).
 *
 * Refused (access violation): an empty name; a byte outside printable ASCII (this also covers NUL); a
 * backslash or a colon (Windows separators and drive letters); an absolute name; an empty, `.` or `..`
 * segment. Then the real path (symlinks resolved) must stay inside the root's real path, and the file must
 * be a regular file opened without following a last-moment symlink.
 */
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { TFTP_ERROR } from './tftpPackets';

/** TFTP's 16-bit block numbers wrap at 65535 (as most servers do), so no hard size limit; this bounds memory. */
export const DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024;

export type ServedFile = { ok: true; path: string; data: Buffer } | { ok: false; code: number; message: string; why: string };

/** Why a requested name is refused before it touches the file system, or undefined when it may be looked up. */
export function requestNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'an empty file name';
  if (!/^[\x20-\x7e]+$/.test(name)) return 'a byte outside printable ASCII in the file name';
  if (name.includes('\\')) return 'a backslash in the file name';
  if (name.includes(':')) return 'a colon in the file name';
  if (name.startsWith('/')) return 'an absolute path';
  const segments = name.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return `an empty, '.' or '..' path segment`;
  return undefined;
}

const refused = (why: string): ServedFile => ({ ok: false, code: TFTP_ERROR.ACCESS_VIOLATION, message: 'Access violation', why });
const notFound = (why: string): ServedFile => ({ ok: false, code: TFTP_ERROR.FILE_NOT_FOUND, message: 'File not found', why });

function inside(rootReal: string, real: string): boolean {
  return real === rootReal || real.startsWith(rootReal.endsWith(path.sep) ? rootReal : rootReal + path.sep);
}

/** Reads the file `name` names under `rootReal` (the root's realpath), or says which TFTP error to answer. */
export async function readServedFile(rootReal: string, name: string, maxSize = DEFAULT_MAX_FILE_SIZE): Promise<ServedFile> {
  const problem = requestNameProblem(name);
  if (problem) return refused(problem);
  let real: string;
  try {
    real = await fsp.realpath(path.join(rootReal, name));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES') return refused('permission denied');
    return notFound(code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file' : `cannot resolve it (${code})`);
  }
  if (!inside(rootReal, real)) return refused('it resolves outside the root (a symbolic link points out)');
  let handle: fsp.FileHandle;
  try {
    // O_NOFOLLOW: a symlink swapped in after realpath is not followed; O_NONBLOCK: a FIFO cannot hang the open
    handle = await fsp.open(real, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return notFound('no such file');
    return refused(code === 'ELOOP' ? 'it became a symbolic link' : `cannot open it (${code})`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return refused('not a regular file');
    if (st.size > maxSize) return { ok: false, code: TFTP_ERROR.NOT_DEFINED, message: `File too large (over ${maxSize} bytes)`, why: `${st.size} bytes, over the limit of ${maxSize}` };
    const data = await handle.readFile();
    if (data.length > maxSize) return { ok: false, code: TFTP_ERROR.NOT_DEFINED, message: `File too large (over ${maxSize} bytes)`, why: 'it grew over the limit while read' };
    return { ok: true, path: real, data };
  } catch (e) {
    return refused(`cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    await handle.close().catch(() => undefined);
  }
}
