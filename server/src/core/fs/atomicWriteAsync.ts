/**
 * The asynchronous twin of atomicWrite.ts: temporary file beside the target, fsync, rename. The CAPF
 * server uses it so that disk flushes never stall the event loop that serves hundreds of TLS sessions.
 * Written with the callback API: per file it costs the event loop well under half what fs/promises does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Folders known to exist (a busy server writes into the same few folders all the time). */
const madeDirs = new Set<string>();

function ensureDir(dir: string, done: (e: Error | null) => void): void {
  if (madeDirs.has(dir)) return done(null);
  fs.mkdir(dir, { recursive: true }, (e) => {
    if (!e) madeDirs.add(dir);
    done(e);
  });
}

function writeSynced(tmp: string, data: Buffer | readonly Buffer[], mode: number, done: (e: Error | null) => void): void {
  fs.open(tmp, 'w', mode, (e, fd) => {
    if (e) return done(e);
    const written = (we: Error | null) => {
      if (we) return fs.close(fd, () => done(we));
      fs.fsync(fd, (se) => fs.close(fd, (ce) => done(se ?? ce)));
    };
    // a short write on a regular file means the disk is full: never fsync and rename a truncated file over a whole one
    const total = Buffer.isBuffer(data) ? data.length : data.reduce((n, b) => n + b.length, 0);
    const whole = (we: Error | null, n: number) => written(we ?? (n === total ? null : new Error(`short write: ${n} of ${total} bytes`)));
    if (Buffer.isBuffer(data)) return fs.write(fd, data, 0, data.length, null, whole);
    fs.writev(fd, data as Buffer[], whole); // a gathered write: the pieces (e.g. one per device-table entry) are never copied into one buffer
  });
}

/**
 * fsync of a folder: makes the names created, renamed or removed in it durable. Best effort where the
 * system has no such thing: Windows cannot open a folder for fsync (its renames are journaled by NTFS), and
 * some file systems refuse it (EINVAL, EISDIR); the write itself has succeeded then, and is not failed.
 */
export function syncDir(dir: string, done: (e: Error | null) => void): void {
  if (process.platform === 'win32') return done(null);
  fs.open(dir, 'r', (e, fd) => {
    if (e) return done(dirSyncUnsupported(e) ? null : e);
    fs.fsync(fd, (se) => fs.close(fd, (ce) => done(se && !dirSyncUnsupported(se) ? se : (ce ?? null))));
  });
}

/** The same, synchronously. */
export function syncDirSync(dir: string): void {
  if (process.platform === 'win32') return;
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch (e) {
    if (dirSyncUnsupported(e as NodeJS.ErrnoException)) return;
    throw e;
  }
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    if (!dirSyncUnsupported(e as NodeJS.ErrnoException)) throw e;
  } finally {
    fs.closeSync(fd);
  }
}

function dirSyncUnsupported(e: NodeJS.ErrnoException): boolean {
  return e.code === 'EINVAL' || e.code === 'EISDIR' || e.code === 'EPERM' || e.code === 'ENOTSUP' || e.code === 'EBADF';
}

export function writeFileAtomicAsync(file: string, data: string | Uint8Array | readonly Buffer[], mode = 0o644): Promise<void> {
  const dir = path.dirname(file);
  const bytes = typeof data === 'string' ? Buffer.from(data) : Array.isArray(data) ? (data as readonly Buffer[]) : Buffer.from((data as Uint8Array).buffer, (data as Uint8Array).byteOffset, (data as Uint8Array).byteLength);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  return new Promise((resolve, reject) => {
    const fail = (e: Error) => fs.rm(tmp, { force: true }, () => reject(e));
    // the rename is durable only once the folder is flushed too (a power loss could otherwise undo it)
    const rename = () => fs.rename(tmp, file, (re) => (re ? fail(re) : syncDir(dir, (se) => (se ? reject(se) : resolve()))));
    // open() applied the umask; a private key must end up exactly 0600 whatever the umask
    const finish = () => (mode === 0o644 ? rename() : fs.chmod(tmp, mode, (ce) => (ce ? fail(ce) : rename())));
    ensureDir(dir, (de) => {
      if (de) return reject(de);
      writeSynced(tmp, bytes, mode, (we) => {
        if ((we as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
          madeDirs.delete(dir); // the folder went away since we made it: once more from the start
          return ensureDir(dir, (de2) => (de2 ? reject(de2) : writeSynced(tmp, bytes, mode, (we2) => (we2 ? fail(we2) : finish()))));
        }
        if (we) return fail(we);
        finish();
      });
    });
  });
}

/** Private keys: mode 0600. */
export function writeSecretAtomicAsync(file: string, data: string | Uint8Array): Promise<void> {
  return writeFileAtomicAsync(file, data, 0o600);
}
