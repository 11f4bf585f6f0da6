/** Atomic file writes: write a temporary file beside the target, fsync, then rename over it. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { syncDirSync } from './atomicWriteAsync';

/** Writes all of `bytes` at the file's position (writeSync may write less than asked). */
export function writeAllSync(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    writeAllSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  syncDirSync(path.dirname(file)); // the rename is durable only once the folder is flushed too
}

/** Private keys: mode 0600. */
export function writeSecretAtomic(file: string, data: string | Uint8Array): void {
  writeFileAtomic(file, data, 0o600);
}
